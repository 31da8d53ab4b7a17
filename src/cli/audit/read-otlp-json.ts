/**
 * Streams an OTLP/JSON lines file (plain or gzip) and yields its log records one by one, so a
 * multi-gigabyte file never sits in memory. Malformed lines and other signals are counted in `stats`,
 * never thrown; only I/O errors (missing file, corrupt gzip) reject.
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parseOtlpJsonLine, type AuditRecord } from './otlp-json.js';

export type { AuditRecord, PlainAttributes, PlainValue, RecordLocation } from './otlp-json.js';

export interface MalformedLine {
  file: string;
  line: number;
  reason: string;
}

/** What was read, across every file given to the same stats object. */
export interface ReadStats {
  files: number;
  lines: number;
  blankLines: number;
  /** Lines holding an `ExportLogsServiceRequest`. */
  logLines: number;
  /** Valid metrics or traces requests, skipped. */
  otherSignalLines: number;
  malformedLines: number;
  /** The first `maxMalformedExamples` malformed lines. */
  malformed: MalformedLine[];
  /** Log records yielded. */
  records: number;
}

export interface ReadOptions {
  /** Name used in locations and errors; default: the path as given. */
  label?: string;
  /** How many malformed lines to keep as examples (default 5). */
  maxMalformedExamples?: number;
}

export const DEFAULT_MALFORMED_EXAMPLES = 5;

export function emptyReadStats(): ReadStats {
  return { files: 0, lines: 0, blankLines: 0, logLines: 0, otherSignalLines: 0, malformedLines: 0, malformed: [], records: 0 };
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Yields the log records of one file. The file is gunzipped on the fly when it starts with the gzip
 * magic bytes, whatever its name. Rejects with the I/O error (after yielding what was readable).
 */
export async function* readOtlpJsonLogs(path: string, stats: ReadStats = emptyReadStats(), options: ReadOptions = {}): AsyncGenerator<AuditRecord> {
  const file = options.label ?? path;
  const maxExamples = options.maxMalformedExamples ?? DEFAULT_MALFORMED_EXAMPLES;
  const source = await openLines(path);
  stats.files++;
  let streamError: Error | undefined;
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  source.on('error', (error: Error) => {
    streamError ??= error;
    lines.close();
  });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      stats.lines++;
      const text = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      const parsed = parseOtlpJsonLine(text, { file, line: lineNumber });
      switch (parsed.kind) {
        case 'blank':
          stats.blankLines++;
          break;
        case 'other-signal':
          stats.otherSignalLines++;
          break;
        case 'malformed':
          stats.malformedLines++;
          if (stats.malformed.length < maxExamples) stats.malformed.push({ file, line: lineNumber, reason: parsed.reason });
          break;
        case 'logs':
          stats.logLines++;
          for (const record of parsed.records) {
            stats.records++;
            yield record;
          }
          break;
      }
    }
  } finally {
    lines.close();
    source.destroy();
  }
  if (streamError) throw streamError;
}

/** A readable of the file's (decompressed) bytes. Rejects when the file cannot be opened. */
async function openLines(path: string): Promise<Readable> {
  const handle = await open(path, 'r');
  let gzip = false;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } catch (error) {
    await handle.close();
    throw error;
  }
  const raw = handle.createReadStream({ start: 0, highWaterMark: 256 * 1024 });
  if (!gzip) return raw;
  // pipeline forwards a read error to the gunzip stream and destroys both on failure.
  return pipeline(raw, createGunzip(), () => undefined);
}
