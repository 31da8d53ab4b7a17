/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line: a longer
 * line is reported as too long (with its first bytes, enough to see how it starts) and skipped.
 * `readline` has no such bound, so one 2 GiB line would sit in memory whole.
 */

export type Line =
  | { tooLong: false; text: string }
  | { tooLong: true; head: string; bytes: number };

const HEAD_BYTES = 256;
const NEWLINE = 0x0a;

export async function* splitLines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let length = 0;
  let overflow: { head: Buffer; bytes: number } | null = null;

  const append = (piece: Buffer) => {
    if (piece.length === 0) return;
    if (overflow) {
      overflow.bytes += piece.length;
      return;
    }
    if (length + piece.length > maxLineBytes) {
      const head = Buffer.concat([...parts, piece.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES);
      overflow = { head: Buffer.from(head), bytes: length + piece.length };
      parts = [];
      length = 0;
      return;
    }
    parts.push(piece);
    length += piece.length;
  };
  const take = (): Line => {
    let line: Line;
    if (overflow) line = { tooLong: true, head: overflow.head.toString('utf8'), bytes: overflow.bytes };
    else {
      let text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts, length)).toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      line = { tooLong: false, text };
    }
    parts = [];
    length = 0;
    overflow = null;
    return line;
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) break;
      append(chunk.subarray(start, end));
      yield take();
      start = end + 1;
    }
    // Copy: the stream may reuse its buffer.
    if (start < chunk.length) append(Buffer.from(chunk.subarray(start)));
  }
  if (length > 0 || overflow) yield take();
}
