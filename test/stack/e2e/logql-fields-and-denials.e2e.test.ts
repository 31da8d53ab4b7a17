/**
 * LogQL panels, Grafana-managed LogQL alerts and denials, on the real collector.
 *
 * Loki cannot run on this project's machines (github.com/grafana/loki/v3 is AGPL and not to be used
 * here; nothing else serves a Loki binary), so no LogQL query is answered by Loki in these tests.
 * What is checked for real is what Loki would be given: the records the real collector delivers to
 * Loki's OTLP endpoint (received by an OTLP receiver standing there). Every field that a LogQL panel
 * or alert filters, groups, unwraps or formats on must exist on the records of the event it selects,
 * under Loki's OTLP naming (attribute keys with non-alphanumerics as `_`), and the values the queries
 * match (event names, decisions, kinds) must be the values that arrive.
 *
 * Denials: a TUI denial of the real Codex CLI (the aborted exec_command span of the tui-approvals
 * capture) and denials emitted through this package by `simulate --endpoint` (decision records, each
 * with the aborted tool span the library ends at the denial, and a TUI-style denial that is only an
 * aborted span; read back from the files simulate wrote beside) are counted once per call id: on the
 * span-derived Prometheus series, and, when the collector runs our spanaudit connector, as derived
 * audit records in the SIEM file and at Loki.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import type { ReceivedLogRecord } from '../../support/otlp-model.js';
import { ROOT } from '../support/binaries.js';
import { eventually, promQuery, readSiemFile, simulate, startNativeStack, type NativeStack } from '../support/native-stack.js';
import { currentDecision, logRecords, readOtlpDocs, replayCaptures, spans, type Attrs } from '../support/otlp-json.js';
import { abortedToolSpans } from '../support/simulated.js';
import { abortedSpansPanel, answerAbortedSpansPanel, single } from '../support/tempo-panel.js';
import { resolveQuery } from '../support/grafana-vars.js';
import { logqlFieldNames } from '../support/queries.js';

/** The decisions the denial panel counts, as its own query matches them (LogQL regexes are anchored). */
const DENIALS = (() => {
  const d = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'json', 'codex-security-audit.json'), 'utf8'));
  const expr: string = d.panels.find((p: any) => /distinct call ids/.test(p.title)).targets[0].expr;
  return new RegExp(`^(?:${/decision=~"([^"]+)"/.exec(expr)![1]})$`);
})();
const collectorConfig = parse(readFileSync(join(ROOT, 'collector', 'config.yaml'), 'utf8'));
/** Whether the collector config runs our spanaudit connector (aborted tool spans -> audit records). */
const SPANAUDIT = JSON.stringify(collectorConfig.service?.pipelines ?? {}).includes('"spanaudit');

let stack: NativeStack;
let loki: OtlpReceiver;
let tempo: OtlpReceiver;
let dir: string;
let sentLogs: Attrs[] = [];
/** call id -> source ('codex-tui' capture or 'library') and tool of the aborted tool spans sent */
const abortedSpans = new Map<string, { source: string; tool: string }>();
let libraryDecisionDenials: string[] = [];

const loKey = (k: string) => k.replace(/[^A-Za-z0-9_]/g, '_');
/** A record as Loki's OTLP ingestion sees it: resource and log attributes under Loki's names. */
function lokiFields(r: ReceivedLogRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.resource)) out[loKey(k)] = String(v);
  for (const a of r.attributes) out[loKey(a.key)] = String(a.value);
  return out;
}
const atLoki = () => loki.logs().map(lokiFields);

