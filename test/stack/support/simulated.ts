/**
 * What `codex-otel simulate --endpoint` sent, read back from the OTLP/JSON files it writes beside
 * (`--out`): the same records and spans the collector received, so that e2e expectations (audit
 * records, derived denials, aborted-span counts, span names at Tempo) are derived from the data sent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './binaries.js';
import { simulate } from './native-stack.js';
import { logRecords, readOtlpDocs, spans, type SentRecord, type SentSpan } from './otlp-json.js';

export interface Simulated {
  summary: { events: { total: number; byName: Record<string, number> }; destinations: Array<{ signal: string; target: string }> };
  dir: string;
  logs: SentRecord[];
  spans: SentSpan[];
  remove(): void;
}

/** Runs simulate against the collector with `--out` into a fresh folder, and reads what it sent. */
export async function simulateAndRead(otlpHttp: string, args: string[]): Promise<Simulated> {
  const dir = mkdtempSync(join(tmpdir(), 'codex-otel-simulated-'));
  const summary = (await simulate(otlpHttp, [...args, '--out', dir])) as Simulated['summary'];
  const traces = join(dir, 'traces.jsonl');
  return {
    summary,
    dir,
    logs: logRecords(readOtlpDocs(join(dir, 'logs.jsonl'))),
    spans: existsSync(traces) ? spans(readOtlpDocs(traces)) : [],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The spans our spanaudit connector turns into a derived `codex.tool_decision` record (its selector,
 * collector/components/spanauditconnector/select.go): `aborted` true and both `call_id` and `tool_name` set.
 */
export function abortedToolSpans(sent: SentSpan[]): SentSpan[] {
  return sent.filter((s) => (s.attributes['aborted'] === true || s.attributes['aborted'] === 'true')
    && s.attributes['call_id'] !== undefined && s.attributes['tool_name'] !== undefined);
}

/** Counts of `key` over items. */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/**
 * The decisions the security dashboard's denial panel counts, as its own query matches them (Loki's
 * label matchers are anchored): a record counts when this matches its (collector-normalised) decision.
 */
export function dashboardDenialRegex(): RegExp {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'json', 'codex-security-audit.json'), 'utf8'));
  const expr: string = dashboard.panels.find((p: { title?: string }) => /distinct call ids/.test(p.title ?? '')).targets[0].expr;
  return new RegExp(`^(?:${/decision=~"([^"]+)"/.exec(expr)![1]})$`);
}
