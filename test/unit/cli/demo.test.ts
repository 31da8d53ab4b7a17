/**
 * The main job: `simulate --out DIR` followed by `audit --format json DIR` agrees with what simulate says it
 * emitted, and `codex-otel demo` (what `npm start` runs) prints both, offline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import type { SimulateSummary } from '../../../src/cli/simulate/simulate.js';

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), env: {}, isTty: false };
}

interface AuditJson {
  events: number;
  conversations: number;
  decisions: Array<{ tool_name: string; decision: string; source: string; count: number }>;
  denials: Array<{ decision: string; source: string; conversation_id: string; call_id: string }>;
  risky_conversations: Array<{ conversation_id: string; sandbox_policy: string; approval_policy: string }>;
  tool_failures: Array<{ tool_name: string; count: number }>;
  events_by_name: Array<{ name: string; count: number }>;
  malformed_lines: number;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'codex-otel-demo-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('simulate --out, then audit', () => {
  it('audit counts what simulate says it emitted', async () => {
    const dir = join(root, 'out');
    const simIo = captureIo();
    expect(await main(['simulate', '--out', dir, '--seed', '3', '--sessions', '8', '--json'], simIo)).toBe(0);
    const summary = JSON.parse(simIo.stdout.join('\n')) as SimulateSummary;

    const auditIo = captureIo();
    expect(await main(['audit', '--format', 'json', dir], auditIo)).toBe(0);
    const report = JSON.parse(auditIo.stdout.join('\n')) as AuditJson;

    expect(report.malformed_lines).toBe(0);
    expect(report.events).toBe(summary.events.total);
    expect(report.conversations).toBe(summary.sessions);
    expect(Object.fromEntries(report.events_by_name.map((e) => [e.name, e.count]))).toEqual(summary.events.byName);
    const decisions = report.decisions.reduce((sum, row) => sum + row.count, 0);
    expect(decisions).toBe(summary.events.byName['codex.tool_decision']);

    // Cross-check the detailed sections against the raw file.
    const decisionsInFile: Array<{ decision: string; failed?: boolean }> = [];
    let failures = 0;
    for (const line of readFileSync(join(dir, 'logs.jsonl'), 'utf8').split('\n').filter(Boolean)) {
      const request = JSON.parse(line) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes: Array<{ key: string; value: { stringValue?: string } }> }> }> }> };
      for (const record of request.resourceLogs.flatMap((r) => r.scopeLogs).flatMap((s) => s.logRecords)) {
        const get = (key: string) => record.attributes.find((a) => a.key === key)?.value.stringValue;
        if (get('event.name') === 'codex.tool_decision') decisionsInFile.push({ decision: get('decision')! });
        if (get('event.name') === 'codex.tool_result' && get('success') === 'false') failures++;
      }
    }
    const denials = decisionsInFile.filter((d) => ['denied', 'abort', 'timed_out'].includes(d.decision) || d.decision.startsWith('denied_')).length;
    expect(denials).toBeGreaterThan(0);
    expect(report.denials).toHaveLength(denials);
    expect(report.tool_failures.reduce((sum, row) => sum + row.count, 0)).toBe(failures);
    expect(report.risky_conversations.some((c) => c.sandbox_policy === 'danger-full-access' && c.approval_policy === 'never')).toBe(true);
  });
});

describe('codex-otel demo (npm start)', () => {
  it('simulates offline into the folder and prints the audit report', async () => {
    const dir = join(root, 'demo');
    const io = captureIo();
    const code = await main(['demo', '--out', dir], io);
    const text = io.stdout.join('\n');
    expect(code).toBe(0);
    expect(text).toContain('(offline: no collector needed)');
    expect(text).toMatch(/^simulated 5 conversation\(s\), seed \d+: [\d,]+ events/m);
    expect(text).toMatch(/^ {2}dropped +0$/m);
    expect(text).toContain('== codex-otel audit');
    expect(text).toContain('Denials');
    expect(text).toContain('danger-full-access');

    // A rerun replaces the files instead of adding to them, and has fresh ids: no denial is counted twice.
    writeFileSync(join(dir, 'keep.txt'), 'not ours');
    const again = captureIo();
    expect(await main(['demo', '--out', dir, '--json'], again)).toBe(0);
    const both = JSON.parse(again.stdout.join('\n')) as { ok: boolean; simulate: SimulateSummary; audit: AuditJson };
    expect(both.ok).toBe(true);
    expect(both.simulate.replaced).toEqual(['logs.jsonl', 'metrics.jsonl']);
    expect(both.audit.events).toBe(both.simulate.events.total);
    expect(both.audit.conversations).toBe(both.simulate.sessions);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('not ours');
    // --append keeps the earlier run: the same rule as simulate
    const appended = captureIo();
    expect(await main(['demo', '--out', dir, '--json', '--append'], appended)).toBe(0);
    const third = JSON.parse(appended.stdout.join('\n')) as { simulate: SimulateSummary; audit: AuditJson };
    expect(third.audit.events).toBe(both.simulate.events.total + third.simulate.events.total);
    expect(third.audit.conversations).toBe(both.simulate.sessions + third.simulate.sessions);
  });
});
