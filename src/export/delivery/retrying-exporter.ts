/**
 * An exporter of the SDK's push shape (metrics; spans go through the delivery processor, as log records)
 * put on the one send path: every export goes through `sendBatch` (the retry policy of logs: backoff with
 * full jitter, Retry-After honoured, retryable gRPC codes too) with a guard on each attempt, and at the
 * shutdown bound every export in flight is answered.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { RetryPolicy } from './retry.js';
import { sendBatch, type BatchExporter } from './send.js';
import type { DeliveryStats } from './stats.js';

export interface InnerExporter<Batch> extends BatchExporter<Batch> {
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

export class RetryingExporter<Batch> {
  /** One per export in progress: aborting stops its retries (shutdown). */
  private readonly aborts = new Set<AbortController>();
  /** Exports not yet answered: `abandon()` answers them so the SDK's own (ref'd) timeout timers are cleared. */
  private readonly pending = new Set<(result: ExportResult) => void>();

  constructor(
    protected readonly inner: InnerExporter<Batch>,
    private readonly retry: RetryPolicy,
    private readonly stats?: DeliveryStats,
    /** Longest wait for one attempt's answer (the exporter's own timeout plus a margin). */
    private readonly guardMs = 31_000,
  ) {}

  export(batch: Batch, callback: (result: ExportResult) => void): void {
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
    sendBatch(this.inner, batch, {
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
    return this.inner.forceFlush?.() ?? Promise.resolve();
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
