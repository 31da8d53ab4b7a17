/**
 * Retries for metric exports: the same policy as logs (backoff with full jitter, Retry-After honoured,
 * retryable gRPC codes too), within the export interval so a retry never overlaps the next collection.
 *
 * Metrics are not spooled (see docs/delivery.md): they are aggregates of the events, which are spooled;
 * with delta temporality a lost export loses one interval's increments, with cumulative the next export
 * carries them.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { AggregationOption, AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { classifyFailure } from './outcome.js';
import { RetryPolicy } from './retry.js';
import type { DeliveryStats } from './stats.js';

export class RetryingMetricExporter implements PushMetricExporter {
  private closing = false;
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();
  /** Exports not yet answered: `abandon()` answers them so the SDK reader's own (ref'd) timeout timer is cleared. */
  private readonly pending = new Set<(result: ExportResult) => void>();
  selectAggregationTemporality?: (instrumentType: InstrumentType) => AggregationTemporality;
  selectAggregation?: (instrumentType: InstrumentType) => AggregationOption;

  constructor(private readonly inner: PushMetricExporter, private readonly retry: RetryPolicy, private readonly stats?: DeliveryStats) {
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
    if (inner.selectAggregation) this.selectAggregation = inner.selectAggregation.bind(inner);
  }

  export(metrics: ResourceMetrics, callback: (result: ExportResult) => void): void {
    let answered = false;
    const done = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      this.pending.delete(done);
      callback(result);
    };
    this.pending.add(done);
    const started = Date.now();
    let attempts = 0;
    const attempt = () => {
      attempts++;
      try {
        this.inner.export(metrics, (result) => {
          if (result.code === ExportResultCode.SUCCESS || this.closing) return done(result);
          const failure = classifyFailure(result.error);
          const wait = failure.retryable ? this.retry.nextDelay(attempts, Date.now() - started, failure.retryAfterMs) : undefined;
          if (wait === undefined) return done(result);
          this.stats?.retried();
          const timer = setTimeout(() => {
            this.waiting.delete(timer);
            if (this.closing) done(result);
            else attempt();
          }, wait);
          timer.unref();
          this.waiting.set(timer, () => done(result));
        });
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error as Error });
      }
    };
    attempt();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  /**
   * At the shutdown bound: answer every export still in flight as failed, so nothing of ours keeps the
   * process alive (the request itself goes on over an unref'd socket and its answer is ignored).
   */
  abandon(): void {
    this.closing = true;
    for (const done of [...this.pending]) done({ code: ExportResultCode.FAILED, error: new Error('abandoned at the shutdown bound') });
  }

  shutdown(): Promise<void> {
    this.closing = true;
    for (const [timer, giveUp] of this.waiting) {
      clearTimeout(timer);
      giveUp();
    }
    this.waiting.clear();
    return this.inner.shutdown();
  }
}
