/**
 * The emitter knows how large the record it is about to emit is (it just wrote every value); the
 * delivery processors need that size to cap their queues in bytes. The SDK calls every processor
 * synchronously inside `logger.emit`, so the emitter sets the size around that call and each
 * processor of the same pipeline reads it, with no per-record work on either side. One hint per
 * pipeline: two telemetry instances never see each other's sizes. Records emitted by anyone else get
 * a typical size.
 */
export const TYPICAL_RECORD_BYTES = 1024;

export class RecordSizeHint {
  /** Set by the emitter around `logger.emit`; 0 when unknown. */
  bytes = 0;

  read(): number {
    return this.bytes > 0 ? this.bytes : TYPICAL_RECORD_BYTES;
  }
}
