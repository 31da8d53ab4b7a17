/**
 * What a test SENT, read back from OTLP/JSON (the library's file output, `simulate --out`, and the
 * real Codex captures in test/fixtures/codex-0.169.0/), so that expected panel and alert values are
 * computed from the source records, independently of the backends. Also replays a capture to the
 * collector with its timestamps moved to now.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY_DECISIONS } from '../../../src/events/decisions.js';
import { ROOT } from './binaries.js';
import { postOtlpJson } from './native-stack.js';

export const CODEX_CAPTURES = join(ROOT, 'test', 'fixtures', 'codex-0.169.0');
export type Signal = 'logs' | 'metrics' | 'traces';
export type Attrs = Record<string, string | number | boolean | undefined>;

export interface SentRecord { resource: Attrs; attributes: Attrs }
export interface SentPoint {
  name: string;
  kind: 'sum' | 'histogram' | 'gauge';
  resource: Attrs;
  attributes: Attrs;
  /** counter value (sum) or histogram sum */
  value: number;
  count?: number;
  bounds?: number[];
  bucketCounts?: number[];
}
export interface SentSpan { resource: Attrs; name: string; attributes: Attrs }

function anyValue(v: any): string | number | boolean | undefined {
  if (v == null) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('boolValue' in v) return v.boolValue;
  if ('doubleValue' in v) return v.doubleValue;
  return undefined;
}
const attrs = (list: any[] | undefined): Attrs => Object.fromEntries((list ?? []).map((a) => [a.key, anyValue(a.value)]));

/** Every OTLP/JSON request document of a file: one JSON document, or JSON lines. */
export function readOtlpDocs(path: string): any[] {
  const text = readFileSync(path, 'utf8');
  try {
    return [JSON.parse(text)];
  } catch {
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }
}

export function logRecords(docs: any[]): SentRecord[] {
  const out: SentRecord[] = [];
  for (const d of docs) for (const rl of d.resourceLogs ?? []) {
    const resource = attrs(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) for (const lr of sl.logRecords ?? []) out.push({ resource, attributes: attrs(lr.attributes) });
  }
  return out;
}

export function metricPoints(docs: any[]): SentPoint[] {
  const out: SentPoint[] = [];
  for (const d of docs) for (const rm of d.resourceMetrics ?? []) {
    const resource = attrs(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
      const kind = (['sum', 'histogram', 'gauge'] as const).find((k) => m[k]);
      if (!kind) continue;
      for (const dp of m[kind].dataPoints ?? []) {
        const base = { name: m.name as string, kind, resource, attributes: attrs(dp.attributes) };
        if (kind === 'histogram') {
          out.push({ ...base, value: Number(dp.sum ?? 0), count: Number(dp.count ?? 0), bounds: (dp.explicitBounds ?? []).map(Number), bucketCounts: (dp.bucketCounts ?? []).map(Number) });
        } else {
          out.push({ ...base, value: Number(dp.asInt ?? dp.asDouble ?? 0) });
        }
      }
    }
  }
  return out;
}

export function spans(docs: any[]): SentSpan[] {
  const out: SentSpan[] = [];
  for (const d of docs) for (const rs of d.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) out.push({ resource, name: s.name, attributes: attrs(s.attributes) });
  }
  return out;
}

export function captureScenarios(): string[] {
  return readdirSync(CODEX_CAPTURES).sort();
}

export function readCapture(scenario: string, signal: Signal): any[] {
  return readOtlpDocs(join(CODEX_CAPTURES, scenario, `${signal}.json`));
}

const TIME_KEYS = ['timeUnixNano', 'observedTimeUnixNano', 'startTimeUnixNano', 'endTimeUnixNano'];

/** Earliest and latest non-zero timestamps of an OTLP/JSON document, in ns. */
function timeSpan(doc: unknown): { earliest: bigint; latest: bigint } {
  let earliest = -1n;
  let latest = 0n;
  const scan = (v: any): void => {
    if (Array.isArray(v)) v.forEach(scan);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
      if (TIME_KEYS.includes(k) && x != null) {
        const t = BigInt(x as string);
        if (t === 0n) continue;
        if (t > latest) latest = t;
        if (earliest < 0n || t < earliest) earliest = t;
      } else scan(x);
    }
  };
  scan(doc);
  return { earliest, latest };
}

/** A deep copy of an OTLP/JSON document with every non-zero timestamp moved by `deltaNs`. */
export function shiftedBy(doc: unknown, deltaNs: bigint): unknown {
  const copy = (v: any): any => {
    if (Array.isArray(v)) return v.map(copy);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, TIME_KEYS.includes(k) && x != null && BigInt(x as string) !== 0n ? String(BigInt(x as string) + deltaNs) : copy(x)]));
    }
    return v;
  };
  return copy(doc);
}

/** End of the last replayed capture: the next one starts after it (see replayCaptures). */
let replayedUntilNs = 0n;

/**
 * Sends every real Codex capture (the given signals) to the collector's OTLP/HTTP JSON endpoint with
 * its times moved so that it ends now, ONE CAPTURE AFTER THE OTHER, as the Codex runs were made.
 * (Their metric streams have the same identity — Codex's resource has no service.instance.id — and
 * the collector adds overlapping deltas too since it restamps them: e2e/delta-sums.)
 * One shift per capture keeps its logs, metrics and spans aligned (durations and order kept; zero
 * timestamps, as on Codex's log records, stay zero; `event.timestamp` is left as Codex wrote it).
 */
