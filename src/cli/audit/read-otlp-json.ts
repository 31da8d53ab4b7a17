/**
 * Streams one OTLP/JSON file (plain or gzip) and yields its log records and spans one by one, so a
 * multi-gigabyte file never sits in memory. Two layouts are read:
 * - JSON lines: one export request (or an array of them) per line — our file output, the Collector's
 *   `file` exporter; a line longer than `maxLineBytes` is skipped as malformed;
 * - a whole document: one export request (or an array, or several concatenated) spread over many
 *   lines, as capture tools write pretty-printed JSON — parsed by a streaming JSON parser that emits
 *   each log record and span as it completes, so memory holds one record, not the document.
 * The layout is chosen by the first non-blank lines: a complete JSON value means JSON lines.
 * Malformed data is counted in `stats`, never thrown; only I/O errors (missing file, corrupt gzip)
 * and broken decompression limits reject.
 */
import type { Readable } from 'node:stream';
import { parseOtlpJsonLine, type AuditRecord, type AuditSpan } from './otlp-json.js';
import { readDocument } from './read-document.js';
import { splitLines, type Line } from './lines.js';
import { DEFAULT_DECOMPRESSION_LIMITS, openSource, type BytesReadListener, type DecompressionLimits } from './source.js';

export type { AuditRecord, AuditSpan, PlainAttributes, PlainValue, RecordLocation } from './otlp-json.js';

export type AuditItem = { kind: 'log'; record: AuditRecord } | { kind: 'span'; span: AuditSpan };

export interface MalformedLine {
  file: string;
  /** 1-based line number in the (decompressed) file; 0 inside a whole-document file. */
  line: number;
  reason: string;
}

/** What was read, across every file given to the same stats object. */
export interface ReadStats {
  files: number;
  lines: number;
  blankLines: number;
  /** Lines holding a logs export request. */
  logLines: number;
  /** Lines holding a traces export request. */
  traceLines: number;
  /** Lines holding only metrics requests, skipped. */
  otherSignalLines: number;
  /** Files read as one whole JSON document. */
  documents: number;
  malformedLines: number;
  /** The first `maxMalformedExamples` malformed lines. */
  malformed: MalformedLine[];
  /** Log records yielded. */
  records: number;
  /** Spans yielded. */
  spans: number;
}

export interface ReadOptions {
  /** Name used in locations and errors; default: the path as given. */
  label?: string;
  /** How many malformed lines to keep as examples (default 5). */
  maxMalformedExamples?: number;
  /** Gzip guards; defaults in DEFAULT_DECOMPRESSION_LIMITS. */
  limits?: Partial<DecompressionLimits>;
  /** Longest JSON line, and largest single record of a whole document (default 64 MiB). */
  maxRecordBytes?: number;
  /** Bytes read from disk so far in this file. */
  onBytesRead?: BytesReadListener;
}

export const DEFAULT_MALFORMED_EXAMPLES = 5;
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

export function emptyReadStats(): ReadStats {
  return {
    files: 0, lines: 0, blankLines: 0, logLines: 0, traceLines: 0, otherSignalLines: 0, documents: 0,
    malformedLines: 0, malformed: [], records: 0, spans: 0,
  };
}

/** Yields the log records and spans of one file. Rejects with the I/O error (after yielding what was readable). */
export async function* readOtlpJson(path: string, stats: ReadStats = emptyReadStats(), options: ReadOptions = {}): AsyncGenerator<AuditItem> {
  const file = options.label ?? path;
  const maxExamples = options.maxMalformedExamples ?? DEFAULT_MALFORMED_EXAMPLES;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const limits = { ...DEFAULT_DECOMPRESSION_LIMITS, ...options.limits };
  const malformed = (line: number, reason: string) => {
    stats.malformedLines++;
    if (stats.malformed.length < maxExamples) stats.malformed.push({ file, line, reason });
  };

  const first = await openSource(path, limits, options.onBytesRead);
  stats.files++;
  let documentMode = false;
  let lineNumber = 0;
  let blank = 0;
  function* handle(line: Line, n: number): Generator<AuditItem> {
    stats.lines++;
    if (line.tooLong) {
      malformed(n, `line longer than ${maxRecordBytes} bytes (limit of one record), skipped`);
      return;
    }
    const text = n === 1 ? line.text.replace(/^\uFEFF/, '') : line.text;
    const parsed = parseOtlpJsonLine(text, { file, line: n });
    if (parsed.kind === 'blank') {
      stats.blankLines++;
      return;
    }
    if (parsed.kind === 'malformed') {
      malformed(n, parsed.reason);
      return;
    }
    if (parsed.signals.has('logs')) stats.logLines++;
    if (parsed.signals.has('traces')) stats.traceLines++;
    if (!parsed.signals.has('logs') && !parsed.signals.has('traces')) stats.otherSignalLines++;
    for (const record of parsed.records) {
      stats.records++;
      yield { kind: 'log', record };
    }
    for (const span of parsed.spans) {
      stats.spans++;
      yield { kind: 'span', span };
    }
  }
  try {
    let decided = false;
    // A first line that opens JSON without closing it starts a whole document, unless the next
    // line is a complete JSON value: then it is JSON lines whose first line is damaged.
    let pending: { line: Line; n: number } | null = null;
    for await (const line of splitLines(chunksOf(first.stream), maxRecordBytes)) {
      lineNumber++;
      if (!decided) {
        const head = (line.tooLong ? line.head : line.text).replace(/^\uFEFF/, '').trimStart();
        if (head === '') {
          blank++;
          continue;
        }
        if (pending === null && (head.startsWith('{') || head.startsWith('[')) && (line.tooLong || !isJson(head))) {
          pending = { line, n: lineNumber };
          continue;
        }
        if (pending !== null && (line.tooLong || !isJsonContainer(head))) {
          documentMode = true;
          break;
        }
        decided = true;
        stats.lines += lineNumber - 1 - (pending === null ? 0 : 1);
        stats.blankLines += blank;
        if (pending !== null) yield* handle(pending.line, pending.n);
      }
      yield* handle(line, lineNumber);
    }
    if (!decided && !documentMode) {
      if (pending !== null) documentMode = true;
      else {
        stats.lines += lineNumber;
        stats.blankLines += blank;
      }
    }
  } finally {
    first.stream.destroy();
  }
  if (!documentMode) return;

  stats.documents++;
  const again = await openSource(path, limits, options.onBytesRead);
  try {
    for await (const item of readDocument(chunksOf(again.stream), { file, maxRecordBytes, malformed: (reason) => malformed(0, reason) })) {
      if (item.kind === 'log') stats.records++;
      else stats.spans++;
      yield item;
    }
  } finally {
    again.stream.destroy();
  }
}

/** Only the log records of one file (the spans are read and dropped). */
export async function* readOtlpJsonLogs(path: string, stats: ReadStats = emptyReadStats(), options: ReadOptions = {}): AsyncGenerator<AuditRecord> {
  for await (const item of readOtlpJson(path, stats, options)) if (item.kind === 'log') yield item.record;
}

/** The stream's chunks; rethrows the stream's error (I/O, corrupt gzip, a broken limit) to the reader. */
async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield chunk as Buffer;
}

function isJsonContainer(text: string): boolean {
  return (text.startsWith('{') || text.startsWith('[')) && isJson(text);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
