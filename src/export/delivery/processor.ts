/**
 * `DeliveryProcessor`: the batching processor of this package for one exporter of one signal, in place of
 * the SDK's BatchLogRecordProcessor (`DeliveryLogProcessor`) and BatchSpanProcessor (`DeliverySpanProcessor`):
 * log records and spans get the same queue, send path, write-ahead spool, replay and shutdown bound. It
 * orchestrates pieces that each read on their own:
 *
 * - queue and batching: `RecordQueue` (records and their estimated sizes, capped; batches cut by records
 *   and estimated bytes);
 * - sending: `sendBatch` (send.ts), the one send path: guard, retries, Retry-After, classification;
 * - the spool and the ledger: `BatchStore` (write-ahead, delivered, dropped, split, handed to the spool);
 * - replay: `ReplayScheduler` (when spooled batches are sent: after start, after an outage, probes);
 * - shutdown: `shutdownBy` / `abandon` below (drain until the deadline, then spool what is left).
 *
 * `onEmit` is O(1), never blocks, never throws: a length check and an array push (the SDK's own cost); a
 * full queue drops the record and counts it (`queue_full`). One export in flight; a batch leaves the
 * queue when it is full or `scheduledDelayMillis` passed. A batch that fails for good goes to the spool and
 * the processor is "degraded": each next batch gets one attempt, then the spool, so an outage never holds
 * the queue; the first success ends it and replays the spool in the background. With a spool, each batch
 * is written ahead before it is sent and removed once accepted, so a process killed mid-export leaves it
 * for the next run; `shutdownBy(deadline)` drains until the deadline, then writes whatever is still
 * queued or in flight to the spool, synchronously, and returns.
 */
import { diag, TraceFlags, type Context } from '@opentelemetry/api';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RecordSizeHint } from '../record-size.js';
import { settleRecords } from '../../redact/deferred.js';
import { BatchStore, type Batch } from './batch-store.js';
import { RecordQueue } from './record-queue.js';
import { ReplayScheduler } from './replay-scheduler.js';
import { RetryPolicy } from './retry.js';
import { sendBatch, type BatchExporter, type SendResult } from './send.js';
import type { Spool } from './spool.js';
import type { SignalLedger } from './stats.js';

/** What a delivery processor needs of an exporter (any signal): `export` and `shutdown`. */
export interface DeliveryExporter<Item> extends BatchExporter<Item[]> {
  shutdown(): Promise<void>;
}

export interface DeliveryProcessorOptions<Item = ReadableLogRecord> {
  exporter: DeliveryExporter<Item>;
  /** The account of this processor's signal in the pipeline's ledger. */
  stats: SignalLedger;
  /** Records held in memory at most; more are dropped and counted. */
  maxQueueSize: number;
  /** Estimated bytes held in memory at most (one tool result weighs as much as hundreds of SSE chunks). */
  maxQueueBytes?: number;
  maxExportBatchSize: number;
  /**
   * Estimated bytes per batch at most (records are sized as they are emitted), so a request stays under
   * the body limits of proxies and collectors (commonly 1 MiB); a batch answered "too large" anyway is
   * split. Default 512 KiB.
   */
  maxBatchBytes?: number;
  scheduledDelayMillis: number;
  /** The exporter's own request timeout; an export that has not called back after this (+1 s) counts as failed. */
  exportTimeoutMillis: number;
  retry?: RetryPolicy;
  /** Where undeliverable batches go (this signal's view of the spool); without it they are dropped (`export_failed`) and counted. */
  spool?: Spool<Item>;
  /** Send spooled batches of earlier runs in the background after start. Default true when a spool is set. */
  replayOnStart?: boolean;
  /** Label for diagnostics. */
  label?: string;
  /**
   * Scrubs what the emitter deferred, in place, when a batch leaves the queue: before the spool, a file or
   * the network sees it. Default: the deferred fields of log records (`settleRecords`); the span processor
   * has no default (a span has no deferred fields, so without its scrubber it would leave raw).
   */
  settle?: (items: Item[]) => void;
  /** The pipeline's record-size hint, set by the emitter around each emit (log records). */
  recordSize?: RecordSizeHint;
}

/** Below the common 1 MiB request limit of proxies, with room for the OTLP encoding around the records. */
export const DEFAULT_MAX_BATCH_BYTES = 512 * 1024;

