import type { RedactionCounter, Scrubber } from './scrubber.js';
import { scrubStructured } from './structured.js';

/** Contract §5: the tool output preview; its size is `[otel.tool_result] max_bytes` (default 2048). */
export const PREVIEW_MAX_BYTES = 2048;
export const PREVIEW_TRUNCATION_NOTICE = '[... telemetry preview truncated ...]';

/**
 * How much of a tool output `scrubThenPreview` scrubs, in UTF-16 code units. A preview of the default
 * size keeps at most 2048 code units; any secret that overlaps them either ends inside this window or
 * has tens of thousands of characters inside it, which every pattern still recognises. Bounding the
 * window keeps the cost and the copy independent of the output's size. A larger `max_bytes` widens it.
 */
export const SCRUB_WINDOW = 64 * 1024;

export interface PreviewOptions {
  /** The preview's size in UTF-8 bytes; default PREVIEW_MAX_BYTES. */
  maxBytes?: number;
  /** The text is already a cut of something longer: add the truncation notice even if it fits. */
  alreadyCut?: boolean;
}

export interface CutPreview {
  text: string;
  /** Whether the text was cut (Codex's `output_truncated`). */
  truncated: boolean;
}

/**
 * The preview exactly as Codex 0.169 builds it: unchanged when it fits in `maxBytes` UTF-8 bytes;
 * otherwise the longest prefix that fits (never splitting a character), then `\n` unless the prefix
 * is empty or already ends with one, then the notice.
 */
export function cutPreview(text: string, options: PreviewOptions = {}): CutPreview {
  const maxBytes = options.maxBytes ?? PREVIEW_MAX_BYTES;
  const byteCut = utf8PrefixLength(text, maxBytes);
  if (byteCut >= text.length && options.alreadyCut !== true) return { text, truncated: false };
  const head = text.slice(0, byteCut);
  const separator = head === '' || head.endsWith('\n') ? '' : '\n';
  return { text: `${head}${separator}${PREVIEW_TRUNCATION_NOTICE}`, truncated: true };
}

/** The preview text alone (see `cutPreview`). */
export function outputPreview(text: string, options: PreviewOptions = {}): string {
  return cutPreview(text, options).text;
}

/**
 * Scrubs the output, then cuts the preview: the only safe order, since a secret cut in half by the
 * preview no longer matches its pattern. Redactions are added to `counter`.
 */
export function scrubThenCutPreview(output: string, scrubber: Scrubber, counter?: RedactionCounter, maxBytes = PREVIEW_MAX_BYTES): CutPreview {
  const window = scrubWindow(output, Math.max(SCRUB_WINDOW, 2 * maxBytes));
  // Output is often JSON (MCP results, `gh api`, `kubectl -o json`): scrubbed structurally when it is.
  const scrubbed = scrubStructured(window, scrubber, counter);
  return cutPreview(scrubbed, { maxBytes, alreadyCut: window !== output });
}

export function scrubThenPreview(output: string, scrubber: Scrubber, counter?: RedactionCounter, maxBytes = PREVIEW_MAX_BYTES): string {
  return scrubThenCutPreview(output, scrubber, counter, maxBytes).text;
}

/**
 * `scrubWindow` as a string of its own, for a record that waits in the queue. V8 makes a slice a view of
 * the whole text, which would keep a caller's megabytes alive behind a window the queue's byte cap counts
 * as 64 Ki. Prepending a character makes a pair that slicing flattens into a new string: one copy.
 */
export function detachedScrubWindow(text: string): string {
  if (text.length <= SCRUB_WINDOW) return text;
  return ` ${scrubWindow(text)}`.slice(1);
}

/** The part of a text that is scrubbed: the first SCRUB_WINDOW code units, never ending inside a surrogate pair. */
export function scrubWindow(text: string, window = SCRUB_WINDOW): string {
  return text.length > window ? text.slice(0, codePointBoundary(text, window)) : text;
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

function codePointBoundary(text: string, index: number): number {
  return isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index)) ? index - 1 : index;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
