/**
 * `codex_otel.record_id`: a stable id per log record, so a receiver (and `codex-otel audit`) can drop the
 * duplicates that at-least-once delivery produces (docs/delivery.md, "Duplicates"). It is written into
 * the record when it is emitted, so every resend of the record (retry, spool replay) carries the same id.
 *
 * A random per-process prefix and a counter: unique across processes without a random draw per record.
 */
import { randomBytes } from 'node:crypto';

export const RECORD_ID_KEY = 'codex_otel.record_id';

const PREFIX = randomBytes(8).toString('hex');
let sequence = 0;

export function nextRecordId(): string {
  sequence++;
  return `${PREFIX}-${sequence.toString(36)}`;
}
