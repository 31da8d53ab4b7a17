/**
 * Sending the spool: where it is by default, and a one-shot replay (`codex-otel flush`) of one signal's
 * batches. The background replay after start is done by the delivery processors themselves, one batch at
 * a time between live batches.
 */
import { sendBatch, type BatchExporter } from './send.js';
export { resolveSpoolConfig, DEFAULT_SPOOL_SUBDIR } from '../../config/spool.js';
import type { FailureClass } from './outcome.js';
import { RetryPolicy } from './retry.js';
import type { Spool } from './spool.js';
import type { SignalLedger } from './stats.js';

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
  /** The account of the spool's signal. */
  stats: SignalLedger;
  retry?: RetryPolicy;
  /** Stop claiming new batches after this many ms. Default: no limit. */
  timeLimitMs?: number;
  /** Guard for one export call (the exporter's own timeout plus a margin); default 30 s. */
  exportTimeoutMs?: number;
}

/**
 * Sends every batch of the spool through `exporter`, oldest first, each claimed atomically (a batch
 * claimed by another process is skipped, never sent twice).
 *
 * A batch that fails for a reason of its own never blocks the others: too large is split (down to one
 * record, a single record still too large is dropped as `too_large`), invalid is dropped (`rejected`),
 * undecodable lines are dropped (`spool_corrupt`), any other refusal of that batch alone keeps it in the
 * spool and goes on with the next. A failure of the collector itself (unreachable, overloaded, timing out,
 * refusing our credentials) stops the pass: the rest stays for later.
 */
export async function replaySpool<Item>(spool: Spool<Item>, exporter: BatchExporter<Item[]>, options: ReplayOptions): Promise<ReplayResult> {
  const retry = options.retry ?? new RetryPolicy({ budgetMs: 10_000 });
  const stopAt = performance.now() + (options.timeLimitMs ?? Number.POSITIVE_INFINITY);
  const droppedBefore = options.stats.snapshot().dropped.total;
  const result: ReplayResult = { sent: 0, sentBatches: 0, failed: 0, failedBatches: 0, dropped: 0, remaining: { files: 0, records: 0 } };
  const skip = new Set<string>();
  const send = async (records: Item[]): Promise<Attempt> => {
    const sent = await sendBatch(exporter, records, { retry, guardMs: options.exportTimeoutMs ?? 30_000, stopAt, onRetry: () => options.stats.retried() });
    return sent.ok ? { ok: true } : { ok: false, failure: sent.failure };
  };
  while (performance.now() < stopAt) {
    const batch = spool.claimNext(skip);
    if (!batch) break;
    skip.add(batch.readyName);
    const records = spool.read(batch);
    if (records.length === 0) {
      spool.remove(batch);
      continue;
    }
    const outcome = await deliverSplitting(records, send, options.stats);
    result.sent += outcome.sent;
    if (outcome.sent > 0) result.sentBatches++;
    if (outcome.unsent.length === 0) {
      spool.remove(batch);
      continue;
    }
    // What is left goes back to the spool as it was (or, after a partial success, as a new batch of the rest).
    if (outcome.unsent.length === records.length) spool.release(batch, false);
    else {
      spool.store(outcome.unsent, 'spool');
      spool.remove(batch);
    }
    result.failed += outcome.unsent.length;
    result.failedBatches++;
    if (outcome.collectorDown) break;
  }
  result.dropped = options.stats.snapshot().dropped.total - droppedBefore;
  result.remaining = spool.pending();
  return result;
}

type Attempt = { ok: true } | { ok: false; failure: FailureClass };

interface Delivered<Item> {
  sent: number;
  /** Records not delivered (kept in the spool by the caller). */
  unsent: Item[];
  /** The last failure was the collector's, not the batch's: stop sending for now. */
  collectorDown: boolean;
}

/**
 * Sends records read from the spool; "too large" splits them in halves, oldest first. Counts what it
 * sends and drops in the ledger (as leaving the spool); returns what it could not send.
 */
async function deliverSplitting<Item>(records: Item[], send: (records: Item[]) => Promise<Attempt>, stats: SignalLedger): Promise<Delivered<Item>> {
  const attempt = await send(records);
  if (attempt.ok) {
    stats.exported(records.length, 'spool');
    return { sent: records.length, unsent: [], collectorDown: false };
  }
  const { failure } = attempt;
  if (failure.tooLarge) {
    if (records.length === 1) {
      stats.drop(1, 'too_large', failure.what, 'spool');
      return { sent: 0, unsent: [], collectorDown: false };
    }
    const middle = Math.ceil(records.length / 2);
    const first = await deliverSplitting(records.slice(0, middle), send, stats);
    if (first.collectorDown) return { sent: first.sent, unsent: [...first.unsent, ...records.slice(middle)], collectorDown: true };
    const second = await deliverSplitting(records.slice(middle), send, stats);
    return { sent: first.sent + second.sent, unsent: [...first.unsent, ...second.unsent], collectorDown: second.collectorDown };
  }
  if (failure.rejected) {
    stats.drop(records.length, 'rejected', failure.what, 'spool');
    return { sent: 0, unsent: [], collectorDown: false };
  }
  return { sent: 0, unsent: records, collectorDown: isCollectorFailure(failure) };
}

/**
 * Failures that say nothing about this batch: the collector is unreachable, overloaded or timing out
 * (retryable), or refuses our credentials or path (HTTP 401/403/404, gRPC UNAUTHENTICATED, PERMISSION_DENIED,
 * UNIMPLEMENTED): every other batch would fail the same way.
 */
function isCollectorFailure(failure: FailureClass): boolean {
  if (failure.retryable) return true;
  return /^(HTTP (401|403|404|407)|gRPC (UNAUTHENTICATED|PERMISSION_DENIED|UNIMPLEMENTED|NOT_FOUND))$/.test(failure.what) || !/^(HTTP|gRPC) /.test(failure.what);
}
