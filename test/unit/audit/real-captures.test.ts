/**
 * `codex-otel audit` on what the real Codex CLI 0.169.0 sent (test/fixtures/codex-0.169.0, written by
 * the conformance suite's capture receiver: one whole OTLP/JSON document per signal and scenario).
 * The captures are copied gzipped into nested folders at test time, and the report's totals are
 * compared with a count made here directly from the capture JSON, without the audit's reader.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { AuditReport } from '../../../src/cli/audit/report.js';
import { recordingIo, tempDir } from './helpers.js';

const CAPTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/codex-0.169.0');
const SCENARIOS = readdirSync(CAPTURES).sort();
const DENYING = new Set(['denied', 'abort', 'timed_out', 'denied_with_network_policy_deny']);

type Json = Record<string, unknown>;
type Attrs = Record<string, unknown>;

/** `[{key, value: {xValue: v}}]` → `{key: v}`. */
function attrs(list: unknown): Attrs {
  const out: Attrs = {};
  for (const kv of (list as Array<{ key: string; value?: Record<string, unknown> }> | undefined) ?? []) {
    out[kv.key] = kv.value === undefined ? undefined : Object.values(kv.value)[0];
  }
  return out;
}

/** Every object found under `key` arrays anywhere in a parsed document. */
function collect(node: unknown, key: string, found: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const item of node) collect(item, key, found);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key && Array.isArray(v)) found.push(...(v as Json[]));
      else collect(v, key, found);
    }
  }
  return found;
}

/** The independent count. */
function countCaptures() {
  const counts = {
    events: 0, debug: 0, debugSeverity5: 0, decisions: 0, spans: 0, abortedToolSpans: 0,
    conversations: new Set<string>(), byName: new Map<string, number>(), byOriginator: new Map<string, number>(),
    denials: new Set<string>(), tuiDenials: [] as Attrs[],
  };
  for (const scenario of SCENARIOS) {
    const logs = JSON.parse(readFileSync(join(CAPTURES, scenario, 'logs.json'), 'utf8')) as unknown;
    for (const record of collect(logs, 'logRecords')) {
      const a = attrs(record['attributes']);
      const name = a['event.name'];
      if (typeof name !== 'string' || !name.startsWith('codex.')) {
        counts.debug++;
        if (record['severityNumber'] === 5 || record['severityNumber'] === 'SEVERITY_NUMBER_DEBUG') counts.debugSeverity5++;
        continue;
      }
      counts.events++;
      counts.byName.set(name, (counts.byName.get(name) ?? 0) + 1);
      counts.byOriginator.set(String(a['originator']), (counts.byOriginator.get(String(a['originator'])) ?? 0) + 1);
      if (typeof a['conversation.id'] === 'string') counts.conversations.add(a['conversation.id']);
      if (name === 'codex.tool_decision') {
        counts.decisions++;
        if (DENYING.has(String(a['decision']))) counts.denials.add(String(a['call_id']));
      }
    }
    const traces = JSON.parse(readFileSync(join(CAPTURES, scenario, 'traces.json'), 'utf8')) as unknown;
    for (const span of collect(traces, 'spans')) {
      counts.spans++;
      const a = attrs(span['attributes']);
      if (a['aborted'] === true && a['call_id'] !== undefined && a['tool_name'] !== undefined) {
        counts.abortedToolSpans++;
        counts.denials.add(String(a['call_id']));
        if (scenario.startsWith('tui')) counts.tuiDenials.push(a);
      }
    }
  }
  return counts;
}

/** The captures gzipped into nested folders: fleet/<host>/<scenario>/{logs,traces,metrics}.json.gz. */
function gzippedNestedCopy(): string {
  const root = tempDir();
  SCENARIOS.forEach((scenario, i) => {
    const dir = join(root, 'fleet', `host-${i % 3}`, scenario);
    mkdirSync(dir, { recursive: true });
    for (const signal of ['logs', 'traces', 'metrics']) {
      writeFileSync(join(dir, `${signal}.json.gz`), gzipSync(readFileSync(join(CAPTURES, scenario, `${signal}.json`))));
    }
  });
  return root;
}

describe('audit of real Codex 0.169.0 captures', () => {
  it('has the scenarios the conformance suite captures, the TUI one among them', () => {
    expect(SCENARIOS).toContain('tui-approvals');
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(8);
  });

  it('reports the TUI denial, counts no DEBUG record, and its totals equal a direct count of the captures', async () => {
    const expected = countCaptures();
    // The captures hold what the issue says they do: DEBUG records without event.name, and a TUI denial only as a span.
    expect(expected.debug).toBeGreaterThan(0);
    expect(expected.debugSeverity5).toBe(expected.debug);
    expect(expected.tuiDenials).toHaveLength(1);

    const root = gzippedNestedCopy();
    const io = recordingIo();
    const code = await main(['audit', '--format', 'json', root], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout.join('\n')) as AuditReport;

    expect(report.input.files).toHaveLength(SCENARIOS.length * 2); // logs and traces; metrics files are skipped
    expect(report.input.documents).toBe(SCENARIOS.length * 2);
    expect(report.malformed_lines).toBe(0);
    expect(report.events).toBe(expected.events);
    expect(report.ignored_records).toBe(expected.debug);
    expect(report.events_by_name.every((e) => e.name !== null && e.name.startsWith('codex.'))).toBe(true);
    expect(new Map(report.events_by_name.map((e) => [e.name!, e.count]))).toEqual(expected.byName);
    expect(report.conversations).toBe(expected.conversations.size);
    expect(report.decisions.reduce((n, d) => n + d.count, 0)).toBe(expected.decisions);
    expect(report.spans).toBe(expected.spans);
    expect(report.aborted_tool_spans).toBe(expected.abortedToolSpans);
    expect(new Set(report.denials.map((d) => d.call_id))).toEqual(expected.denials);
    expect(new Map(report.clients.map((c) => [String(c.originator), c.events]))).toEqual(expected.byOriginator);

    const span = expected.tuiDenials[0]!;
    const tui = report.denials.find((d) => d.call_id === span['call_id']);
    expect(tui).toMatchObject({
      conversation_id: span['conversation.id'],
      tool_name: span['tool_name'],
      originator: 'codex-tui',
      label: 'denied or interrupted by the user',
      evidence: 'span',
    });
    expect(tui!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    // TUI sessions come from the app-server daemon: grouped by originator, never by service.name.
    expect(report.clients.map((c) => c.originator)).toContain('codex-tui');
    expect(report.clients.map((c) => c.originator)).not.toContain('codex-app-server');
  });

  it('gives the same report for the plain captures as for the gzipped nested copy', async () => {
    const plain = recordingIo();
    await main(['audit', '--format', 'json', CAPTURES], plain);
    const zipped = recordingIo();
    await main(['audit', '--format', 'json', gzippedNestedCopy()], zipped);
    const strip = (r: AuditReport) => ({ ...r, input: null });
    expect(strip(JSON.parse(zipped.stdout.join('\n')) as AuditReport)).toEqual(strip(JSON.parse(plain.stdout.join('\n')) as AuditReport));
  });
});