export async function replayCaptures(otlpHttp: string, signals: Signal[], scenarios = captureScenarios(), options: { resource?: Record<string, string> } = {}): Promise<Record<Signal, any[]>> {
  const sentDocs: Record<Signal, any[]> = { logs: [], metrics: [], traces: [] };
  for (const scenario of scenarios) {
    const docs = signals.flatMap((signal) => readCapture(scenario, signal).map((doc) => ({ signal, doc })));
    const spans = docs.map(({ doc }) => timeSpan(doc)).filter((x) => x.latest > 0n);
    const earliest = spans.reduce((m, x) => (x.earliest < m ? x.earliest : m), spans[0]!.earliest);
    const latest = spans.reduce((m, x) => (x.latest > m ? x.latest : m), 0n);
    let delta = BigInt(Date.now()) * 1_000_000n - latest;
    if (earliest + delta <= replayedUntilNs) delta = replayedUntilNs + 1_000_000n - earliest;
    for (const { signal, doc } of docs) {
      const moved = withResource(shiftedBy(doc, delta), options.resource ?? {});
      await postOtlpJson(otlpHttp, signal, moved);
      sentDocs[signal].push(moved);
    }
    replayedUntilNs = latest + delta;
  }
  return sentDocs;
}

/** Sets (or adds) string resource attributes on every resource of an OTLP/JSON document. */
function withResource(doc: any, resource: Record<string, string>): any {
  if (!Object.keys(resource).length) return doc;
  for (const k of ['resourceLogs', 'resourceMetrics', 'resourceSpans']) {
    for (const r of doc[k] ?? []) {
      r.resource ??= { attributes: [] };
      const list: any[] = (r.resource.attributes ??= []);
      for (const [key, value] of Object.entries(resource)) {
        const found = list.find((a) => a.key === key);
        if (found) found.value = { stringValue: value };
        else list.push({ key, value: { stringValue: value } });
      }
    }
  }
  return doc;
}

/** Prometheus label name of an OTel attribute key (the collector's translation: non [a-zA-Z0-9_] -> _). */
export const promLabel = (key: string): string => key.replace(/[^a-zA-Z0-9_]/g, '_');

/** Sums `value` of the points of `name` matching `where`, grouped by the given attribute keys. */
export function sumBy(points: SentPoint[], name: string, by: string[], where: (p: SentPoint) => boolean = () => true): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of points) {
    if (p.name !== name || !where(p)) continue;
    const key = JSON.stringify(Object.fromEntries(by.map((k) => [promLabel(k), String(p.attributes[k] ?? '')]).sort(([a], [b]) => ((a ?? "") < (b ?? "") ? -1 : 1))));
    out.set(key, (out.get(key) ?? 0) + p.value);
  }
  return out;
}

/** The distinct bucket layouts (explicit bounds) of the points of `name` matching `where`. */
export function bucketLayouts(points: SentPoint[], name: string, where: (p: SentPoint) => boolean = () => true): string[] {
  return [...new Set(points.filter((p) => p.name === name && p.kind === 'histogram' && where(p)).map((p) => JSON.stringify(p.bounds)))];
}

/** Bucket counts of `name` summed over every point matching `where` (one layout only). */
export function mergedBuckets(points: SentPoint[], name: string, where: (p: SentPoint) => boolean = () => true): { bounds: number[]; counts: number[] } | undefined {
  let merged: { bounds: number[]; counts: number[] } | undefined;
  for (const p of points) {
    if (p.name !== name || p.kind !== 'histogram' || !where(p)) continue;
    if (!merged) merged = { bounds: p.bounds!, counts: p.bucketCounts!.map(() => 0) };
    if (JSON.stringify(merged.bounds) !== JSON.stringify(p.bounds)) throw new Error(`${name}: points with different bucket layouts cannot be merged`);
    p.bucketCounts!.forEach((c, i) => (merged!.counts[i]! += c));
  }
  return merged;
}

/**
 * The bucket [lower, upper] in which the q-quantile of a histogram lies (what histogram_quantile
 * interpolates within; the +Inf bucket gives its lower bound, as Prometheus does).
 */
export function quantileBucket(h: { bounds: number[]; counts: number[] }, q: number): [number, number] {
  const total = h.counts.reduce((a, b) => a + b, 0);
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < h.counts.length; i++) {
    cumulative += h.counts[i]!;
    if (cumulative >= rank && h.counts[i]! > 0) {
      const lower = i === 0 ? 0 : h.bounds[i - 1]!;
      const upper = i < h.bounds.length ? h.bounds[i]! : lower;
      return [Math.min(lower, upper), upper];
    }
  }
  throw new Error('empty histogram');
}

/**
 * Decisions as the collector forwards them: spellings of Codex before mid-2026 rewritten (contract §8). The
 * one table (src/events/decisions.ts); test/unit/events/decisions.test.ts checks the collector's rewrite equals it.
 */
export const OLD_DECISIONS: Readonly<Record<string, string>> = LEGACY_DECISIONS;
export const currentDecision = (d: unknown): string => OLD_DECISIONS[String(d)] ?? String(d);
