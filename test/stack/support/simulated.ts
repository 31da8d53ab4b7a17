/**
 * What `codex-otel simulate --endpoint` sent, read back from the OTLP/JSON files it writes beside
 * (`--out`): the same records and spans the collector received, so that e2e expectations (audit
 * records, derived denials, aborted-span counts, span names at Tempo) are derived from the data sent.
 * Also the condition a TraceQL query selects spans by, evaluated on the spans Tempo's endpoint got.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedSpan } from '../../support/otlp-model.js';
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

type Scalar = string | number | boolean;

/**
 * Whether a span matches a TraceQL spanset filter of the form `{ cond && cond … }`, each `cond` being
 * `span.<key>`, `resource.<key>`, `.<key>` or the intrinsic `name`, compared with `=`, `!=`, `=~` or `!~`
 * to a string, number or boolean (regexes anchored, as in TraceQL). Anything else throws: a query this
 * cannot read fails the test instead of being skipped.
 */
export function traceqlMatches(query: string, span: ReceivedSpan): boolean {
  const body = /^\s*\{(.*)\}\s*$/s.exec(query)?.[1];
  if (body === undefined || /\|\||\|/.test(body)) throw new Error(`TraceQL beyond a single && filter: ${query}`);
  return body.split('&&').every((condition) => {
    const m = /^\s*(span\.|resource\.|\.)?([A-Za-z_][\w.]*)\s*(=~|!~|!=|=)\s*(.+?)\s*$/.exec(condition);
    if (!m) throw new Error(`TraceQL condition not understood: ${condition}`);
    const [, scope, key, op, raw] = m as unknown as [string, string | undefined, string, string, string];
    const want: Scalar = raw.startsWith('"') ? JSON.parse(raw) as string : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
    // A key can be on a span twice (a real Codex exec_command span has `aborted` false at start, then
    // true): the condition holds when one of its values satisfies it.
    const spanValues = span.attributes.filter((a) => a.key === key).map((a) => a.value as Scalar);
    const resourceValue = span.resource[key]?.value as Scalar | undefined;
    const resourceValues = resourceValue === undefined ? [] : [resourceValue];
    const values: Scalar[] = scope === undefined && key === 'name' ? [span.name]
      : scope === 'span.' ? spanValues : scope === 'resource.' ? resourceValues : spanValues.length ? spanValues : resourceValues;
    return values.some((got) => {
      if (op === '=') return got === want;
      if (op === '!=') return got !== want;
      const matches = new RegExp(`^(?:${String(want)})$`).test(String(got));
      return op === '=~' ? matches : !matches;
    });
  });
}

/**
 * How an aborted tool span is found in Tempo (issue 12: "the aborted exec_command span of a TUI denial
 * can be found by TraceQL"): the attribute Codex and this library end every tool span with.
 */
export const ABORTED_TOOL_SPANS_TRACEQL = '{ span.aborted = true && span.call_id != "" }';

/**
 * The decisions the security dashboard's denial panel counts, as its own query matches them (Loki's
 * label matchers are anchored): a record counts when this matches its (collector-normalised) decision.
 */
export function dashboardDenialRegex(): RegExp {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'json', 'codex-security-audit.json'), 'utf8'));
  const expr: string = dashboard.panels.find((p: { title?: string }) => /distinct call ids/.test(p.title ?? '')).targets[0].expr;
  return new RegExp(`^(?:${/decision=~"([^"]+)"/.exec(expr)![1]})$`);
}
