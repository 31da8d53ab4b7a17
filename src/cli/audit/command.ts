/**
 * `codex-otel audit [--format table|json|csv|html] [--output FILE] [--since TIME] [--until TIME] [--section NAME] FILE_OR_DIR...`
 *
 * Exit codes: 0 report printed; 2 usage error (bad --since/--until/--format/--section/limits) or a
 * path that is missing or unreadable — said before anything is read, and no report is printed — or a
 * file that failed while being read (corrupt gzip, a decompression limit): named on stderr before the
 * report of everything else. Malformed lines are counted and reported on stderr, never an error.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { progressTarget, type CliIo } from '../io.js';
import { startProgress } from '../progress.js';
import { AUDIT_FORMATS, AUDIT_SECTIONS, formatAuditReport, type AuditFormat, type AuditSection } from './format.js';
import { describeIoError, expandAuditInputs, type ExpandedInputs } from './inputs.js';
import { emptyReadStats, readOtlpJson } from './read-otlp-json.js';
import { AuditAggregator, type AuditFilter, type AuditReport } from './report.js';
import { DEFAULT_DECOMPRESSION_LIMITS, formatBytes, parseByteSize, type DecompressionLimits } from './source.js';
import { parseTimeBound } from './time-bound.js';


/** Where a long audit is: for a progress bar (the reader never draws one itself). */
export interface AuditProgress {
  /** The file being read. */
  file: string;
  /** Files finished so far. */
  filesDone: number;
  filesTotal: number;
  /** Bytes read from disk so far over every file (compressed bytes for gzip). */
  bytesRead: number;
  /** Total size on disk of every file. */
  totalBytes: number;
}

export type AuditProgressCallback = (progress: AuditProgress) => void;

export interface AuditOptions {
  /** Files (plain or gzip) and directories (read recursively). */
  paths: string[];
  /** Default `table`. */
  format?: AuditFormat | string;
  /** The same as `format: 'json'` (every codex-otel command takes `--json`). */
  json?: boolean;
  /** Write the report to this file instead of stdout. */
  output?: string;
  /** RFC 3339 time, date, or duration back from now (`24h`); inclusive. */
  since?: string;
  /** Same forms; exclusive. */
  until?: string;
  /** table/csv: only this section. */
  section?: AuditSection | string;
  /** Gzip guard: most bytes one file may expand to (`8GiB`, `512MiB`, a number of bytes). */
  maxDecompressedSize?: string;
  /** Gzip guard: most decompressed bytes per compressed byte. */
  maxCompressionRatio?: string;
  /** Epoch ms that relative durations count back from; default `Date.now()` (tests). */
  now?: number;
  onProgress?: AuditProgressCallback;
}

export interface AuditFilesOptions {
  filter?: AuditFilter;
  limits?: Partial<DecompressionLimits>;
  onProgress?: AuditProgressCallback;
}

export interface AuditResult {
  report: AuditReport;
  /** One message per file or argument that could not be read (also in `report.input.errors`). */
  errors: string[];
  /** Records skipped because one with the same `codex_otel.record_id` was already counted (at-least-once delivery). */
  duplicates: number;
}

/** Reads every file (streaming) and aggregates: the reusable core of `audit`, for `demo`'s summary. */
export async function auditFiles(paths: readonly string[], options: AuditFilesOptions = {}): Promise<AuditResult> {
  return auditInputs(await expandAuditInputs(paths), options);
}