beforeAll(async () => {
  loki = await startOtlpReceiver();
  tempo = await startOtlpReceiver();
  stack = await startNativeStack({ env: { collector: { LOKI_OTLP_ENDPOINT: loki.httpUrl, TEMPO_OTLP_GRPC_ENDPOINT: new URL(tempo.grpcUrl).host } } });
  dir = mkdtempSync(join(tmpdir(), 'codex-otel-logql-'));
  await simulate(stack.endpoints.otlpHttp!, ['-n', '5', '--seed', '3', '--out', dir]);
  const library = logRecords(readOtlpDocs(join(dir, 'logs.jsonl')));
  // The library's own spans, as simulate sent them to the collector (and wrote beside).
  for (const s of abortedToolSpans(spans(readOtlpDocs(join(dir, 'traces.jsonl'))))) abortedSpans.set(String(s.attributes['call_id']), { source: 'library', tool: String(s.attributes['tool_name']) });
  libraryDecisionDenials = library.filter((r) => r.attributes['event.name'] === 'codex.tool_decision' && DENIALS.test(currentDecision(r.attributes['decision']))).map((r) => String(r.attributes['call_id']));
  const codex = await replayCaptures(stack.endpoints.otlpHttp!, ['logs', 'metrics', 'traces']);
  for (const s of abortedToolSpans(spans(codex.traces))) abortedSpans.set(String(s.attributes['call_id']), { source: 'codex-tui', tool: String(s.attributes['tool_name']) });
  sentLogs = [...library, ...logRecords(codex.logs)].map((r) => r.attributes);
  // Everything except the successful SSE chunks (dropped by the collector by default) goes to Loki.
  const toLoki = sentLogs.filter((a) => !(a['event.name'] === 'codex.sse_event' && a['error.message'] === undefined && a['event.kind'] !== 'response.completed'));
  await eventually(async () => loki.logs().length >= toLoki.length, `${toLoki.length} records at Loki's endpoint`, 120_000);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await loki?.close();
  await tempo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface LogqlQuery { where: string; expr: string }

function logqlQueries(): LogqlQuery[] {
  const out: LogqlQuery[] = [];
  const time = { fromMs: Date.now() - 24 * 3600_000, toMs: Date.now(), maxDataPoints: 950 };
  for (const f of ['codex-security-audit.json', 'codex-usage-reliability.json']) {
    const d = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'json', f), 'utf8'));
    for (const p of d.panels) for (const t of p.targets ?? []) {
      if (t.datasource?.uid !== 'codex-loki') continue;
      // Resolved as Grafana would for the dashboard's default range, every variable at All.
      const { query } = resolveQuery(t.expr, { datasource: 'loki', queryType: t.queryType === 'instant' ? 'instant' : 'range', time, scrapeIntervalMs: 15_000, variables: {}, templating: d.templating.list });
      out.push({ where: `${f} "${p.title}" ${t.refId}`, expr: query });
    }
  }
  const alerts = parse(readFileSync(join(ROOT, 'dashboards', 'provisioning', 'alerting', 'codex-audit-alerts.yaml'), 'utf8'));
  for (const g of alerts.groups) for (const r of g.rules) for (const q of r.data) if (q.datasourceUid === 'codex-loki') out.push({ where: `alert "${r.title}" ${q.refId}`, expr: q.model.expr });
  return out;
}

/** Fields Loki itself provides, whatever the records carry. */
const LOKI_OWN = new Set(['__error__', '__error_details__', 'detected_level', 'service_name']);

