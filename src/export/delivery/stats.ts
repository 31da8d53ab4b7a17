/**
 * What happened to log records after `emit`: counted per reason so a loss is never silent. One
 * `DeliveryStats` per pipeline; every processor of the pipeline adds to it.
 */

/** Why records were dropped (never sent and never spooled). */
export type DropReason =
  /** The in-memory queue was full when the record was emitted. */
  | 'queue_full'
  /** The spool folder is over its size cap: the oldest spooled batches were removed to make room. */
  | 'spool_full'
  /** The spool folder could not be written (missing, read-only, not a folder, disk full). */
  | 'spool_unwritable'
  /** The collector rejected the batch as invalid (HTTP 400, gRPC INVALID_ARGUMENT): resending cannot help. */
  | 'rejected'
  /** A spooled line could not be decoded (a partial write by a killed process). */
  | 'spool_corrupt'
  /** No spool is configured and the export failed for good. */
  | 'export_failed'
  /** Emitted after shutdown had begun: nothing can send it any more. */
  | 'after_shutdown';

export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'spool_full', 'spool_unwritable', 'rejected', 'spool_corrupt', 'export_failed', 'after_shutdown'];

export interface DeliveryStatsSnapshot {
  /** Records accepted by the exporters (first try, retry or replay). */
  exported: number;
  /** Records written to the spool (batches that failed for now, or pending at the shutdown bound). */
  spooled: number;
  /** Records read back from the spool and accepted by the collector. */
  replayed: number;
  /** Export attempts that were retried (one per retry, not per record). */
  retries: number;
  /** Records dropped, by reason. `total` is their sum. */
  dropped: Record<DropReason, number> & { total: number };
}

export type DropListener = (count: number, reason: DropReason) => void;

export class DeliveryStats {
  exported = 0;
  spooled = 0;
  replayed = 0;
  retries = 0;
  private readonly drops: Record<DropReason, number> = { queue_full: 0, spool_full: 0, spool_unwritable: 0, rejected: 0, spool_corrupt: 0, export_failed: 0, after_shutdown: 0 };
  private readonly warned = new Set<DropReason>();
  private listener: DropListener | undefined;

  /** `warn` writes the one stderr line per reason; tests pass their own. */
  constructor(private readonly warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  /** The self-metric hook (`codex_otel.dropped_records`); set once the meter's instruments exist. */
  onDrop(listener: DropListener | undefined): void {
    this.listener = listener;
  }

  drop(count: number, reason: DropReason, detail?: string): void {
    if (count <= 0) return;
    this.drops[reason] += count;
    if (!this.warned.has(reason)) {
      this.warned.add(reason);
      try {
        this.warn(`codex-otel: warn: ${count} log record(s) dropped (${reason}${detail ? `: ${detail}` : ''}); ` +
          'further drops are counted in codex_otel.dropped_records without another warning');
      } catch {
        // stderr closed: nothing else to do
      }
    }
    try {
      this.listener?.(count, reason);
    } catch {
      // a metric failure must not turn a drop into a throw
    }
  }

  snapshot(): DeliveryStatsSnapshot {
    const dropped = { ...this.drops, total: 0 };
    for (const reason of DROP_REASONS) dropped.total += this.drops[reason];
    return { exported: this.exported, spooled: this.spooled, replayed: this.replayed, retries: this.retries, dropped };
  }
}
