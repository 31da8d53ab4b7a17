/**
 * Scrubbing off the caller's path. The emitter does not scrub: it leaves the raw text of a record's
 * string fields in one `PendingFields` value, and the export path settles it (`settleRecords`) when a
 * batch leaves the in-memory queue, before the batch is written to the spool, a file or the network.
 *
 * Fail-closed by construction: a `PendingFields` is an empty `Uint8Array` (the only non-primitive
 * attribute value the SDK keeps by reference) whose text sits in private fields. A record that reached
 * a serializer unsettled would carry empty bytes and `""` in the other pending fields, never the raw
 * text; and the raw text only ever lives in memory, so a crash before export leaves nothing on disk.
 */
import type { RedactionCounter } from './scrubber.js';

/** Turns the raw text of one field into what is sent; adds its replacements to the counter. Never throws. */
export type FieldScrub = (raw: string, counter: RedactionCounter) => string | undefined;

/** Called once per record after settling, with the number of replacements made in it. */
export type SettledListener = (redactions: number, attributes: Record<string, unknown>) => void;

/** What a settled field holds when its scrub threw: never the input. */
const FAILED = '[REDACTED:scrub_failed]';

const EMPTY_BUFFER = new ArrayBuffer(0);

export class PendingFields extends Uint8Array {
  /** Key, raw text and scrub of each field, one after the other: one array per record. */
  readonly #fields: Array<string | FieldScrub> = [];
  readonly #settled: SettledListener | undefined;

  constructor(settled?: SettledListener) {
    // A view of one shared empty buffer: a typed array with a buffer of its own costs ten times more to
    // make and to collect, on the caller's path.
    super(EMPTY_BUFFER, 0, 0);
    this.#settled = settled;
  }

  /** The slot's value until the record is settled: the holder itself for its first field, `""` for the others. */
  add(key: string, raw: string, scrub: FieldScrub): this | '' {
    const first = this.#fields.length === 0;
    this.#fields.push(key, raw, scrub);
    return first ? this : '';
  }

  get size(): number {
    return this.#fields.length / 3;
  }

  /** Writes every field's scrubbed value into `attributes`, once, and tells the listener. */
  settleInto(attributes: Record<string, unknown>): void {
    const fields = this.#fields;
    const counter = { redactions: 0 };
    for (let i = 0; i < fields.length; i += 3) {
      const key = fields[i] as string;
      let value: string | undefined;
      try {
        value = (fields[i + 2] as FieldScrub)(fields[i + 1] as string, counter);
      } catch {
        value = FAILED;
        counter.redactions++;
      }
      if (value === undefined) delete attributes[key];
      else attributes[key] = value;
    }
    fields.length = 0;
    try {
      this.#settled?.(counter.redactions, attributes);
    } catch {
      // A listener (metrics) must not stop the batch.
    }
  }
}

interface RecordLike {
  readonly attributes: Record<string, unknown>;
}

/**
 * Settles every pending field of these records, in place. Idempotent: a settled record holds only
 * strings, so a second call (another processor with the same records) finds nothing to do.
 */
export function settleRecords(records: readonly RecordLike[]): void {
  for (const record of records) {
    const attributes = record.attributes;
    for (const key in attributes) {
      const value = attributes[key];
      if (value instanceof PendingFields) {
        value.settleInto(attributes);
        break;
      }
    }
  }
}
