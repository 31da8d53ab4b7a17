/**
 * `codex-otel audit [--format table|json|csv] [--since TIME] [--until TIME] [--section NAME] FILE_OR_DIR...`
 *
 * Exit codes: 0 report printed; 2 usage error (bad --since/--until/--format/--section), or a file or
 * directory that could not be read — the report of everything else is still printed.
 * Malformed lines are counted and reported on stderr, never an error.
 */
import { Option, type Command } from 'commander';
import type { CliIo } from '../io.js';
import { AUDIT_FORMATS, AUDIT_SECTIONS, formatAuditReport, type AuditFormat, type AuditSection } from './format.js';
import { describeIoError, expandAuditInputs } from './inputs.js';
import { emptyReadStats, readOtlpJsonLogs } from './read-otlp-json.js';
import { AuditAggregator, type AuditFilter, type AuditReport } from './report.js';
import { parseTimeBound } from './time-bound.js';

export const EXIT_OK = 0;
export const EXIT_USAGE_OR_INPUT_ERROR = 2;

export interface AuditOptions {
  /** Files (plain or gzip) and directories. */
  paths: string[];
  /** Default `table`. */
  format?: AuditFormat | string;
  /** RFC 3339 time, date, or duration back from now (`24h`); inclusive. */
  since?: string;
  /** Same forms; exclusive. */
  until?: string;
  /** table/csv: only this section. */
  section?: AuditSection | string;
  /** Epoch ms that relative durations count back from; default `Date.now()` (tests). */
  now?: number;
}

export interface AuditResult {
  report: AuditReport;
  /** One message per file or argument that could not be read (also in `report.input.errors`). */
  errors: string[];
  /** Records skipped because one with the same `codex_otel.record_id` was already counted (at-least-once delivery). */
  duplicates: number;
}

/** Reads every file (streaming) and aggregates: the reusable core of `audit`, for `simulate`'s summary. */
export async function auditFiles(paths: readonly string[], filter: AuditFilter = {}): Promise<AuditResult> {
  const { files, errors } = await expandAuditInputs(paths);
  const stats = emptyReadStats();
  const aggregator = new AuditAggregator(filter);
  const read: string[] = [];
  // Delivery is at-least-once (docs/delivery.md): a resent record carries the id it was emitted with.
  const seen = new Set<string>();
  let duplicates = 0;
  for (const file of files) {
    try {
      for await (const record of readOtlpJsonLogs(file, stats)) {
        const id = record.attributes['codex_otel.record_id'];
        if (typeof id === 'string') {
          if (seen.has(id)) {
            duplicates++;
            continue;
          }
          seen.add(id);
        }
        aggregator.add(record);
      }
      read.push(file);
    } catch (error) {
      errors.push(`${file}: ${describeIoError(error)}`);
    }
  }
  const report = aggregator.report({
    files: read,
    errors,
    lines: stats.lines,
    logLines: stats.logLines,
    otherSignalLines: stats.otherSignalLines,
    malformedLines: stats.malformedLines,
    malformed: stats.malformed,
  });
  return { report, errors, duplicates };
}

/** The `audit` command: prints the report on `io.out`, problems on `io.err`; returns the exit code. */
export async function runAudit(options: AuditOptions, io: CliIo): Promise<number> {
  const format = options.format ?? 'table';
  if (!isOneOf(format, AUDIT_FORMATS)) return usage(io, `--format must be one of ${AUDIT_FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  const section = options.section;
  if (section !== undefined) {
    if (!isOneOf(section, AUDIT_SECTIONS)) return usage(io, `--section must be one of ${AUDIT_SECTIONS.join(', ')}; got ${JSON.stringify(section)}`);
    if (format === 'json') return usage(io, '--section applies to --format table and csv; the JSON form is always the whole report');
  }
  const now = options.now ?? Date.now();
  const filter: AuditFilter = {};
  for (const key of ['since', 'until'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    const bound = parseTimeBound(value, now);
    if (!bound.ok) return usage(io, `--${key}: ${bound.message}`);
    filter[key] = bound.millis;
  }
  if (filter.since != null && filter.until != null && filter.since >= filter.until) {
    return usage(io, `--since (${new Date(filter.since).toISOString()}) must be before --until (${new Date(filter.until).toISOString()})`);
  }
  if (options.paths.length === 0) return usage(io, 'give at least one OTLP/JSON file or directory');

  const { report, errors, duplicates } = await auditFiles(options.paths, filter);
  io.out(formatAuditReport(report, format, section === undefined ? {} : { section }));
  for (const error of errors) io.err(`audit: ${error}`);
  if (duplicates > 0) io.err(`audit: skipped ${duplicates} duplicate record(s) (same codex_otel.record_id, delivered more than once)`);
  if (report.malformed_lines > 0) {
    const examples = report.malformed_examples.map((m) => `${m.location} (${m.reason})`).join(', ');
    io.err(`audit: skipped ${report.malformed_lines} malformed line(s); first: ${examples}`);
  }
  return errors.length > 0 ? EXIT_USAGE_OR_INPUT_ERROR : EXIT_OK;
}

export function registerAudit(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('audit')
    .description('report approvals, denials, risky conversations, tool failures and MCP use from OTLP/JSON log files')
    .argument('<paths...>', 'OTLP/JSON lines files (plain or gzip) or directories of *.jsonl / *.jsonl.gz files')
    .addOption(new Option('-f, --format <format>', 'output format').choices(AUDIT_FORMATS).default('table'))
    .option('--since <time>', 'only events at or after TIME: RFC 3339 (2026-06-09T12:00:00Z), a date, or a duration back from now (30m, 24h, 7d)')
    .option('--until <time>', 'only events before TIME (same forms)')
    .addOption(new Option('--section <name>', 'table/csv: print only this section').choices(AUDIT_SECTIONS))
    .addHelpText('after', [
      '',
      'Examples:',
      '  codex-otel audit ./telemetry                      # every *.jsonl / *.jsonl.gz in it, metrics* skipped',
      '  codex-otel audit --since 24h --format json collector-export.jsonl.gz',
      '  codex-otel audit --format csv --section denials ./telemetry > denials.csv',
    ].join('\n'))
    .action(async (paths: string[], options: Omit<AuditOptions, 'paths'>) => setExit(await runAudit({ ...options, paths }, io)));
}

function usage(io: CliIo, message: string): number {
  io.err(`audit: ${message}`);
  return EXIT_USAGE_OR_INPUT_ERROR;
}

function isOneOf<T extends string>(value: string, choices: readonly T[]): value is T {
  return (choices as readonly string[]).includes(value);
}
