/**
 * What happens to a batch once its export has ended, on disk and in the ledger: delivered, dropped,
 * split, or handed to the spool. Every ledger move of a delivery processor is made here, with the
 * batch's origin (in memory, or read back from the spool), so the ledger stays balanced.
 */
import { diag } from '@opentelemetry/api';
import type { ClaimedBatch, Spool } from './spool.js';
import type { DropReason, Origin, SignalLedger } from './stats.js';

/** A batch of one signal's items (log records or spans), called records here as in the ledger. */
export interface Batch<Item = unknown> {
  records: Item[];
  /** On disk as a claim of this process: written ahead, or claimed from the spool for replay. */
  file: ClaimedBatch | undefined;
  /** Read back from the spool (so not counted again as spooled when it goes back). */
  replay: boolean;
  /** Stops the send path's retries at the shutdown bound. */
  abort?: AbortController;
  /** Set when the batch was handed to the spool at the shutdown bound while its export was in flight. */
  abandonedAs?: string;
}

export function origin(batch: Batch<unknown>): Origin {
  return batch.replay ? 'spool' : 'memory';
}

export class BatchStore<Item> {
  constructor(private readonly stats: SignalLedger, readonly spool: Spool<Item> | undefined, private readonly label: string) {}

  /** A live batch about to be sent, written ahead to the spool (crash safety) when there is one. */
  fresh(records: Item[]): Batch<Item> {
    return { records, file: this.spool?.writeAhead(records), replay: false };
  }

  /** The next spooled batch this process may send (skipping `skip`), read back; undefined when none is left. */
  claim(skip: Set<string>): Batch<Item> | undefined {
    const spool = this.spool;
    if (!spool) return undefined;
    for (;;) {
      const file = spool.claimNext(skip);
      if (!file) return undefined;
      const records = spool.read(file);
      if (records.length > 0) return { records, file, replay: true };
      spool.remove(file);
    }
  }

  delivered(batch: Batch<Item>): void {
    this.stats.exported(batch.records.length, origin(batch));
    if (batch.file) this.spool?.remove(batch.file);
  }

  /** A batch spooled at the shutdown bound was accepted after all: it leaves the spool as exported. */
  deliveredLate(batch: Batch<Item>): void {
    if (batch.abandonedAs && this.spool?.discard(batch.abandonedAs)) this.stats.exported(batch.records.length, 'spool');
  }

  dropped(batch: Batch<Item>, reason: DropReason, what: string): void {
    if (batch.file) this.spool?.remove(batch.file);
    this.stats.drop(batch.records.length, reason, what, origin(batch));
  }

  /**
   * The receiver said the request is too large: the two halves to send on their own (oldest first), down to
   * single records; a single record still too large is dropped (`too_large`). Halves keep the batch's
   * origin and are written ahead again, so a crash loses nothing of them.
   */
  split(batch: Batch<Item>, what: string): Batch<Item>[] {
    if (batch.records.length <= 1) {
      diag.warn(`codex-otel: ${this.label}: one record is larger than the collector accepts (${what}); dropped`);
      this.dropped(batch, 'too_large', what);
      return [];
    }
    if (batch.file) this.spool?.remove(batch.file);
    const middle = Math.ceil(batch.records.length / 2);
    return [batch.records.slice(0, middle), batch.records.slice(middle)].map((records) => ({
      records, file: this.spool?.writeAhead(records), replay: batch.replay,
    }));
  }

  /** Hands a batch to the spool (or counts it as dropped without one); returns its ready name when on disk. */
  park(batch: Batch<Item>): string | undefined {
    const spool = this.spool;
    if (batch.file && spool) {
      if (spool.release(batch.file, !batch.replay)) return batch.file.readyName;
      // The claim file vanished or cannot be renamed: write the records again.
    }
    if (spool) return spool.store(batch.records, origin(batch));
    this.stats.drop(batch.records.length, 'export_failed', 'no spool configured', origin(batch));
    return undefined;
  }

  /** Records still queued at the shutdown bound: to the spool in batches, synchronously. */
  parkQueued(records: Item[], batchSize: number): void {
    for (let start = 0; start < records.length; start += batchSize) {
      const part = records.slice(start, start + batchSize);
      if (this.spool) this.spool.store(part, 'memory');
      else this.stats.drop(part.length, 'export_failed', 'shutdown bound reached with no spool configured');
    }
  }
}
