/**
 * The one send path: one batch, one exporter, with the export-timeout guard, retries (backoff with full
 * jitter, Retry-After honoured), and the classification of every failure. The log processor, the metric
 * exporter, `flush` (spool replay) and `doctor` all send through `sendBatch`; nothing else retries.
 *
 * Generic over the signal: a batch is whatever the exporter takes (log records, ResourceMetrics, spans),
 * and the exporter is any OpenTelemetry exporter (`export(batch, done)`), built by `exporters.ts` with our
 * classifying transport so failures arrive with status and Retry-After. See docs/delivery.md, "Send path".
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { classifyFailure, type FailureClass } from './outcome.js';
import type { RetryPolicy } from './retry.js';

export type Signal = 'logs' | 'metrics' | 'traces';

/** What `sendBatch` needs of an exporter: the `export` of every OpenTelemetry exporter, any signal. */
export interface BatchExporter<Batch> {
  export(batch: Batch, done: (result: ExportResult) => void): void;
}

export interface SendOptions {
  /** When (and whether) to try again; `undefined`: one attempt. */
  retry?: RetryPolicy;
  /**
   * Longest wait for one attempt's answer. The exporters enforce their own request timeout; this guard
   * only covers an exporter that never calls back, so it is that timeout plus a margin.
   */
  guardMs: number;
  /**
   * No retry is started after this `performance.now()` time (the shutdown drain deadline, flush's time
   * limit); a function is read at each failure, so a deadline set meanwhile counts.
   */
  stopAt?: number | (() => number);
  /**
   * Aborting stops retrying: a wait between attempts ends at once with `abandoned` (the shutdown bound).
   * An attempt in flight is left to answer (its late success can still be counted).
   */
  signal?: AbortSignal;
  /** Called before each retry (the ledger's retry count). */
  onRetry?: () => void;
}

export type SendResult =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; failure: FailureClass; error: unknown; abandoned?: boolean };

/** Sends one batch: attempts until success, a failure that retrying cannot fix, the retry budget, or `stopAt`. */
export async function sendBatch<Batch>(exporter: BatchExporter<Batch>, batch: Batch, options: SendOptions): Promise<SendResult> {
  const started = Date.now();
  for (let attempts = 1; ; attempts++) {
    const result = await exportGuarded(exporter, batch, options.guardMs);
    if (result.code === ExportResultCode.SUCCESS) return { ok: true, attempts };
    if (options.signal?.aborted) return { ok: false, attempts, failure: ABANDONED, error: result.error, abandoned: true };
    const failure = classifyFailure(result.error);
    let wait = failure.retryable && options.retry ? options.retry.nextDelay(attempts, Date.now() - started, failure.retryAfterMs) : undefined;
    const stopAt = typeof options.stopAt === 'function' ? options.stopAt() : options.stopAt;
    if (wait !== undefined && stopAt !== undefined && performance.now() + wait >= stopAt) wait = undefined;
    if (wait === undefined) return { ok: false, attempts, failure, error: result.error };
    options.onRetry?.();
    if (!(await sleep(wait, options.signal))) return { ok: false, attempts, failure: ABANDONED, error: result.error, abandoned: true };
  }
}

const ABANDONED: FailureClass = { retryable: true, rejected: false, what: 'abandoned at the shutdown bound' };

/** One attempt, guarded: resolves with the exporter's answer, or a failure when it does not call back. Never rejects. */
export function exportGuarded<Batch>(exporter: BatchExporter<Batch>, batch: Batch, guardMs: number): Promise<ExportResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve(result);
    };
    const guard = setTimeout(() => finish({ code: ExportResultCode.FAILED, error: new Error(`export did not answer within ${guardMs} ms`) }), guardMs);
    guard.unref();
    try {
      exporter.export(batch, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  });
}

/** Resolves true after `ms`, false at once when aborted. The timer never keeps the process alive. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