export class DeliveryProcessor<Item extends { readonly attributes: object }> {
  private readonly queue: RecordQueue<Item>;
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly delay: number;
  private readonly exporter: DeliveryExporter<Item>;
  private readonly stats: SignalLedger;
  private readonly retry: RetryPolicy;
  private readonly store: BatchStore<Item>;
  private readonly replay: ReplayScheduler;
  private readonly guardMs: number;
  private readonly label: string;
  private readonly settle: (items: Item[]) => void;

  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private kick: NodeJS.Immediate | undefined;
  /** The batch being sent (retries included): one at a time. */
  private current: Batch<Item> | undefined;
  /** Halves of a batch answered "too large", sent before anything else (oldest first). */
  private splits: Array<Batch<Item>> = [];
  private due = false;
  private droppedPending = 0;
  /** Records ever queued / taken out of the queue: forceFlush waits until `taken` reaches its mark. */
  private enqueued = 0;
  private taken = 0;
  private flushMarks: Array<{ mark: number; resolve: () => void }> = [];
  private shutdownPromise: Promise<void> | undefined;
  private drainDeadline = Number.POSITIVE_INFINITY;

  constructor(options: DeliveryProcessorOptions<Item>) {
    this.exporter = options.exporter;
    this.stats = options.stats;
    const maxQueueSize = Math.max(1, options.maxQueueSize);
    this.queue = new RecordQueue(maxQueueSize, options.maxQueueBytes ?? Number.POSITIVE_INFINITY);
    this.batchSize = Math.max(1, Math.min(options.maxExportBatchSize, maxQueueSize));
    this.maxBatchBytes = Math.max(1, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
    this.delay = Math.max(0, options.scheduledDelayMillis);
    this.retry = options.retry ?? new RetryPolicy();
    this.guardMs = options.exportTimeoutMillis + 1000;
    this.label = options.label ?? 'logs';
    this.settle = options.settle ?? (settleRecords as (items: Item[]) => void);
    this.store = new BatchStore(this.stats, options.spool, this.label);
    this.replay = new ReplayScheduler(this.retry, () => this.pump());
    if (options.spool && options.replayOnStart !== false) {
      this.replay.want();
      // Never during start-up itself, never keeping the process alive.
      setTimeout(() => this.pump(), 0).unref();
    }
  }

  /** The hot path: no allocation beyond the array slot, no I/O, no throw. `size` is the item's estimated bytes. */
  protected accept(item: Item, size: number): void {
    this.stats.emitted(1);
    if (this.closed) {
      // The pipeline stops records emitted after its shutdown began before they get here; this is a processor shut down on its own.
      this.stats.drop(1, 'after_shutdown', 'emitted after the processor shut down');
      return;
    }
    if (!this.queue.tryPush(item, size)) {
      if (this.droppedPending++ === 0) this.schedule();
      return;
    }
    this.enqueued++;
    if (this.queue.length >= this.batchSize || this.queue.bytes >= this.maxBatchBytes) {
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
    this.replay.stop();
    this.clearTimers();
    this.reportDrops();
    const current = this.current;
    if (current || this.queue.length > 0) this.abandonedAtBound = true;
    if (current) {
      this.current = undefined;
      current.abandonedAs = this.store.park(current) ?? '';
      current.abort?.abort();
    }
    const splits = this.splits;
    this.splits = [];
    for (const part of splits) this.store.park(part);
    const queued = this.queue.takeAll();
    // Records that go to the spool are scrubbed first (without a spool they are dropped: nothing to scrub).
    if (this.store.spool) this.settle(queued);
    this.taken += queued.length;
    this.store.parkQueued(queued, this.batchSize);
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
    this.replay.stop();
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

  /** Starts the next send if none is in flight: a split half, a live batch when due or full, else a spooled one. */
  private pump(): void {
    try {
      while (this.current === undefined) {
        const part = this.splits.shift();
        if (part) {
          this.start(part);
          break;
        }
        const queue = this.queue;
        const live = queue.length >= this.batchSize || queue.bytes >= this.maxBatchBytes || (queue.length > 0 && (this.due || this.flushMarks.length > 0));
        if (live) {
          const records = queue.take(this.batchSize, this.maxBatchBytes);
          // Scrubbing deferred by the emitter happens here, before the spool, a file or the network sees them.
          this.settle(records);
          this.taken += records.length;
          if (queue.length === 0) this.due = false;
          if (this.replay.paused() && performance.now() < this.drainDeadline) {
            // The collector asked for a pause longer than the retry budget: straight to the spool.
            this.store.park({ records, file: undefined, replay: false });
            continue;
          }
          this.start(this.store.fresh(records));
          break;
        }
        this.due = false;
        this.settleFlushes(false);
        if (!this.closed && this.store.spool && this.replay.mayReplay()) {
          const batch = this.store.claim(this.replay.skip);
          this.replay.claimed();
          if (!batch) {
            this.replay.nothingLeft();
            continue;
          }
          this.start(batch);
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

  /** Sends the batch through the one send path: retries unless degraded (then one attempt, then the spool). */
  private start(batch: Batch<Item>): void {
    this.current = batch;
    batch.abort = new AbortController();
    sendBatch(this.exporter, batch.records, {
      ...(this.replay.degraded ? {} : { retry: this.retry }),
      guardMs: this.guardMs,
      stopAt: () => this.drainDeadline,
      signal: batch.abort.signal,
      onRetry: () => this.stats.retried(),
    }).then((result) => this.onResult(batch, result)).catch((error: unknown) => {
      diag.error(`codex-otel: ${this.label} delivery failed internally`, error);
    });
  }

  private onResult(batch: Batch<Item>, result: SendResult): void {
    if (batch.abandonedAs !== undefined) {
      // Handed to the spool at the shutdown bound; the export ended afterwards.
      if (result.ok) this.store.deliveredLate(batch);
      return;
    }
    if (batch !== this.current) return;
    this.current = undefined;
    if (result.ok) {
      this.store.delivered(batch);
      this.replay.succeeded(this.store.spool !== undefined && !this.closed);
    } else if (result.failure.tooLarge) {
      this.splits.unshift(...this.store.split(batch, result.failure.what));
    } else if (result.failure.rejected) {
      diag.warn(`codex-otel: ${this.label}: the collector rejected ${batch.records.length} record(s) as invalid (${result.failure.what}); dropped`);
      this.store.dropped(batch, 'rejected', result.failure.what);
    } else {
      if (!this.replay.degraded) diag.warn(`codex-otel: ${this.label}: export failed (${result.failure.what}) after ${result.attempts} attempt(s); batches go to the spool until the collector answers`);
      this.replay.gaveUp(batch.replay ? batch.file?.readyName : undefined, result.failure.retryAfterMs, this.store.spool !== undefined && !this.closed);
      this.store.park(batch);
    }
    this.pump();
  }

  private settleFlushes(all: boolean): void {
    if (this.flushMarks.length === 0) return;
    const pending: typeof this.flushMarks = [];
    for (const entry of this.flushMarks) {
      const liveInFlight = (this.current !== undefined && !this.current.replay) || this.splits.some((part) => !part.replay);
      if (all || (this.taken >= entry.mark && !liveInFlight)) entry.resolve();
      else pending.push(entry);
    }
    this.flushMarks = pending;
  }

  private reportDrops(): void {
    const count = this.droppedPending;
    if (count === 0) return;
    this.droppedPending = 0;
    const cap = Number.isFinite(this.queue.maxBytes) ? ` or ${this.queue.maxBytes} bytes` : '';
    this.stats.drop(count, 'queue_full', `queue of ${this.queue.maxRecords} records${cap} full`);
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.kick) clearImmediate(this.kick);
    this.kick = undefined;
  }
}

/** Log records: the SDK's log processor interface over the delivery processor. */
export class DeliveryLogProcessor extends DeliveryProcessor<ReadableLogRecord> implements LogRecordProcessor {
  private readonly recordSize: RecordSizeHint;

  constructor(options: Omit<DeliveryProcessorOptions<ReadableLogRecord>, 'exporter'> & { exporter: LogRecordExporter }) {
    super(options);
    this.recordSize = options.recordSize ?? new RecordSizeHint();
  }

  onEmit(logRecord: SdkLogRecord): void {
    this.accept(logRecord, this.recordSize.read());
  }
}

/**
 * Spans: the SDK's span processor interface over the delivery processor. An ended span is queued as it is
 * (the SDK's BatchSpanProcessor does the same); like it, only sampled spans are exported. Spans are not
 * sized: their batches are cut by count. `settle` is required: it is the spans' scrubber (span-scrub.ts).
 */
export class DeliverySpanProcessor extends DeliveryProcessor<ReadableSpan> implements SpanProcessor {
  constructor(options: Omit<DeliveryProcessorOptions<ReadableSpan>, 'exporter' | 'recordSize' | 'settle'> & { exporter: SpanExporter; settle: (spans: ReadableSpan[]) => void }) {
    super(options);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.accept(span, 0);
  }
}

function safeShutdown(exporter: DeliveryExporter<unknown>): Promise<void> {
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
