import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { CATALOG } from '../events/catalog.js';

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
  counters: Map<string, Counter>;
  histograms: Map<string, Histogram>;
  redactions: Counter;
  dropped: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  const counters = new Map<string, Counter>();
  for (const name of COUNTER_NAMES) counters.set(name, meter.createCounter(name, { valueType: 1 }));
  const histograms = new Map<string, Histogram>();
  for (const name of HISTOGRAM_NAMES) {
    histograms.set(name, meter.createHistogram(name, {
      unit: DURATION_UNIT,
      description: DURATION_DESCRIPTION,
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }));
  }
  return {
    counters,
    histograms,
    redactions: meter.createCounter(REDACTIONS_COUNTER, { description: 'Secrets replaced by [REDACTED:<kind>] before export.', valueType: 1 }),
    dropped: meter.createCounter(DROPPED_COUNTER, { description: 'Log records dropped because a queue was full.', valueType: 1 }),
  };
}
