/**
 * The emitter knows how large the record it is about to emit is (it just wrote every value); the
 * delivery processors need that size to cap their queues in bytes. The SDK calls every processor
 * synchronously inside `logger.emit`, so the emitter sets the size around that call and each
 * processor reads it, with no per-record work on either side. Records emitted by anyone else get a
 * typical size.
 */
export const TYPICAL_RECORD_BYTES = 1024;

let hint = 0;

export function setRecordSizeHint(bytes: number): void {
  hint = bytes;
}

export function recordSizeHint(): number {
  return hint > 0 ? hint : TYPICAL_RECORD_BYTES;
}