/** The same over paths already expanded (and checked) by `expandAuditInputs`. */
export async function auditInputs(inputs: ExpandedInputs, options: AuditFilesOptions = {}): Promise<AuditResult> {
  const { filter, limits, onProgress } = options;
  const { files, totalBytes } = inputs;
  const errors = [...inputs.errors];
  const stats = emptyReadStats();
  const aggregator = new AuditAggregator(filter ?? {});
  const read: string[] = [];
  let bytesBefore = 0;
  for (const [index, file] of files.entries()) {
    const progress = (bytes: number) => onProgress?.({ file, filesDone: index, filesTotal: files.length, bytesRead: bytesBefore + bytes, totalBytes });
    progress(0);
    let fileBytes = 0;
    try {
      // A whole-document file is opened twice (the first line decides the layout): never count back.
      const onBytesRead = (bytes: number) => {
        if (bytes <= fileBytes) return;
        fileBytes = bytes;
        progress(bytes);
      };
      const reading = readOtlpJson(file, stats, { ...(limits ? { limits } : {}), onBytesRead });
      for await (const item of reading) {
        if (item.kind === 'log') aggregator.add(item.record);
        else aggregator.addSpan(item.span);
      }
      read.push(file);
    } catch (error) {
      errors.push(`${file}: ${describeIoError(error)}`);
    }
    bytesBefore += fileBytes;
  }
  onProgress?.({ file: files.at(-1) ?? '', filesDone: files.length, filesTotal: files.length, bytesRead: bytesBefore, totalBytes });
  const report = aggregator.report({
    files: read,
    errors,
    lines: stats.lines,
    logLines: stats.logLines,
    traceLines: stats.traceLines,
    otherSignalLines: stats.otherSignalLines,
    documents: stats.documents,
    malformedLines: stats.malformedLines,
    malformed: stats.malformed,
  });
  return { report, errors, duplicates: report.duplicate_records };
}

