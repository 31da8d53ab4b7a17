/**
 * Free text that spells characters as `\uXXXX` escapes: JSON from writers that escape every non-ASCII
 * character (`ensure_ascii`), quotes and HTML-sensitive characters (.NET), separators or whole values,
 * seen in a preview that is no longer valid JSON. The rules read `"password"\u003a\u0020"x"` only once
 * the escapes are decoded, so they run on a decoded view, and the redactions are mapped back onto the
 * original text, which keeps its own bytes (escapes included) wherever nothing matched.
 */

/**
 * Decoded text, and where its escapes came from: escape `k` starts at `decodedAt[k]` in the view (1 unit,
 * or 2 for a surrogate pair) and spans `[originalAt[k], originalEnd[k])` of the original. Only escapes are
 * listed, so the view costs nothing per character beyond the decoding itself.
 */
export interface DecodedView {
  readonly text: string;
  readonly decodedAt: readonly number[];
  readonly originalAt: readonly number[];
  readonly originalEnd: readonly number[];
  /** Per escape: where its second unit (the low surrogate's escape) starts in the original, or -1. */
  readonly lowAt: readonly number[];
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
  const decodedAt: number[] = [];
  const originalAt: number[] = [];
  const originalEnd: number[] = [];
  const lowAt: number[] = [];
  let copied = 0;
  for (let match = ESCAPE.exec(text); match !== null; match = ESCAPE.exec(text)) {
    const code = parseInt(match[1]!, 16);
    const end = match.index + match[0].length;
    let units: string;
    let last = end;
    let low = -1;
    if (code >= 0xd800 && code <= 0xdfff) {
      // A high surrogate decodes only with the low one escaped right after it.
      ESCAPE.lastIndex = end;
      const next = code <= 0xdbff ? ESCAPE.exec(text) : null;
      const lowCode = next === null ? -1 : parseInt(next[1]!, 16);
      if (next === null || next.index !== end || lowCode < 0xdc00 || lowCode > 0xdfff) {
        ESCAPE.lastIndex = end;
        continue;
      }
      units = String.fromCharCode(code, lowCode);
      low = next.index;
      last = next.index + next[0].length;
    } else units = String.fromCharCode(code);
    decoded += text.slice(copied, match.index);
    decodedAt.push(decoded.length);
    originalAt.push(match.index);
    originalEnd.push(last);
    lowAt.push(low);
    decoded += units;
    copied = last;
  }
  if (decodedAt.length === 0) return undefined;
  decoded += text.slice(copied);
  return { text: decoded, decodedAt, originalAt, originalEnd, lowAt };
}

/** Where position `at` of the view (0 to its length) is in the original. */
export function originalOffset(view: DecodedView, at: number): number {
  const { decodedAt, originalAt, originalEnd, lowAt } = view;
  // The last escape that starts at or before `at` (binary search; escapes are in order).
  let lo = 0;
  let hi = decodedAt.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (decodedAt[mid]! <= at) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (k === -1) return at;
  const into = at - decodedAt[k]!;
  if (into === 0) return originalAt[k]!;
  if (into === 1 && lowAt[k]! !== -1) return lowAt[k]!;
  return originalEnd[k]! + into - (lowAt[k]! !== -1 ? 2 : 1);
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
    out += text.slice(copied, originalOffset(view, edit.start)) + edit.text;
    copied = originalOffset(view, edit.end);
  }
  return out + text.slice(copied);
}
