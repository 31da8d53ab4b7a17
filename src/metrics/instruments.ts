import { CATALOG, type EventShape } from '../events/catalog.js';
import type { AggregatedCounter, AggregatedHistogram, MetricAggregator } from './aggregator.js';

export const METER_NAME = 'codex';
export const DURATION_UNIT = 'ms';
export const DURATION_DESCRIPTION = 'Duration in milliseconds.';
/** Codex's explicit buckets for every millisecond histogram (contract §3). */
export const DURATION_BUCKETS = [
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 3000, 3500, 4000, 4500,
  5000, 6000, 7000, 7500, 8000, 9000, 10000, 12000, 15000, 20000, 30000, 60000, 120000,
];
/** The OpenTelemetry default buckets, which Codex keeps for its histograms without a unit (token usage). */
export const DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** Instruments beyond the event catalog's: recorded per turn, or without a log record. */
export const TURN_E2E_HISTOGRAM = 'codex.turn.e2e_duration_ms';
export const TURN_TTFM_HISTOGRAM = 'codex.turn.ttfm.duration_ms';
export const TURN_COUNT_COUNTER = 'codex.conversation.turn.count';
export const TOKEN_USAGE_HISTOGRAM = 'codex.turn.token_usage';
/** `codex.websocket_event` log records no longer exist in Codex; only these metrics remain. */
export const WEBSOCKET_EVENT_COUNTER = 'codex.websocket.event';
export const WEBSOCKET_EVENT_HISTOGRAM = 'codex.websocket.event.duration_ms';
/** Self-metrics of this package: records redacted and records dropped. */
export const REDACTIONS_COUNTER = 'codex_otel.redactions';
export const DROPPED_COUNTER = 'codex_otel.dropped_records';

export interface InstrumentSpec {
  name: string;
  kind: 'counter' | 'histogram';
  unit: string;
  description: string;
  /** Explicit bucket bounds of a histogram. */
  bounds?: readonly number[];
}

const counter = (name: string): InstrumentSpec => ({ name, kind: 'counter', unit: '', description: '' });
const durationHistogram = (name: string): InstrumentSpec =>
  ({ name, kind: 'histogram', unit: DURATION_UNIT, description: DURATION_DESCRIPTION, bounds: DURATION_BUCKETS });

/** Every Codex instrument this package records, as Codex declares it: the one table of metric shapes. */
export const INSTRUMENTS: readonly InstrumentSpec[] = (() => {
  const specs = new Map<string, InstrumentSpec>();
  for (const shape of Object.values(CATALOG) as EventShape[]) {
    if (shape.metric?.counter) specs.set(shape.metric.counter, counter(shape.metric.counter));
    if (shape.metric?.histogram) specs.set(shape.metric.histogram, durationHistogram(shape.metric.histogram));
  }
  for (const spec of [
    counter(WEBSOCKET_EVENT_COUNTER),
    durationHistogram(WEBSOCKET_EVENT_HISTOGRAM),
    counter(TURN_COUNT_COUNTER),
    durationHistogram(TURN_E2E_HISTOGRAM),
    durationHistogram(TURN_TTFM_HISTOGRAM),
    { name: TOKEN_USAGE_HISTOGRAM, kind: 'histogram', unit: '', description: '', bounds: DEFAULT_BUCKETS } as const,
  ]) specs.set(spec.name, spec);
  return [...specs.values()];
})();

export const COUNTER_NAMES: readonly string[] = INSTRUMENTS.filter((i) => i.kind === 'counter').map((i) => i.name);
export const HISTOGRAM_NAMES: readonly string[] = INSTRUMENTS.filter((i) => i.kind === 'histogram').map((i) => i.name);

export interface Instruments {
  counters: Map<string, AggregatedCounter>;
  histograms: Map<string, AggregatedHistogram>;
  redactions: AggregatedCounter;
  dropped: AggregatedCounter;
}

export function createInstruments(aggregator: MetricAggregator): Instruments {
  const counters = new Map<string, AggregatedCounter>();
  const histograms = new Map<string, AggregatedHistogram>();
  for (const { name, kind, unit, description, bounds } of INSTRUMENTS) {
    if (kind === 'counter') counters.set(name, aggregator.counter({ name, description, unit }));
    else histograms.set(name, aggregator.histogram({ name, description, unit }, bounds ?? DEFAULT_BUCKETS));
  }
  return {
    counters,
    histograms,
    redactions: aggregator.counter({ name: REDACTIONS_COUNTER, description: 'Secrets replaced by [REDACTED:<kind>] before export.', unit: '' }),
    dropped: aggregator.counter({ name: DROPPED_COUNTER, description: 'Log records (signal=logs) and spans (signal=traces) dropped: never sent and never spooled.', unit: '' }),
  };
}
