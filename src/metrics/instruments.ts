import { CATALOG } from '../events/catalog.js';
import type { AggregatedCounter, AggregatedHistogram, MetricAggregator } from './aggregator.js';

export const METER_NAME = 'codex';
export const DURATION_UNIT = 'ms';
export const DURATION_DESCRIPTION = 'Duration in milliseconds.';
/** The SDK's default explicit buckets, set explicitly so a later SDK default cannot change the wire. */
export const DURATION_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** Instruments beyond the event catalog's pairs (contract §3, "Beyond these"). */
export const TURN_E2E_HISTOGRAM = 'codex.turn.e2e_duration_ms';
export const TURN_TTFT_HISTOGRAM = 'codex.turn.ttft.duration_ms';
export const TOKEN_USAGE_COUNTER = 'codex.turn.token_usage';
/** Self-metrics of this package: records redacted and records dropped. */
export const REDACTIONS_COUNTER = 'codex_otel.redactions';
export const DROPPED_COUNTER = 'codex_otel.dropped_records';

export const COUNTER_NAMES: readonly string[] = [
  ...new Set(Object.values(CATALOG).flatMap((shape) => ('metric' in shape ? [shape.metric.counter] : []))),
  TOKEN_USAGE_COUNTER,
];
export const HISTOGRAM_NAMES: readonly string[] = [
  ...new Set(Object.values(CATALOG).flatMap((shape) => ('metric' in shape && 'histogram' in shape.metric ? [shape.metric.histogram] : []))),
  TURN_E2E_HISTOGRAM,
  TURN_TTFT_HISTOGRAM,
];

export interface Instruments {
  counters: Map<string, AggregatedCounter>;
  histograms: Map<string, AggregatedHistogram>;
  redactions: AggregatedCounter;
  dropped: AggregatedCounter;
}

export function createInstruments(aggregator: MetricAggregator): Instruments {
  const counters = new Map<string, AggregatedCounter>();
  for (const name of COUNTER_NAMES) counters.set(name, aggregator.counter({ name, description: '', unit: '' }));
  const histograms = new Map<string, AggregatedHistogram>();
  for (const name of HISTOGRAM_NAMES) {
    histograms.set(name, aggregator.histogram({ name, description: DURATION_DESCRIPTION, unit: DURATION_UNIT }, DURATION_BUCKETS));
  }
  return {
    counters,
    histograms,
    redactions: aggregator.counter({ name: REDACTIONS_COUNTER, description: 'Secrets replaced by [REDACTED:<kind>] before export.', unit: '' }),
    dropped: aggregator.counter({ name: DROPPED_COUNTER, description: 'Log records dropped: never sent and never spooled.', unit: '' }),
  };
}
