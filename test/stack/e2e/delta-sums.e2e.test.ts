/**
 * Delta metrics from several processes that share one stream identity add up in Prometheus.
 *
 * Codex 0.169.0 (and this library by default) exports DELTA temporality with no
 * `service.instance.id`, so the same counter of two Codex processes is one stream for the
 * collector's delta_to_cumulative, which drops a point whose start time is older than the stream's
 * (ErrOlderStart) or whose time is not after the stream's last time (ErrOutOfOrder). The collector
 * restamps delta points in the metrics pipeline (collector/README.md, "delta_to_cumulative"); this
 * file proves on the real collector and Prometheus that every point is added:
 *
 * - the real Codex captures of every scenario, each sent as three processes whose delta intervals
 *   overlap (one earlier and starting earlier, one with the very same timestamps), and two
 *   `codex-otel simulate` runs at the same time, all POSTed concurrently;
 * - each translated counter, and each histogram's count and sum (every instrument sent, the
 *   contract's and the other ~60 that Codex 0.169 exports), equals in Prometheus the sum of the
 *   delta points sent for that series; delta_to_cumulative's own telemetry counts no drop;
 * - cumulative inputs are left as sent (the latest point wins, an older one is ignored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { telemetrySamples } from '../support/collector-telemetry.js';
import { INSTRUMENTS, prometheusBaseName, type Instrument } from '../support/contract.js';
import { eventually, postOtlpJson, promQuery, simulate, startNativeStack, type NativeStack } from '../support/native-stack.js';
import { captureScenarios, metricPoints, promLabel, readCapture, readOtlpDocs, shiftedBy, type SentPoint } from '../support/otlp-json.js';

const ENV = 'e2e-delta-sums';
const SECOND_NS = 1_000_000_000n;

let stack: NativeStack;
let lokiStandIn: OtlpReceiver;
let tempoStandIn: OtlpReceiver;
const outDirs: string[] = [];
/** Every delta point sent (captures as posted, simulate runs as written to their --out files). */
let sent: SentPoint[] = [];
let deltaPointsSent = 0;

/** Latest non-zero metric timestamp of an OTLP/JSON metrics document, in ns. */
function latestTime(doc: any): bigint {
  let latest = 0n;
  for (const rm of doc.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
    for (const k of ['sum', 'histogram', 'gauge']) for (const dp of m[k]?.dataPoints ?? []) {
      const t = BigInt(dp.timeUnixNano ?? 0);
      if (t > latest) latest = t;
    }
  }
  return latest;
}

/** The document as another process would have sent it: moved in time, `env` set to this file's. */
function asProcess(doc: any, endsAtNs: bigint): any {
  const moved = shiftedBy(doc, endsAtNs - latestTime(doc)) as any;
  for (const rm of moved.resourceMetrics ?? []) {
    const list: any[] = (rm.resource ??= { attributes: [] }).attributes ??= [];
    const env = list.find((a) => a.key === 'env');
    if (env) env.value = { stringValue: ENV };
    else list.push({ key: 'env', value: { stringValue: ENV } });
  }
  return moved;
}

function countDeltaPoints(docs: any[]): number {
  let n = 0;
  for (const d of docs) for (const rm of d.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
    for (const k of ['sum', 'histogram', 'exponentialHistogram']) {
      if (m[k] && (m[k].aggregationTemporality === 1 || m[k].aggregationTemporality === 'AGGREGATION_TEMPORALITY_DELTA')) n += m[k].dataPoints?.length ?? 0;
    }
  }
  return n;
}

/** delta_to_cumulative's own counter (collector telemetry): points by `error` ('' = added). */
async function deltaToCumulativePoints(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await telemetrySamples(stack.endpoints.collectorTelemetry!, 'otelcol_deltatocumulative_datapoints_total')) {
    const error = s.labels.error ?? '';
    out.set(error, (out.get(error) ?? 0) + s.value);
  }
  return out;
}