describe('what the LogQL panels and alerts select arrives at Loki (Loki itself cannot run here)', () => {
  const queries = logqlQueries();

  it('the dashboards and alert rules have LogQL queries (14 panels\' targets and 2 alerts)', () => {
    expect(queries.filter((q) => q.where.startsWith('alert')).length).toBe(2);
    expect(queries.length).toBeGreaterThanOrEqual(15);
  });

  it('every legend of a LogQL metric panel names a label its aggregation keeps', () => {
    for (const f of ['codex-security-audit.json', 'codex-usage-reliability.json']) {
      const d = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'json', f), 'utf8'));
      for (const p of d.panels) for (const t of p.targets ?? []) {
        if (t.datasource?.uid !== 'codex-loki') continue;
        const by = [...String(t.expr).matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((x) => x.trim()));
        const aggregated = /^\s*(sum|count|quantile_over_time|avg|max|min|topk)\b/.test(t.expr);
        for (const [, label] of String(t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
          if (aggregated) expect(by, `${f} "${p.title}": legend {{${label}}}`).toContain(label);
        }
      }
    }
  });

  for (const q of queries) {
    it(`${q.where}: every field it names exists on the records of its event at Loki, and the values it matches arrive`, () => {
      const events = [...q.expr.matchAll(/event_name="([^"]+)"/g)].map((m) => m[1]!);
      expect(events.length, 'the query selects an event').toBeGreaterThan(0);
      const records = atLoki().filter((r) => events.includes(r['event_name']!));
      expect(records.length, `records of ${events.join(', ')} at Loki`).toBeGreaterThan(0);
      const present = new Set(records.flatMap((r) => Object.keys(r)));
      const missing = [...new Set(logqlFieldNames(q.expr))].filter((f) => !LOKI_OWN.has(f) && !present.has(f) && !/^(and|or|by|without|unwrap|keep|drop|line_format)$/.test(f));
      // A field matched only with a variable at All (=~".*") may be absent: .* matches the empty value.
      const optional = missing.filter((f) => new RegExp(`\\b${f}=~"\\.\\*"`).test(q.expr) && !new RegExp(`(by \\(|keep )[^)|]*\\b${f}\\b`).test(q.expr));
      // Without our spanaudit connector in the collector, no record carries the span-derived marker.
      const unwired: string[] = SPANAUDIT ? [] : missing.filter((f) => f === 'codex_otel_derived_from');
      expect(missing.filter((f) => !optional.includes(f) && !unwired.includes(f)), `fields named by the query that no ${events.join('/')} record at Loki has`).toEqual([]);
      // Every literal equality the query matches on a field is a value that arrives.
      for (const m of q.expr.matchAll(/\b([a-z_]+)="([^"$]+)"/g)) {
        const [, field, value] = m;
        if (field === 'event_name' || LOKI_OWN.has(field!) || q.expr.includes(`${field}!=`)) continue;
        if (!SPANAUDIT && field === 'codex_otel_derived_from') continue;
        expect(records.some((r) => r[field!] === value), `${field}="${value}" arrives on some ${events.join('/')} record`).toBe(true);
      }
    });
  }
});

