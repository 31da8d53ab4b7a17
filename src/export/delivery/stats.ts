/**
 * The delivery ledger: where every log record and every span handed to a delivery processor is now. One
 * ledger per pipeline with one account per spooled signal (`DeliveryStats` is the log records' account and
 * holds the spans' in `spans`); every processor, the spool, replay and `flush` move items in it, and nothing
 * else counts. The words below say "record"; for the spans' account read "span".
 *
 * A record is in exactly one place: in memory (queued or being sent), in the spool, exported, or
 * dropped (with a reason). Every method below is a move between two places, so the invariant
 *
 *     emitted = exported + pendingInSpool + dropped.total + inMemory
 *
 * holds after every call, and `inMemory` is 0 once the pipeline has shut down. `pendingInSpool` is this
 * ledger's net effect on the spool (written minus taken out); it is negative for a process that sent
 * batches of earlier runs. Summed over every process sharing a spool it equals the records in the
 * spool (`Spool.pending()`), which is the cross-process form of the same invariant.
 *
 * A batch written ahead of its export (the crash-safety copy on disk) stays "in memory" until the
 * export ends: it counts as spooled only when it is released to the spool after a failure.
 */

/** Why records were dropped (never sent, and not in the spool). */
export type DropReason =
  /** The in-memory queue was full when the record was emitted. */
  | 'queue_full'
  /** The spool could not hold the batch: over its size cap (the oldest batches are evicted), or the disk is full. */
  | 'spool_full'
  /** The spool folder could not be written (missing, read-only, not a folder). */
  | 'spool_unwritable'
  /** The collector rejected the batch as invalid (HTTP 400, gRPC INVALID_ARGUMENT): resending cannot help. */
  | 'rejected'
  /** One record is larger than the collector accepts (HTTP 413, gRPC RESOURCE_EXHAUSTED) even alone. */
  | 'too_large'
  /** A spooled line could not be decoded (a partial write by a killed process). */
  | 'spool_corrupt'
  /** No spool is configured and the export failed for good. */
  | 'export_failed'
  /** Emitted after shutdown had begun: nothing can send it any more. */
  | 'after_shutdown';

export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'spool_full', 'spool_unwritable', 'rejected', 'too_large', 'spool_corrupt', 'export_failed', 'after_shutdown'];

/** Where the records of a batch are when they move: in memory (never spooled yet) or in the spool. */
export type Origin = 'memory' | 'spool';

/** One account's counts (log records, or spans). */
export interface LedgerSnapshot {
  /** Records handed to the delivery processors (one count per processor a record reaches), plus late ones. */
  emitted: number;
  /** Records accepted by a collector or file (first try, retry or replay). */
  exported: number;
  /** Records this process wrote to the spool (batches that failed for now, or pending at the shutdown bound). */
  spooled: number;
  /** Records read back from the spool and accepted (part of `exported`). */
  replayed: number;
  /** This process's net effect on the spool: `spooled` minus what it took out (replayed, or dropped from it). */
  pendingInSpool: number;
  /** Records still queued or being sent (0 after shutdown). */
  inMemory: number;
  /** Export attempts that were retried (one per retry, not per record). */
  retries: number;
  /** Records dropped, by reason. `total` is their sum. */
  dropped: Record<DropReason, number> & { total: number };
}

/** The log records' account, and the spans' in `spans` (the same counts, for spans). */
export interface DeliveryStatsSnapshot extends LedgerSnapshot {
  spans: LedgerSnapshot;
}

/** The signals whose batches are spooled, each with its account in the ledger. */
export type SpooledSignal = 'logs' | 'traces';

/** A drop as the self-metric sees it: how many items, why, and of which signal (`logs` or `traces`). */
export type DropListener = (count: number, reason: DropReason, signal: SpooledSignal) => void;

function zeroDrops(): Record<DropReason, number> {
  return { queue_full: 0, spool_full: 0, spool_unwritable: 0, rejected: 0, too_large: 0, spool_corrupt: 0, export_failed: 0, after_shutdown: 0 };
}

