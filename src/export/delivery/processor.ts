/**
 * `DeliveryLogProcessor`: the batching log processor of this package, in place of the SDK's
 * BatchLogRecordProcessor, for one exporter.
 *
 * - `onEmit` is O(1), never blocks, never throws: a length check and an array push (the SDK's own cost).
 *   A full queue drops the record and counts it (`queue_full`); nothing is exported from `onEmit`.
 * - One export in flight; a batch leaves the queue when it is full or `scheduledDelayMillis` passed.
 * - A failed export is retried (`RetryPolicy`: backoff with full jitter, Retry-After honoured) within a
 *   time budget; then the batch goes to the spool, and the processor is "degraded": each next batch gets
 *   one attempt, then the spool, so an outage never holds the queue. The first success ends it and
 *   replays the spool in the background.
 * - With a spool, each batch is written ahead (as a claim of this process) before it is exported and
 *   removed once accepted: a process killed with SIGKILL mid-export leaves it for the next run.
 * - `shutdownBy(deadline)` drains until shortly before the deadline, then writes whatever is still queued
 *   or in flight to the spool, synchronously, and returns: the bound holds and nothing that can be
 *   written is lost.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { RecordSizeHint } from '../record-size.js';
import { classifyFailure } from './outcome.js';
import { RetryPolicy } from './retry.js';
import type { ClaimedBatch, Spool } from './spool.js';
import type { DeliveryStats } from './stats.js';

export interface DeliveryProcessorOptions {
  exporter: LogRecordExporter;
  stats: DeliveryStats;
  /** Records held in memory at most; more are dropped and counted. */
  maxQueueSize: number;
  /** Estimated bytes held in memory at most (one tool result weighs as much as hundreds of SSE chunks). */
  maxQueueBytes?: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  /** The exporter's own request timeout; an export that has not called back after this (+1 s) counts as failed. */
  exportTimeoutMillis: number;
  retry?: RetryPolicy;
  /** Where undeliverable batches go; without it they are dropped (`export_failed`) and counted. */
  spool?: Spool;
  /** Send spooled batches of earlier runs in the background after start. Default true when a spool is set. */
  replayOnStart?: boolean;
  /** Label for diagnostics. */
  label?: string;
  /** The pipeline's record-size hint, set by the emitter around each emit. */
  recordSize?: RecordSizeHint;
}

interface Batch {
  records: ReadableLogRecord[];
  /** On disk as a claim of this process: written ahead, or claimed from the spool for replay. */
  file: ClaimedBatch | undefined;
  /** Read back from the spool (so not counted again as spooled when it goes back). */
  replay: boolean;
  attempts: number;
  firstAttemptAt: number;
  /** Set when the batch was handed to the spool at the shutdown bound while its export was in flight. */
  abandonedAs?: string;
}

export class DeliveryLogProcessor implements LogRecordProcessor {
  private readonly recordSize: RecordSizeHint;
  private queue: ReadableLogRecord[] = [];
  /** The estimated size of each queued record, in step with `queue`, and their sum. */
  private sizes: number[] = [];
  private queuedBytes = 0;
  private readonly maxQueueBytes: number;
  private readonly maxQueueSize: number;
  private readonly batchSize: number;
  private readonly delay: number;
  private readonly exporter: LogRecordExporter;
  private readonly stats: DeliveryStats;
  private readonly retry: RetryPolicy;
  private readonly spool: Spool | undefined;
  private readonly watchdogMs: number;
  private readonly label: string;

  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private kick: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** While degraded: when to try one spooled batch again (the collector may be back with no new records). */
  private probeTimer: NodeJS.Timeout | undefined;
  private probeDelay = 0;
  private probing = false;
  /** The batch being exported or waiting for its next attempt: one at a time. */
  private current: Batch | undefined;
  private due = false;
  private degraded = false;
  private pausedUntil = 0;
  private replayWanted = false;
  private readonly replaySkip = new Set<string>();
  private droppedPending = 0;
  /** Records ever queued / taken out of the queue: forceFlush waits until `taken` reaches its mark. */
  private enqueued = 0;
  private taken = 0;
  private flushMarks: Array<{ mark: number; resolve: () => void }> = [];
  private shutdownPromise: Promise<void> | undefined;
  private drainDeadline = Number.POSITIVE_INFINITY;

