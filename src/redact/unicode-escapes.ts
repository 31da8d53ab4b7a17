/**
 * Free text that spells characters as `\uXXXX` escapes: JSON from writers that escape every non-ASCII
 * character (`ensure_ascii`), quotes and HTML-sensitive characters (.NET), separators or whole values,
 * seen in a preview that is no longer valid JSON. The rules read `"password"\u003a\u0020"x"` only once
 * the escapes are decoded, so they run on a decoded view, and the redactions are mapped back onto the
 * original text, which keeps its own bytes (escapes included) wherever nothing matched.
 */

/** Decoded text, and for each of its UTF-16 units where it came from in the original (one entry more: the end). */
export interface DecodedView {
  readonly text: string;
  readonly starts: readonly number[];
}

/**
 * One escape behind one backslash or more: JSON inside JSON doubles the backslash (`\\u0022`), and the
 * text rules already read any number of them in front of a quote. A lone surrogate stays as it is written.
 */
const ESCAPE = /\\+u([0-9a-fA-F]{4})/g;

/** The decoded view of `text`, or undefined when it holds no escape to decode. */
export function decodeUnicodeEscapes(text: string): DecodedView | undefined {
  ESCAPE.lastIndex = 0;
  let decoded = '';
  const starts: number[] = [];
  let copied = 0;
  const copyTo = (end: number): void => {
    for (let i = copied; i < end; i++) starts.push(i);
    decoded += text.slice(copied, end);
  };
  for (let match = ESCAPE.exec(text); match !== null; match = ESCAPE.exec(text)) {
    const code = parseInt(match[1]!, 16);
    const end = match.index + match[0].length;
    if (code >= 0xd800 && code <= 0xdfff) {
      // A high surrogate decodes only with the low one escaped right after it.
      ESCAPE.lastIndex = end;
      const low = code <= 0xdbff ? ESCAPE.exec(text) : null;
      const lowCode = low === null ? -1 : parseInt(low[1]!, 16);
      if (low === null || low.index !== end || lowCode < 0xdc00 || lowCode > 0xdfff) {
        ESCAPE.lastIndex = end;
        continue;
      }
      copyTo(match.index);
      starts.push(match.index, low.index);
      decoded += String.fromCharCode(code, lowCode);
      copied = low.index + low[0].length;
      continue;
    }
    copyTo(match.index);
    starts.push(match.index);
    decoded += String.fromCharCode(code);
    copied = end;
  }
  if (starts.length === 0 && copied === 0) return undefined;
  copyTo(text.length);
  starts.push(text.length);
  return { text: decoded, starts };
}

const MARKER = /\[REDACTED:[A-Za-z0-9_.-]+\]/g;

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Where `after` (the scrubbed `before`) replaced ranges of `before` by markers. A replacement only ever
 * turns a range into one marker, so `after` is pieces of `before`, in order, between markers; a marker
 * that `before` already has at that place is its own. Undefined when the two do not line up so.
 *
 * Any alignment found is safe: the kept pieces are the same characters as `after`'s, so the mapped
 * output, decoded, is exactly `after`.
 */
export function redactedRanges(before: string, after: string): Edit[] | undefined {
  const edits: Edit[] = [];
  let at = 0;
  let pending: { start: number; text: string } | undefined;
  const place = (piece: string): boolean => {
    if (pending === undefined) {
      if (!before.startsWith(piece, at)) return false;
      at += piece.length;
      return true;
    }
    const found = before.indexOf(piece, pending.start + 1);
    if (found === -1) return false;
    edits.push({ start: pending.start, end: found, text: pending.text });
    pending = undefined;
    at = found + piece.length;
    return true;
  };
  let copied = 0;
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(after); match !== null; match = MARKER.exec(after)) {
    const piece = after.slice(copied, match.index);
    copied = match.index + match[0].length;
    if (pending !== undefined && piece === '') {
      // Two replaced ranges side by side: one range, both markers.
      pending.text += match[0];
      continue;
    }
    if (!place(piece)) return undefined;
    if (before.startsWith(match[0], at)) at += match[0].length;
    else pending = { start: at, text: match[0] };
  }
  const tail = after.slice(copied);
  if (pending !== undefined) {
    const end = before.length - tail.length;
    if (end <= pending.start || !before.endsWith(tail)) return undefined;
    edits.push({ start: pending.start, end, text: pending.text });
    return edits;
  }
  return before.slice(at) === tail ? edits : undefined;
}

/**
 * `scrub` run on the decoded view of `text` when it has `\uXXXX` escapes, its redactions applied to
 * `text` itself; `scrub(text)` otherwise. When the scrubbed view cannot be lined up with the view (not
 * expected), the scrubbed view is returned: safe, only its escapes are spelled out.
 */
export function scrubThroughEscapes(text: string, scrub: (text: string) => string): string {
  const view = text.includes('\\u') ? decodeUnicodeEscapes(text) : undefined;
  if (view === undefined) return scrub(text);
  const scrubbed = scrub(view.text);
  if (scrubbed === view.text) return text;
  const edits = redactedRanges(view.text, scrubbed);
  if (edits === undefined) return scrubbed;
  let out = '';
  let copied = 0;
  for (const edit of edits) {
    const start = view.starts[edit.start]!;
    out += text.slice(copied, start) + edit.text;
    copied = view.starts[edit.end]!;
  }
  return out + text.slice(copied);
}
