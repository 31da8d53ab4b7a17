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

/**
 * Turns the raw text of one field into what is sent; adds its replacements to the counter. Never throws.
 * `attributes`, when given, is the record's, for a field that settles a companion attribute with it (the
 * preview settles `output_truncated`).
 */
export type FieldScrub = (raw: string, counter: RedactionCounter, attributes?: Record<string, unknown>) => string | undefined;

/** Called once per record after settling, with the number of replacements made in it. */
export type SettledListener = (redactions: number, attributes: Record<string, unknown>) => void;

/**
 * The string fields of one record shape that are settled on the export path: their keys and scrubs, in
 * order, shared by every record of the shape, so that a record holds only its raw texts.
 */
export interface PendingShape {
  readonly keys: readonly string[];
  readonly scrubs: readonly FieldScrub[];
  readonly settled?: SettledListener;
}

/** What a settled field holds when its scrub threw: never the input. */
const FAILED = '[REDACTED:scrub_failed]';

const EMPTY_BUFFER = new ArrayBuffer(0);

export class PendingFields extends Uint8Array {
  readonly #shape: PendingShape;
  /** Per field of the shape, its raw text; undefined when the record does not carry it. */
  readonly #raw: Array<string | undefined>;
  #pending = false;

  constructor(shape: PendingShape) {
    // A view of one shared empty buffer: a typed array with a buffer of its own costs ten times more to
    // make and to collect, on the caller's path.
    super(EMPTY_BUFFER, 0, 0);
    this.#shape = shape;
    this.#raw = new Array<string | undefined>(shape.keys.length).fill(undefined);
  }

  /**
   * Leaves the raw text of the shape's field `index`. Returns the attribute's value until the record is
   * settled: the holder itself for the first field added, `""` for the others.
   */
  add(index: number, raw: string): this | '' {
    this.#raw[index] = raw;
    if (this.#pending) return '';
    this.#pending = true;
    return this;
  }

  get size(): number {
    return this.#raw.filter((raw) => raw !== undefined).length;
  }

  /** Writes every field's scrubbed value into `attributes`, once, and tells the listener. */
  settleInto(attributes: Record<string, unknown>): void {
    if (!this.#pending) return;
    this.#pending = false;
    const { keys, scrubs, settled } = this.#shape;
    const raws = this.#raw;
    const counter = { redactions: 0 };
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i];
      if (raw === undefined) continue;
      raws[i] = undefined;
      const key = keys[i]!;
      let value: string | undefined;
      try {
        value = scrubs[i]!(raw, counter, attributes);
      } catch {
        value = FAILED;
        counter.redactions++;
      }
      if (value === undefined) delete attributes[key];
      else attributes[key] = value;
    }
    try {
      settled?.(counter.redactions, attributes);
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