  constructor(options: DeliveryProcessorOptions) {
    this.exporter = options.exporter;
    this.stats = options.stats;
    this.maxQueueSize = Math.max(1, options.maxQueueSize);
    this.maxQueueBytes = options.maxQueueBytes ?? Number.POSITIVE_INFINITY;
    this.batchSize = Math.max(1, Math.min(options.maxExportBatchSize, this.maxQueueSize));
    this.delay = Math.max(0, options.scheduledDelayMillis);
    this.retry = options.retry ?? new RetryPolicy();
    this.spool = options.spool;
    this.watchdogMs = options.exportTimeoutMillis + 1000;
    this.label = options.label ?? 'logs';
    this.recordSize = options.recordSize ?? new RecordSizeHint();
    if (this.spool && options.replayOnStart !== false) {
      this.replayWanted = true;
      // Never during start-up itself, never keeping the process alive.
      setTimeout(() => this.pump(), 0).unref();
    }
  }

  /** The hot path: no allocation beyond the array slot, no I/O, no throw. */
  onEmit(logRecord: SdkLogRecord): void {
    const size = this.recordSize.read();
    // The pipeline counts records emitted after shutdown began (they never reach a processor).
    if (this.closed) return;
    const queue = this.queue;
    if (queue.length >= this.maxQueueSize || this.queuedBytes + size > this.maxQueueBytes) {
      if (this.droppedPending++ === 0) this.schedule();
      return;
    }
    queue.push(logRecord);
    this.sizes.push(size);
    this.queuedBytes += size;
    this.enqueued++;
    if (queue.length >= this.batchSize) {
      if (this.current === undefined && this.kick === undefined) this.schedule();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.onTimer(), this.delay);
      this.timer.unref();
    }
  }

  /** Resolves when every record queued before the call was exported, spooled or dropped. Never rejects. */
  forceFlush(): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    return new Promise<void>((resolve) => {
      this.flushMarks.push({ mark: this.enqueued, resolve });
      this.due = true;
      this.pump();
    });
  }

  shutdown(): Promise<void> {
    return this.shutdownBy(Number.POSITIVE_INFINITY);
  }

  /**
   * Drains until `deadline` (a `performance.now()` time), then spools what is left, synchronously.
   * Idempotent: later calls get the first call's promise.
   */
  shutdownBy(deadline: number): Promise<void> {
    this.shutdownPromise ??= this.drainThenClose(deadline);
    return this.shutdownPromise;
  }

  /**
   * Writes everything still queued or in flight to the spool now (synchronously) and stops exporting.
   * Called at the shutdown bound; safe to call at any time, more than once.
   */
  abandon(): void {
    this.closed = true;
    this.replayWanted = false;
    this.clearTimers();
    this.reportDrops();
    const current = this.current;
    if (current || this.queue.length > 0) this.abandonedAtBound = true;
    if (current) {
      this.current = undefined;
      current.abandonedAs = this.toSpool(current) ?? '';
    }
    const queue = this.queue;
    this.queue = [];
    this.sizes = [];
    this.queuedBytes = 0;
    this.taken += queue.length;
    for (let start = 0; start < queue.length; start += this.batchSize) {
      const records = queue.slice(start, start + this.batchSize);
      if (this.spool) this.spool.store(records);
      else this.stats.drop(records.length, 'export_failed', 'shutdown bound reached with no spool configured');
    }
    this.settleFlushes(true);
  }

  /** True once `abandon()` had to spool (or drop) records that were not delivered in time. */
  abandonedAtBound = false;

  /** Records waiting in memory (for tests and stats). */
  get queued(): number {
    return this.queue.length;
  }

  private async drainThenClose(deadline: number): Promise<void> {
    this.drainDeadline = deadline;
    this.replayWanted = false;
    this.closed = true; // no new records; what is queued is flushed below
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      this.abandon();
    } else {
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        this.flushMarks.push({ mark: this.enqueued, resolve: () => { clearTimeout(timer); resolve(); } });
        if (Number.isFinite(remaining)) {
          timer = setTimeout(() => {
            this.abandon();
            resolve();
          }, remaining);
        }
        this.due = true;
        this.pump();
      });
      // A replay batch in flight is not waited for by the flush mark: give it back.
      if (this.current) this.abandon();
    }
    this.reportDrops();
    this.clearTimers();
    const left = deadline - performance.now();
    await boundedBy(safeShutdown(this.exporter), left);
  }

  private schedule(): void {
    if (this.kick !== undefined) return;
    this.kick = setImmediate(() => {
      this.kick = undefined;
      this.reportDrops();
      this.pump();
    });
    this.kick.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.due = true;
    this.pump();
  }

  /** Starts the next export if none is in flight: a live batch when due or full, else a spooled one. */
  private pump(): void {
    try {
      while (this.current === undefined) {
        const queue = this.queue;
        const live = queue.length >= this.batchSize || (queue.length > 0 && (this.due || this.flushMarks.length > 0));
        if (live) {
          const records = queue.length <= this.batchSize ? queue : queue.splice(0, this.batchSize);
          if (records === queue) this.queue = [];
          this.releaseBytes(records.length);
          this.taken += records.length;
          if (this.queue.length === 0) this.due = false;
          if (Date.now() < this.pausedUntil && !this.closedPastDeadline()) {
            // The collector asked for a pause longer than the retry budget: straight to the spool.
            this.toSpool({ records, file: undefined, replay: false, attempts: 0, firstAttemptAt: 0 });
            continue;
          }
          this.start({ records, file: this.spool?.writeAhead(records), replay: false, attempts: 0, firstAttemptAt: Date.now() });
          break;
        }
        this.due = false;
        this.settleFlushes(false);
        if (this.replayWanted && !this.closed && (!this.degraded || this.probing) && Date.now() >= this.pausedUntil && this.spool) {
          const file = this.spool.claimNext(this.replaySkip);
          this.probing = false;
          if (!file) {
            this.replayWanted = false;
            continue;
          }
          const records = this.spool.read(file);
          if (records.length === 0) {
            this.spool.remove(file);
            continue;
          }
          this.start({ records, file, replay: true, attempts: 0, firstAttemptAt: Date.now() });
          break;
        }
        if (queue.length > 0 && this.timer === undefined && !this.closed) {
          this.timer = setTimeout(() => this.onTimer(), this.delay);
          this.timer.unref();
        }
        break;
      }
    } catch (error) {
      diag.error(`codex-otel: ${this.label} delivery failed internally`, error);
    }
  }

  private start(batch: Batch): void {
    this.current = batch;
    this.attempt(batch);
  }

  private attempt(batch: Batch): void {
    batch.attempts++;
    let finished = false;
    const watchdog = setTimeout(() => finish({ code: ExportResultCode.FAILED, error: new Error(`export did not answer within ${this.watchdogMs} ms`) }), this.watchdogMs);
    watchdog.unref();
    const finish = (result: ExportResult) => {
      if (finished) return;
      finished = true;
      clearTimeout(watchdog);
      try {
        this.onResult(batch, result);
      } catch (error) {
        diag.error(`codex-otel: ${this.label} delivery failed internally`, error);
      }
    };
    try {
      this.exporter.export(batch.records, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  private onResult(batch: Batch, result: ExportResult): void {
    if (batch.abandonedAs !== undefined) {
      // Handed to the spool at the shutdown bound; the export ended afterwards.
      if (result.code === ExportResultCode.SUCCESS && batch.abandonedAs && this.spool?.discard(batch.abandonedAs)) {
        if (!batch.replay) this.stats.spooled -= batch.records.length;
        this.stats.exported += batch.records.length;
        if (batch.replay) this.stats.replayed += batch.records.length;
      }
      return;
    }
    if (batch !== this.current) return;
    const count = batch.records.length;
    if (result.code === ExportResultCode.SUCCESS) {
      this.stats.exported += count;
      if (batch.replay) this.stats.replayed += count;
      if (batch.file) this.spool?.remove(batch.file);
      this.current = undefined;
      if (this.degraded) {
        this.degraded = false;
        this.probeDelay = 0;
        if (this.probeTimer) clearTimeout(this.probeTimer);
        this.probeTimer = undefined;
        this.replaySkip.clear();
        if (this.spool && !this.closed) this.replayWanted = true;
      }
      this.pump();
      return;
    }
    const failure = classifyFailure(result.error);
    if (failure.rejected) {
      diag.warn(`codex-otel: ${this.label}: the collector rejected ${count} record(s) as invalid (${failure.what}); dropped`);
      if (batch.file) this.spool?.remove(batch.file);
      this.stats.drop(count, 'rejected', failure.what);
      this.current = undefined;
      this.pump();
      return;
    }
    const now = Date.now();
    let wait: number | undefined;
    if (failure.retryable && !this.degraded) {
      wait = this.retry.nextDelay(batch.attempts, now - batch.firstAttemptAt, failure.retryAfterMs);
      if (wait !== undefined && performance.now() + wait >= this.drainDeadline) wait = undefined;
    }
    if (wait !== undefined) {
      this.stats.retries++;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.current === batch) this.attempt(batch);
      }, wait);
      this.retryTimer.unref();
      return;
    }
    if (!this.degraded) diag.warn(`codex-otel: ${this.label}: export failed (${failure.what}) after ${batch.attempts} attempt(s); batches go to the spool until the collector answers`);
    this.degraded = true;
    if (failure.retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + failure.retryAfterMs);
    if (batch.replay) {
      if (batch.file) this.replaySkip.add(batch.file.readyName);
      this.replayWanted = false;
    }
    this.toSpool(batch);
    this.current = undefined;
    this.scheduleProbe();
    this.pump();
  }

  /** Degraded, with a spool: try one spooled batch after a growing, jittered delay. */
  private scheduleProbe(): void {
    if (!this.spool || this.closed || this.probeTimer) return;
    const { initialBackoffMs, maxBackoffMs, random } = this.retry.options;
    this.probeDelay = Math.min(maxBackoffMs, this.probeDelay ? this.probeDelay * 2 : initialBackoffMs);
    const wait = Math.max(this.pausedUntil - Date.now(), this.probeDelay / 2 + random() * (this.probeDelay / 2));
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (!this.degraded || this.closed) return;
      this.probing = true;
      this.replayWanted = true;
      this.replaySkip.clear();
      this.pump();
    }, wait);
    this.probeTimer.unref();
  }

  /** Hands a batch to the spool (or counts it as dropped); returns its ready name when on disk. */
  private toSpool(batch: Batch): string | undefined {
    const spool = this.spool;
    if (batch.file && spool) {
      if (spool.release(batch.file, !batch.replay)) return batch.file.readyName;
      // The claim file vanished or cannot be renamed: write the records again.
    }
    if (spool) return spool.store(batch.records);
    this.stats.drop(batch.records.length, 'export_failed', 'no spool configured');
    return undefined;
  }

  private settleFlushes(all: boolean): void {
    if (this.flushMarks.length === 0) return;
    const pending: typeof this.flushMarks = [];
    for (const entry of this.flushMarks) {
      if (all || (this.taken >= entry.mark && (this.current === undefined || this.current.replay))) entry.resolve();
      else pending.push(entry);
    }
    this.flushMarks = pending;
  }

  private closedPastDeadline(): boolean {
    return performance.now() >= this.drainDeadline;
  }

  /** Forgets the sizes of the `count` oldest records, which just left the queue. */
  private releaseBytes(count: number): void {
    if (count >= this.sizes.length) {
      this.sizes = [];
      this.queuedBytes = 0;
      return;
    }
    for (const size of this.sizes.splice(0, count)) this.queuedBytes -= size;
  }

  private reportDrops(): void {
    const count = this.droppedPending;
    if (count === 0) return;
    this.droppedPending = 0;
    const cap = Number.isFinite(this.maxQueueBytes) ? ` or ${this.maxQueueBytes} bytes` : '';
    this.stats.drop(count, 'queue_full', `queue of ${this.maxQueueSize} records${cap} full`);
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    if (this.kick) clearImmediate(this.kick);
    this.kick = undefined;
  }
}

function safeShutdown(exporter: LogRecordExporter): Promise<void> {
  try {
    return exporter.shutdown().catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}

async function boundedBy(work: Promise<unknown>, ms: number): Promise<void> {
  if (!(ms > 0)) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}
