/**
 * Retries for metric exports: the same policy as logs, within the export interval so a retry never
 * overlaps the next collection.
 *
 * Metrics are not spooled (see docs/delivery.md): they are aggregates of the events, which are spooled;
 * with delta temporality a lost export loses one interval's increments, with cumulative the next export
 * carries them.
 */
import type { AggregationOption, AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { RetryPolicy } from './retry.js';
import { RetryingExporter } from './retrying-exporter.js';
import type { DeliveryStats } from './stats.js';

export class RetryingMetricExporter extends RetryingExporter<ResourceMetrics> implements PushMetricExporter {
  selectAggregationTemporality?: (instrumentType: InstrumentType) => AggregationTemporality;
  selectAggregation?: (instrumentType: InstrumentType) => AggregationOption;

  constructor(inner: PushMetricExporter, retry: RetryPolicy, stats?: DeliveryStats, guardMs?: number) {
    super(inner, retry, stats, guardMs);
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    if (inner.selectAggregation) this.selectAggregation = inner.selectAggregation.bind(inner);
  }
}