beforeAll(async () => {
  lokiStandIn = await startOtlpReceiver();
  tempoStandIn = await startOtlpReceiver();
  stack = await startNativeStack({ env: { collector: { LOKI_OTLP_ENDPOINT: lokiStandIn.httpUrl, TEMPO_OTLP_GRPC_ENDPOINT: new URL(tempoStandIn.grpcUrl).host } } });

  // Three processes per capture: A ends now, B ten seconds earlier (so it also STARTS earlier:
  // an older start for the stream), C at exactly A's timestamps (not after the stream's last time).
  const now = BigInt(Date.now()) * 1_000_000n;
  const docs: any[] = [];
  for (const scenario of captureScenarios()) {
    for (const doc of readCapture(scenario, 'metrics')) {
      docs.push(asProcess(doc, now), asProcess(doc, now - 10n * SECOND_NS), asProcess(doc, now));
    }
  }
  // Two library processes at the same time, and every capture process, all in flight at once.
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'codex-otel-delta-sums-')));
  outDirs.push(...dirs);
  await Promise.all([
    ...docs.map((doc) => postOtlpJson(stack.endpoints.otlpHttp!, 'metrics', doc)),
    ...dirs.map((dir, i) => simulate(stack.endpoints.otlpHttp!, ['-n', '3', '--seed', String(41 + i), '--out', dir])),
  ]);
  const libraryDocs = dirs.flatMap((dir) => readOtlpDocs(join(dir, 'metrics.jsonl')));
  sent = [...metricPoints(docs), ...metricPoints(libraryDocs)];
  sentInstruments = instrumentsOf([...docs, ...libraryDocs]);
  deltaPointsSent = countDeltaPoints(docs) + countDeltaPoints(libraryDocs);
  expect(deltaPointsSent).toBeGreaterThan(1000);

  // Every point sent has been through delta_to_cumulative (added or dropped).
  await eventually(async () => {
    const points = [...(await deltaToCumulativePoints()).values()].reduce((a, b) => a + b, 0);
    return points >= deltaPointsSent;
  }, `delta_to_cumulative to process ${deltaPointsSent} points`, 120_000);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await lokiStandIn?.close();
  await tempoStandIn?.close();
  for (const d of outDirs) rmSync(d, { recursive: true, force: true });
});

/** Prometheus labels of a sent point: its attributes, `job` = service.name, `deployment_environment` = env (collector). */
function seriesKey(p: SentPoint): string {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.attributes)) if (v !== undefined) labels[promLabel(k)] = String(v);
  labels.job = String(p.resource['service.name']);
  if (p.resource.env !== undefined) labels.deployment_environment = String(p.resource.env);
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort()));
}

const SCRAPE_LABELS = new Set(['__name__', 'instance', 'otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url']);
function promKey(metric: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(metric).filter(([k]) => !SCRAPE_LABELS.has(k) && !k.startsWith('otel_scope_')).sort()));
}

/** Expected Prometheus values of one series name: sum over the points sent, per label set. */
function expected(instrument: Instrument, field: 'value' | 'count'): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of sent) {
    if (p.name !== instrument.name || p.kind !== (instrument.kind === 'counter' ? 'sum' : 'histogram')) continue;
    const key = seriesKey(p);
    out.set(key, (out.get(key) ?? 0) + (field === 'count' ? p.count! : p.value));
  }
  return out;
}

async function actual(series: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of await promQuery(stack.endpoints.prometheus!, series)) {
    const key = promKey(r.metric);
    out.set(key, (out.get(key) ?? 0) + r.value);
  }
  return out;
}

/** Every counter and histogram sent (the contract's and the others Codex exports), by name. */
let sentInstruments: Instrument[] = [];
function instrumentsOf(docs: any[]): Instrument[] {
  const out = new Map<string, Instrument>();
  for (const d of docs) for (const rm of d.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) {
    const kind = m.histogram ? 'histogram' : m.sum?.isMonotonic ? 'counter' : undefined;
    if (kind) out.set(m.name, { name: m.name, kind, unit: m.unit || undefined });
  }
  return [...out.values()];
}

/** Every instrument that was sent, with the series names and expected values to check. */
function checks(): Array<{ series: string; want: Map<string, number>; exact: boolean }> {
  const out: Array<{ series: string; want: Map<string, number>; exact: boolean }> = [];
  for (const instrument of sentInstruments) {
    const base = prometheusBaseName(instrument);
    if (instrument.kind === 'counter') out.push({ series: base, want: expected(instrument, 'value'), exact: true });
    else {
      out.push({ series: `${base}_count`, want: expected(instrument, 'count'), exact: true });
      out.push({ series: `${base}_sum`, want: expected(instrument, 'value'), exact: false });
    }
  }
  return out.filter((c) => c.want.size > 0);
}

function differences(want: Map<string, number>, got: Map<string, number>, exact: boolean): string[] {
  const problems: string[] = [];
  for (const [key, value] of want) {
    const found = got.get(key);
    const same = found !== undefined && (exact ? found === value : Math.abs(found - value) <= 1e-9 * Math.max(1, Math.abs(value)));
    if (!same) problems.push(`${key}: sent ${value}, Prometheus ${found}`);
  }
  for (const key of got.keys()) if (!want.has(key)) problems.push(`${key}: in Prometheus, never sent`);
  return problems;
}