/** One account of the ledger: the moves of one signal's items (log records, or spans). */
export class SignalLedger {
  private emittedCount = 0;
  private exportedCount = 0;
  private spooledCount = 0;
  private replayedCount = 0;
  /** Records taken out of the spool other than by export: dropped as corrupt, evicted, rejected, too large. */
  private droppedFromSpool = 0;
  private retryCount = 0;
  private readonly drops = zeroDrops();
  private readonly warned = new Set<DropReason>();
  private listener: DropListener | undefined;

  /** What the stderr line calls the items of this account. */
  private readonly noun: string;

  /** `warn` writes the one stderr line per reason; tests pass their own. `signal` says whose items these are. */
  constructor(
    protected readonly warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    readonly signal: SpooledSignal = 'logs',
  ) {
    this.noun = signal === 'traces' ? 'span(s)' : 'log record(s)';
  }

  /** The self-metric hook (`codex_otel.dropped_records`); set once the meter's instruments exist. */
  onDrop(listener: DropListener | undefined): void {
    this.listener = listener;
  }

  /** Records entered delivery (in memory now). */
  emitted(count: number): void {
    this.emittedCount += count;
  }

  /** Records accepted by the receiver, from memory or from the spool. */
  exported(count: number, from: Origin): void {
    this.exportedCount += count;
    if (from === 'spool') this.replayedCount += count;
  }

  /** Records moved from memory to the spool (on disk, fsynced). */
  spooled(count: number): void {
    this.spooledCount += count;
  }

  /** An export attempt will be retried. */
  retried(): void {
    this.retryCount++;
  }

  /** Records lost, from memory or from the spool; the first drop of each reason writes one stderr line. */
  drop(count: number, reason: DropReason, detail?: string, from: Origin = 'memory'): void {
    if (count <= 0) return;
    this.drops[reason] += count;
    if (from === 'spool') this.droppedFromSpool += count;
    if (!this.warned.has(reason)) {
      this.warned.add(reason);
      try {
        this.warn(`codex-otel: warn: ${count} ${this.noun} dropped (${reason}${detail ? `: ${detail}` : ''}); ` +
          'further drops are counted in codex_otel.dropped_records without another warning');
      } catch {
        // stderr closed: nothing else to do
      }
    }
    try {
      this.listener?.(count, reason, this.signal);
    } catch {
      // a metric failure must not turn a drop into a throw
    }
  }

  /** A record emitted after shutdown began: it enters and leaves the ledger at once. */
  dropLate(count: number): void {
    this.emitted(count);
    this.drop(count, 'after_shutdown', 'emitted after shutdown began');
  }

  snapshot(): LedgerSnapshot {
    const dropped = { ...this.drops, total: 0 };
    for (const reason of DROP_REASONS) dropped.total += this.drops[reason];
    const pendingInSpool = this.spooledCount - this.replayedCount - this.droppedFromSpool;
    return {
      emitted: this.emittedCount,
      exported: this.exportedCount,
      spooled: this.spooledCount,
      replayed: this.replayedCount,
      pendingInSpool,
      inMemory: this.emittedCount - this.exportedCount - pendingInSpool - dropped.total,
      retries: this.retryCount,
      dropped,
    };
  }
}

/**
 * The ledger of one pipeline: the log records' account (this object, as before spans were spooled) and
 * the spans' account (`spans`). Drops of either reach the one drop listener (the self-metric).
 */
export class DeliveryStats extends SignalLedger {
  readonly spans: SignalLedger;

  constructor(warn?: (line: string) => void) {
    super(warn);
    this.spans = new SignalLedger(this.warn, 'traces');
  }

  /** The account of a spooled signal. */
  account(signal: SpooledSignal): SignalLedger {
    return signal === 'traces' ? this.spans : this;
  }

  override onDrop(listener: DropListener | undefined): void {
    super.onDrop(listener);
    this.spans.onDrop(listener);
  }

  override snapshot(): DeliveryStatsSnapshot {
    return { ...super.snapshot(), spans: this.spans.snapshot() };
  }
}