/** The `audit` command: prints the report on `io.out` (or writes `--output`), problems on `io.err`; returns the exit code. */
export async function runAudit(options: AuditOptions, io: CliIo): Promise<number> {
  // `--json` means a JSON document on stdout whatever happens: a refusal is `{ ok: false, … }`.
  const wantsJson = options.json === true || options.format === 'json';
  const usage = (message: string) => refuse(io, wantsJson, message, [message]);
  if (options.json && options.format !== undefined && options.format !== 'json') {
    return usage(`--json and --format ${options.format} ask for two formats; give one`);
  }
  const format = options.json ? 'json' : options.format ?? 'table';
  if (!isOneOf(format, AUDIT_FORMATS)) return usage(`--format must be one of ${AUDIT_FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  const section = options.section;
  if (section !== undefined) {
    if (!isOneOf(section, AUDIT_SECTIONS)) return usage(`--section must be one of ${AUDIT_SECTIONS.join(', ')}; got ${JSON.stringify(section)}`);
    if (format === 'json' || format === 'html') return usage(`--section applies to --format table and csv; the ${format} form is always the whole report`);
  }
  const now = options.now ?? Date.now();
  const filter: AuditFilter = {};
  for (const key of ['since', 'until'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    const bound = parseTimeBound(value, now);
    if (!bound.ok) return usage(`--${key}: ${bound.message}`);
    filter[key] = bound.millis;
  }
  if (filter.since != null && filter.until != null && filter.since >= filter.until) {
    return usage(`--since (${new Date(filter.since).toISOString()}) must be before --until (${new Date(filter.until).toISOString()})`);
  }
  const limits: Partial<DecompressionLimits> = {};
  if (options.maxDecompressedSize !== undefined) {
    const bytes = parseByteSize(options.maxDecompressedSize);
    if (bytes === null) return usage(`--max-decompressed-size: expected a size such as 8GiB, 512MiB or 1048576; got ${JSON.stringify(options.maxDecompressedSize)}`);
    limits.maxDecompressedBytes = bytes;
  }
  if (options.maxCompressionRatio !== undefined) {
    const ratio = Number(options.maxCompressionRatio);
    if (!Number.isFinite(ratio) || ratio < 1) return usage(`--max-compression-ratio: expected a number of at least 1; got ${JSON.stringify(options.maxCompressionRatio)}`);
    limits.maxRatio = ratio;
  }
  if (options.paths.length === 0) return usage('give at least one OTLP/JSON file or directory');

  // Every path is checked before anything is read or printed.
  const inputs = await expandAuditInputs(options.paths);
  if (inputs.errors.length > 0) {
    for (const error of inputs.errors) io.err(`audit: ${error}`);
    return refuse(io, wantsJson, 'nothing was read; no report', inputs.errors);
  }

  const bar = options.onProgress ? null : startProgress(progressTarget(io), 'audit', 'KiB');
  const onProgress: AuditProgressCallback = options.onProgress ?? ((p) => bar!.update({
    done: Math.round(p.bytesRead / 1024),
    total: Math.round(p.totalBytes / 1024),
    detail: `file ${Math.min(p.filesDone + 1, p.filesTotal)}/${p.filesTotal} ${basename(p.file)}`,
  }));
  let result: AuditResult;
  try {
    result = await auditInputs(inputs, { filter, limits, onProgress });
  } finally {
    bar?.stop();
  }
  const { report, errors, duplicates } = result;
  for (const error of errors) io.err(`audit: ${error}`);
  if (duplicates > 0) io.err(`audit: skipped ${duplicates} duplicate record(s) (same codex_otel.record_id, delivered more than once)`);
  if (report.malformed_lines > 0) {
    const examples = report.malformed_examples.map((m) => `${m.location} (${m.reason})`).join(', ');
    io.err(`audit: skipped ${report.malformed_lines} malformed line(s); first: ${examples}`);
  }
  if (report.input.files.length === 0 && errors.length > 0) {
    return refuse(io, wantsJson, 'no file could be read; no report', errors);
  }
  const text = formatAuditReport(report, format, section === undefined ? {} : { section });
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, text.endsWith('\n') ? text : `${text}\n`);
    } catch (error) {
      io.err(`audit: ${options.output}: cannot write the report: ${describeIoError(error)}`);
      return EXIT_USAGE;
    }
    io.out(`audit: ${format} report written to ${options.output}`);
  } else {
    io.out(text);
  }
  return errors.length > 0 ? EXIT_USAGE : EXIT_OK;
}

export function registerAudit(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('audit')
    .description('report approvals, denials, risky conversations, tool failures and MCP use from OTLP/JSON log and trace files')
    .argument('<paths...>', 'OTLP/JSON files (JSON lines or whole documents, plain or gzip) or directories, read recursively')
    .addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(AUDIT_FORMATS))
    .option('--json', 'the same as --format json')
    .option('-o, --output <file>', 'write the report to FILE instead of stdout (html: one self-contained page)')
    .option('--since <time>', 'only events at or after TIME: RFC 3339 (2026-06-09T12:00:00Z), a date, or a duration back from now (30m, 24h, 7d)')
    .option('--until <time>', 'only events before TIME (same forms)')
    .addOption(new Option('--section <name>', 'table/csv: print only this section').choices(AUDIT_SECTIONS))
    .option('--max-decompressed-size <size>', `refuse a gzip file that expands beyond SIZE (default ${formatBytes(DEFAULT_DECOMPRESSION_LIMITS.maxDecompressedBytes).replace(' ', '')})`)
    .option('--max-compression-ratio <n>', `refuse a gzip file that expands more than N times (default ${DEFAULT_DECOMPRESSION_LIMITS.maxRatio})`)
    .addHelpText('after', [
      '',
      'Examples:',
      '  codex-otel audit ./telemetry                      # every *.json / *.jsonl (/.gz) below it, metrics* skipped',
      '  codex-otel audit --since 24h --format json collector-export.jsonl.gz',
      '  codex-otel audit --format csv --section denials ./telemetry > denials.csv',
      '  codex-otel audit --format html --output report.html ./telemetry',
    ].join('\n'))
    .action(async (paths: string[], options: Omit<AuditOptions, 'paths'>) => setExit(await runAudit({ ...options, paths }, io)));
}

/** Exit 2 without a report: the reason on stderr, and under `--json` a JSON document on stdout. */
function refuse(io: CliIo, json: boolean, message: string, errors: readonly string[]): number {
  io.err(`audit: ${message}`);
  if (json) io.out(JSON.stringify({ ok: false, error: message, errors }, null, 2));
  return EXIT_USAGE;
}

function isOneOf<T extends string>(value: string, choices: readonly T[]): value is T {
  return (choices as readonly string[]).includes(value);
}