describe('delta metrics of several processes with one stream identity', () => {
  it('sent overlapping, concurrent deltas of every capture scenario and two library runs', () => {
    expect(captureScenarios().length).toBeGreaterThanOrEqual(8);
    // Streams really are shared: the same (metric, attributes, service) comes from several processes.
    const perStream = new Map<string, number>();
    for (const p of sent) perStream.set(`${p.name} ${seriesKey(p)}`, (perStream.get(`${p.name} ${seriesKey(p)}`) ?? 0) + 1);
    expect(Math.max(...perStream.values())).toBeGreaterThanOrEqual(6);
    // Every instrument of the contract that these senders export is among those checked.
    const checked = new Set(sentInstruments.map((i) => i.name));
    expect(INSTRUMENTS.filter((i) => checked.has(i.name)).length).toBeGreaterThanOrEqual(10);
  });

  it('Prometheus has, for every translated counter and histogram count/sum, exactly the sum of the delta points sent', async () => {
    const all = checks();
    let problems: string[] = [];
    await eventually(async () => {
      problems = [];
      for (const c of all) problems.push(...differences(c.want, await actual(c.series), c.exact).map((p) => `${c.series} ${p}`));
      return problems.length === 0;
    }, 'Prometheus to equal the sums sent', 90_000).catch(() => undefined);
    expect(problems).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(100);
  });

  it('delta_to_cumulative dropped no point (its own telemetry: no ErrOutOfOrder, no ErrOlderStart, no limit)', async () => {
    const points = await deltaToCumulativePoints();
    const dropped = Object.fromEntries([...points].filter(([error, n]) => error !== '' && n > 0));
    expect(dropped).toEqual({});
    expect(points.get('') ?? 0).toBeGreaterThanOrEqual(deltaPointsSent);
  });

  it('the alert on dropped delta points (CodexCollectorDroppingMetricPoints) is evaluated and quiet', async () => {
    type Rule = { name: string; health: string; lastEvaluation: string; alerts: unknown[] };
    // Prometheus has scraped the collector's telemetry after every point was handled ...
    const handledMs = Date.now();
    await eventually(async () => {
      const up = await promQuery(stack.endpoints.prometheus!, 'timestamp(otelcol_deltatocumulative_datapoints_total)');
      return up.length > 0 && up.every((r) => r.value * 1000 > handledMs);
    }, 'a scrape of the telemetry after the sends', 60_000);
    const scrapedMs = Date.now();
    // ... and evaluated the rule on it.
    const rule = await eventually(async () => {
      const json = (await (await fetch(`${stack.endpoints.prometheus}/api/v1/rules?type=alert`)).json()) as { data: { groups: Array<{ rules: Rule[] }> } };
      const r = json.data.groups.flatMap((g) => g.rules).find((x) => x.name === 'CodexCollectorDroppingMetricPoints');
      return r && r.health === 'ok' && Date.parse(r.lastEvaluation) > scrapedMs ? r : undefined;
    }, 'the rule evaluated after that scrape', 60_000);
    expect(rule.alerts).toEqual([]);
  });
});

describe('cumulative inputs', () => {
  const sum = (name: string, temporality: 1 | 2, value: number, timeMs: number) => ({
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'e2e-cumulative' } }, { key: 'env', value: { stringValue: ENV } }] },
      scopeMetrics: [{ scope: { name: 'e2e' }, metrics: [{
        name, sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: [{
          startTimeUnixNano: `${timeMs - 60_000}000000`, timeUnixNano: `${timeMs}000000`, asInt: String(value),
        }] },
      }] }],
    }],
  });

  it('are passed as sent: the latest point is the value, an older one is ignored, nothing is added up', async () => {
    const t = Date.now();
    const otlp = stack.endpoints.otlpHttp!;
    await postOtlpJson(otlp, 'metrics', sum('codex_otel.e2e.cumulative', 2, 3, t - 2000));
    await postOtlpJson(otlp, 'metrics', sum('codex_otel.e2e.cumulative', 2, 7, t - 1000));
    await postOtlpJson(otlp, 'metrics', sum('codex_otel.e2e.cumulative', 2, 5, t - 3000));
    // A delta point posted after them: the metrics pipeline handles requests in arrival order
    // (batch/serialize_deltas has one goroutine), so once the marker is in Prometheus the three are too.
    await postOtlpJson(otlp, 'metrics', sum('codex_otel.e2e.marker', 1, 1, t));
    await eventually(async () => (await promQuery(stack.endpoints.prometheus!, 'codex_otel_e2e_marker_total'))[0]?.value === 1, 'the marker in Prometheus', 60_000);
    // 7 from the second post; had the collector restamped cumulative points the last post (5) would
    // be the value, and had it added them up, 15.
    const found = await promQuery(stack.endpoints.prometheus!, `codex_otel_e2e_cumulative_total{deployment_environment="${ENV}"}`);
    expect(found.map((r) => r.value)).toEqual([7]);
  });
});