describe('denials are counted once per call id', () => {
  it('the aborted spans sent: the real Codex TUI denial, and the library\'s: one per decision denial plus its TUI-style denial', () => {
    expect([...abortedSpans].filter(([, s]) => s.source === 'codex-tui').map(([c]) => c)).toEqual(['call_tui_deny']);
    const library = [...abortedSpans].filter(([, s]) => s.source === 'library').map(([c]) => c);
    expect(libraryDecisionDenials.length).toBeGreaterThan(0);
    expect(libraryDecisionDenials.every((c) => library.includes(c))).toBe(true);
    // the library's TUI-style denial: an aborted span and no record of its call
    expect(library.filter((c) => !sentLogs.some((a) => a['call_id'] === c))).toHaveLength(1);
    expect(library).toHaveLength(libraryDecisionDenials.length + 1);
  });

  it('the real Codex TUI denial has no decision record: only its aborted span tells (contract §1.4)', () => {
    expect(sentLogs.filter((a) => a['call_id'] === 'call_tui_deny')).toEqual([]);
  });

  it('Prometheus: the span-derived codex_otel_tool_call_aborted_total counts each aborted span once', async () => {
    const byTool = new Map<string, number>();
    for (const { tool } of abortedSpans.values()) byTool.set(tool, (byTool.get(tool) ?? 0) + 1);
    const rows = await eventually(async () => {
      const r = await promQuery(stack.endpoints.prometheus!, 'sum by (tool_name) (codex_otel_tool_call_aborted_total)');
      const total = r.reduce((n, x) => n + x.value, 0);
      if (total !== abortedSpans.size) throw new Error(`found ${JSON.stringify(r.map((x) => [x.metric, x.value]))}`);
      return r;
    }, `${abortedSpans.size} aborted tool calls in Prometheus`, 90_000);
    expect(Object.fromEntries(rows.map((r) => [r.metric.tool_name, r.value]))).toEqual(Object.fromEntries(byTool));
  });

  it(`the security dashboard's "${abortedSpansPanel().title}" panel, its TraceQL evaluated on the spans at the trace backend, lists every aborted tool span sent and nothing else, the TUI denial's exec_command among them`, async () => {
    await tempo.waitFor(() => answerAbortedSpansPanel(tempo.spans()).rows.length >= abortedSpans.size, 90_000);
    const { rows, truncated } = answerAbortedSpansPanel(tempo.spans());
    expect(rows.map((r) => single(r, 'span.call_id')).sort()).toEqual([...abortedSpans.keys()].sort());
    expect(truncated, 'nothing beyond the panel\'s limit / spss').toEqual({ traces: 0, spans: 0 });
    for (const r of rows) {
      expect(single(r, 'span.tool_name')).toBe(abortedSpans.get(single(r, 'span.call_id'))!.tool);
      for (const [label, values] of Object.entries(r.selected)) expect(values.length, `${label} on ${single(r, 'span.call_id')}`).toBe(1);
    }
    const tui = rows.find((r) => single(r, 'span.call_id') === 'call_tui_deny')!;
    expect(tui.name).toBe('exec_command');
    expect(single(tui, 'resource.service.name')).toBe('codex-app-server');
    // $env resolved to the captures' environment: the real Codex TUI denial only
    const conformance = answerAbortedSpansPanel(tempo.spans(), { env: ['conformance'] });
    expect(conformance.query).toContain('resource.env =~ "conformance"');
    expect(conformance.rows.map((r) => single(r, 'span.call_id'))).toEqual(['call_tui_deny']);
  });

  it.skipIf(!SPANAUDIT)('SIEM file and Loki: one derived audit record per aborted span; distinct denial call ids = denials sent', async () => {
    const siem = await eventually(async () => {
      const r = readSiemFile(stack.endpoints.siemFile!).filter((x) => x.attributes['codex_otel.derived_from'] === 'span');
      return r.length >= abortedSpans.size ? r : undefined;
    }, 'derived records in the SIEM file', 90_000);
    expect(siem.map((r) => String(r.attributes['call_id'])).sort()).toEqual([...abortedSpans.keys()].sort());
    const tui = siem.find((r) => r.attributes['call_id'] === 'call_tui_deny')!;
    expect(tui.attributes).toMatchObject({ 'event.name': 'codex.tool_decision', decision: 'abort', source: 'User', tool_name: 'exec_command' });
    // The denial panel and the burst alert: distinct call_id over decision records matching the denial regex.
    const denialsAtLoki = await eventually(async () => {
      const r = atLoki().filter((x) => x['event_name'] === 'codex.tool_decision' && DENIALS.test(x['decision'] ?? ''));
      return r.filter((x) => x['codex_otel_derived_from'] === 'span').length >= abortedSpans.size ? r : undefined;
    }, 'derived records at Loki', 90_000);
    const sentDenials = new Set([...sentLogs.filter((a) => a['event.name'] === 'codex.tool_decision' && DENIALS.test(currentDecision(a['decision']))).map((a) => String(a['call_id'])), ...abortedSpans.keys()]);
    expect(new Set(denialsAtLoki.map((x) => x['call_id'])).size).toBe(sentDenials.size);
    expect(denialsAtLoki.length, 'library denials arrive twice (decision + derived), counted once by call id').toBeGreaterThan(sentDenials.size);
  });
});
