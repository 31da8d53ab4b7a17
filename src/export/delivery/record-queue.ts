/**
 * The in-memory queue of a delivery processor: records with their estimated sizes, capped in records and
 * bytes, and cut into batches of at most so many records and so many estimated bytes (at least one).
 */

export class RecordQueue<Item> {
  private records: Item[] = [];
  /** The estimated size of each queued record, in step with `records`, and their sum. */
  private sizes: number[] = [];
  private queuedBytes = 0;

  constructor(readonly maxRecords: number, readonly maxBytes: number) {}

  get length(): number {
    return this.records.length;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** O(1); false when the record does not fit (the caller counts the drop). */
  tryPush(record: Item, size: number): boolean {
    if (this.records.length >= this.maxRecords || this.queuedBytes + size > this.maxBytes) return false;
    this.records.push(record);
    this.sizes.push(size);
    this.queuedBytes += size;
    return true;
  }

  /** Takes the oldest records: at most `maxRecords` and `maxBytes` estimated bytes, at least one. */
  take(maxRecords: number, maxBytes: number): Item[] {
    const queue = this.records;
    const sizes = this.sizes;
    let count = 0;
    let bytes = 0;
    const limit = Math.min(maxRecords, queue.length);
    while (count < limit && (count === 0 || bytes + sizes[count]! <= maxBytes)) bytes += sizes[count++]!;
    if (count === queue.length) return this.takeAll();
    this.queuedBytes -= bytes;
    sizes.splice(0, count);
    return queue.splice(0, count);
  }

  takeAll(): Item[] {
    const all = this.records;
    this.records = [];
    this.sizes = [];
    this.queuedBytes = 0;
    return all;
  }
}
