import type { RedactionCounter, Scrubber } from './scrubber.js';
import { scrubStructured } from './structured.js';

/** Contract §4: the tool output preview. */
export const PREVIEW_MAX_BYTES = 2048;
export const PREVIEW_MAX_LINES = 64;
export const PREVIEW_TRUNCATION_NOTICE = '[... telemetry preview truncated ...]';

/**
 * How much of a tool output `scrubThenPreview` scrubs, in UTF-16 code units. The preview keeps at
 * most 2048 bytes, so at most 2048 code units; any secret that overlaps them either ends inside this
 * window or has tens of thousands of characters inside it, which every pattern still recognises.
 * Bounding the window keeps the cost and the copy independent of the output's size.
 */
export const SCRUB_WINDOW = 64 * 1024;

export interface PreviewOptions {
  /** The text is already a cut of something longer: add the truncation notice even if it fits. */
  alreadyCut?: boolean;
}

/**
 * The preview exactly as Codex builds it: the first 2048 bytes (never splitting a character), then
 * the first 64 lines of that. Unchanged when neither limit bites; otherwise the kept lines joined
 * with `\n`, a `\n`, and the notice. Lines split like Rust's `str::lines` (at `\n`, dropping a `\r`
 * before it; no empty last line after a final `\n`).
 */
export function outputPreview(text: string, options: PreviewOptions = {}): string {
  const byteCut = utf8PrefixLength(text, PREVIEW_MAX_BYTES);
  const cutByBytes = byteCut < text.length;
  const head = cutByBytes ? text.slice(0, byteCut) : text;
  // Common case, without building the line list: no `\r`, and no more lines than the cap.
  if (!head.includes('\r') && !hasMoreLines(head, PREVIEW_MAX_LINES)) {
    if (!cutByBytes && options.alreadyCut !== true) return text;
    const kept = head.endsWith('\n') ? head.slice(0, -1) : head;
    return `${kept}\n${PREVIEW_TRUNCATION_NOTICE}`;
  }
  const lines = splitLines(head, PREVIEW_MAX_LINES + 1);
  const cutByLines = lines.length > PREVIEW_MAX_LINES;
  if (!cutByBytes && !cutByLines && options.alreadyCut !== true) return text;
  if (cutByLines) lines.length = PREVIEW_MAX_LINES;
  return `${lines.join('\n')}\n${PREVIEW_TRUNCATION_NOTICE}`;
}

/**
 * Scrubs the output, then cuts the preview: the only safe order, since a secret cut in half by the
 * preview no longer matches its pattern. Redactions are added to `counter`.
 */
export function scrubThenPreview(output: string, scrubber: Scrubber, counter?: RedactionCounter): string {
  const window = scrubWindow(output);
  // Output is often JSON (MCP results, `gh api`, `kubectl -o json`): scrubbed structurally when it is.
  const scrubbed = scrubStructured(window, scrubber, counter);
  return outputPreview(scrubbed, { alreadyCut: window !== output });
}

/** The part of a text that is scrubbed: the first SCRUB_WINDOW code units, never ending inside a surrogate pair. */
export function scrubWindow(text: string): string {
  return text.length > SCRUB_WINDOW ? text.slice(0, codePointBoundary(text, SCRUB_WINDOW)) : text;
}

/**
 * The number of UTF-16 code units of the longest prefix whose UTF-8 encoding fits in `maxBytes`,
 * never ending between the two halves of a surrogate pair. A lone surrogate counts as the 3 bytes
 * of U+FFFD, which is what it becomes on the wire.
 *
 * `TextEncoder.encodeInto` computes exactly this (it stops before a character that does not fit and
 * encodes a lone surrogate as U+FFFD), natively. Only the first `maxBytes` code units can fit, so only
 * they are encoded; a pair cut there becomes a lone surrogate at the end, which cannot fit either.
 */
export function utf8PrefixLength(text: string, maxBytes: number): number {
  // Every code unit takes at most 3 bytes, so short texts fit without counting.
  if (text.length * 3 <= maxBytes) return text.length;
  // Odd limits (negative, NaN, huge: the buffer is as large as the limit) take the reference path.
  if (!(maxBytes >= 0 && maxBytes <= MAX_ENCODED_BYTES)) return utf8PrefixLengthByUnits(text, maxBytes);
  const head = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  return encoder.encodeInto(head, encodeBuffer(maxBytes)).read;
}

const MAX_ENCODED_BYTES = 64 * 1024;
const encoder = new TextEncoder();
let scratch = new Uint8Array(PREVIEW_MAX_BYTES);

/** A view of exactly `size` bytes over a reused buffer: the encoded bytes themselves are not used. */
function encodeBuffer(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return scratch.length === size ? scratch : scratch.subarray(0, size);
}

/** The reference implementation of `utf8PrefixLength`, one code unit at a time; kept for the tests. */
export function utf8PrefixLengthByUnits(text: string, maxBytes: number): number {
  if (text.length * 3 <= maxBytes) return text.length;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    let width = 1;
    let size: number;
    if (unit < 0x80) size = 1;
    else if (unit < 0x800) size = 2;
    else if (isHighSurrogate(unit) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      size = 4;
      width = 2;
    } else size = 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += width;
  }
  return i;
}

/** True when `text` has more than `limit` lines as `splitLines` counts them (a final `\n` ends the last line). */
function hasMoreLines(text: string, limit: number): boolean {
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    if (++lines > limit) return true;
    const newline = text.indexOf('\n', start);
    if (newline === -1) break;
    start = newline + 1;
  }
  return false;
}

/** At most `limit` lines of `text`, split as Rust's `str::lines` does. */
function splitLines(text: string, limit: number): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length && lines.length < limit) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) {
      lines.push(text.slice(start));
      break;
    }
    const end = newline > start && text.charCodeAt(newline - 1) === 0x0d ? newline - 1 : newline;
    lines.push(text.slice(start, end));
    start = newline + 1;
  }
  return lines;
}

function codePointBoundary(text: string, index: number): number {
  return isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index)) ? index - 1 : index;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
