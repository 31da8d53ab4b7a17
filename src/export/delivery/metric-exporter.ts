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
import { RetryPolicy } from './retry.js';
import { sendBatch } from './send.js';
import type { DeliveryStats } from './stats.js';

export class RetryingMetricExporter implements PushMetricExporter {
  /** One per export in progress: aborting stops its retries (shutdown). */
  private readonly aborts = new Set<AbortController>();
  /** Exports not yet answered: `abandon()` answers them so the SDK reader's own (ref'd) timeout timer is cleared. */
  private readonly pending = new Set<(result: ExportResult) => void>();
  selectAggregationTemporality?: (instrumentType: InstrumentType) => AggregationTemporality;
  selectAggregation?: (instrumentType: InstrumentType) => AggregationOption;

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly retry: RetryPolicy,
    private readonly stats?: DeliveryStats,
    /** Longest wait for one attempt's answer (the exporter's own timeout plus a margin). */
    private readonly guardMs = 31_000,
  ) {
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
    const abort = new AbortController();
    this.aborts.add(abort);
    sendBatch(this.inner, metrics, {
      retry: this.retry,
      guardMs: this.guardMs,
      signal: abort.signal,
      ...(this.stats ? { onRetry: () => this.stats!.retried() } : {}),
    }).then((result) => {
      this.aborts.delete(abort);
      done(result.ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: asError(result.error, result.failure.what) });
    }, (error: unknown) => done({ code: ExportResultCode.FAILED, error: asError(error, 'internal error') }));
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  /**
   * At the shutdown bound: answer every export still in flight as failed, so nothing of ours keeps the
   * process alive (the request itself goes on over an unref'd socket and its answer is ignored).
   */
  abandon(): void {
    for (const abort of this.aborts) abort.abort();
    for (const done of [...this.pending]) done({ code: ExportResultCode.FAILED, error: new Error('abandoned at the shutdown bound') });
  }

  shutdown(): Promise<void> {
    for (const abort of this.aborts) abort.abort();
    return this.inner.shutdown();
  }
}

function asError(error: unknown, fallback: string): Error {
  return error instanceof Error ? error : new Error(fallback);
}
