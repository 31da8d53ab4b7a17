/**
 * Sending the spool: where it is by default, and a one-shot replay (`codex-otel flush`). The background
 * replay after start is done by DeliveryLogProcessor itself, one batch at a time between live batches.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
export { resolveSpoolConfig, DEFAULT_SPOOL_SUBDIR } from '../../config/spool.js';
import { classifyFailure } from './outcome.js';
import { RetryPolicy } from './retry.js';
import type { Spool } from './spool.js';
import type { DeliveryStats } from './stats.js';

/** Folder of the default spool, beside the config file: `$CODEX_HOME/codex-otel/spool` for the usual one. */
export interface ReplayResult {
  /** Records accepted by the collector (their files removed). */
  sent: number;
  sentBatches: number;
  /** Records of batches that failed this time; they stay in the spool. */
  failed: number;
  failedBatches: number;
  /** Records removed without being sent: undecodable lines, or rejected by the collector as invalid. */
  dropped: number;
  /** What is left in the spool afterwards (including batches held by other live processes). */
  remaining: { files: number; records: number };
}

export interface ReplayOptions {
  stats: DeliveryStats;
  retry?: RetryPolicy;
  /** Stop claiming new batches after this many ms. Default: no limit. */
  timeLimitMs?: number;
  /** Watchdog for one export call; default 30 s. */
  exportTimeoutMs?: number;
}

/**
 * Sends every batch of the spool through `exporter`, oldest first, each claimed atomically (a batch
 * claimed by another process is skipped, never sent twice). Stops at the first batch that still fails
 * after retries: the collector is not taking data, the rest stays for later.
 */
export async function replaySpool(spool: Spool, exporter: LogRecordExporter, options: ReplayOptions): Promise<ReplayResult> {
  const retry = options.retry ?? new RetryPolicy({ budgetMs: 10_000 });
  const stopAt = Date.now() + (options.timeLimitMs ?? Number.POSITIVE_INFINITY);
  const droppedBefore = options.stats.snapshot().dropped.total;
  const result: ReplayResult = { sent: 0, sentBatches: 0, failed: 0, failedBatches: 0, dropped: 0, remaining: { files: 0, records: 0 } };
  const skip = new Set<string>();
  while (Date.now() < stopAt) {
    const batch = spool.claimNext(skip);
    if (!batch) break;
    skip.add(batch.readyName);
    const records = spool.read(batch);
    if (records.length === 0) {
      spool.remove(batch);
      continue;
    }
    let attempts = 0;
    const started = Date.now();
    for (;;) {
      attempts++;
      const outcome = await exportOnce(exporter, records, options.exportTimeoutMs ?? 30_000);
      if (outcome.code === ExportResultCode.SUCCESS) {
        spool.remove(batch);
        result.sent += records.length;
        result.sentBatches++;
        options.stats.exported(records.length, 'spool');
        break;
      }
      const failure = classifyFailure(outcome.error);
      if (failure.rejected) {
        spool.remove(batch);
        options.stats.drop(records.length, 'rejected', failure.what, 'spool');
        break;
      }
      const wait = failure.retryable ? retry.nextDelay(attempts, Date.now() - started, failure.retryAfterMs) : undefined;
      if (wait === undefined || Date.now() + wait > stopAt) {
        spool.release(batch, false);
        result.failed += records.length;
        result.failedBatches++;
        result.dropped = options.stats.snapshot().dropped.total - droppedBefore;
        result.remaining = spool.pending();
        return result;
      }
      options.stats.retried();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  result.dropped = options.stats.snapshot().dropped.total - droppedBefore;
  result.remaining = spool.pending();
  return result;
}

function exportOnce(exporter: LogRecordExporter, records: ReadableLogRecord[], watchdogMs: number): Promise<ExportResult> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ code: ExportResultCode.FAILED, error: new Error('export did not answer') }), watchdogMs);
    try {
      exporter.export(records, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    } catch (error) {
      clearTimeout(timer);
      resolve({ code: ExportResultCode.FAILED, error: error as Error });
    }
  });
}
