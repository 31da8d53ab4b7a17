import type { Command } from 'commander';
import { safeEndpoint } from '../config/safe-endpoint.js';
import { readConfig } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import { replaySpool, resolveSpoolConfig } from '../export/delivery/replay.js';
import { Spool } from '../export/delivery/spool.js';
import { DeliveryStats } from '../export/delivery/stats.js';
import { createLogExporter } from '../export/exporters.js';
import type { CliIo } from './io.js';

export const EXIT_FLUSHED = 0;
export const EXIT_NOT_FLUSHED = 1;
export const EXIT_CONFIG_ERROR = 2;

export interface FlushOptions {
  config?: string;
  json?: boolean;
  /** Stop retrying and claiming new batches after this many ms (default 30 000). */
  timeLimit?: string;
}

/**
 * Sends the spool now, through the configured logs exporter: every batch that the collector accepts
 * is removed. Exit 0 when nothing is left that this process could send, 1 when a batch failed, 2 on a
 * config error.
 */
export async function runFlush(options: FlushOptions, io: CliIo): Promise<number> {
  const result = await readConfig({ ...(options.config !== undefined ? { path: options.config } : {}), env: io.env });
  if (!result.config) {
    io.err(`${result.errors.length} error(s):`);
    for (const error of result.errors) io.err(`  - ${formatProblem(error)}`);
    return EXIT_CONFIG_ERROR;
  }
  const config = result.config;
  const spoolConfig = resolveSpoolConfig(config);
  if (config.exporter.kind !== 'otlp-http' && config.exporter.kind !== 'otlp-grpc') {
    io.err('codex-otel flush: no network logs exporter is configured ([otel] exporter); nothing to send to');
    return EXIT_NOT_FLUSHED;
  }
  if (!spoolConfig) {
    io.out('codex-otel flush: no spool configured; nothing to send');
    return EXIT_FLUSHED;
  }
  const warnings: string[] = [];
  const stats = new DeliveryStats((line) => warnings.push(line));
  const spool = new Spool({ directory: spoolConfig.directory, maxBytes: spoolConfig.maxBytes, stats });
  const before = spool.pending();
  const exporter = createLogExporter(config.exporter);
  let replay;
  try {
    const timeLimitMs = Number(options.timeLimit ?? 30_000);
    replay = await replaySpool(spool, exporter, {
      stats,
      timeLimitMs: Number.isFinite(timeLimitMs) && timeLimitMs > 0 ? timeLimitMs : 30_000,
      exportTimeoutMs: 10_000,
    });
  } finally {
    await Promise.race([exporter.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
  for (const line of warnings) io.err(line);
  const summary = {
    spool: spoolConfig.directory,
    endpoint: safeEndpoint(config.exporter.endpoint),
    before,
    sent: { records: replay.sent, batches: replay.sentBatches },
    failed: { records: replay.failed, batches: replay.failedBatches },
    dropped: replay.dropped,
    remaining: replay.remaining,
    /** Files in the spool folder this project did not write: left alone, never sent. */
    foreign: spool.foreign(),
    /** This run's delivery ledger (records taken out of the spool show as a negative pendingInSpool). */
    ledger: stats.snapshot(),
  };
  if (options.json) {
    io.out(JSON.stringify(summary, null, 2));
  } else {
    io.out(`spool ${summary.spool}: ${before.records} record(s) in ${before.files} batch(es)`);
    io.out(`sent ${replay.sent} record(s) in ${replay.sentBatches} batch(es) to ${summary.endpoint}`);
    io.out(`failed ${replay.failed} record(s) in ${replay.failedBatches} batch(es) (kept in the spool)`);
    io.out(`dropped ${replay.dropped} record(s) (undecodable, or rejected by the collector as invalid)`);
    io.out(`remaining ${replay.remaining.records} record(s) in ${replay.remaining.files} batch(es)`);
    if (summary.foreign.length > 0) io.out(`left alone ${summary.foreign.length} file(s) not written by codex-otel: ${summary.foreign.join(', ')}`);
  }
  return replay.failedBatches > 0 ? EXIT_NOT_FLUSHED : EXIT_FLUSHED;
}

export function registerFlush(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('flush')
    .description('send the spooled log batches (written when the collector was unreachable) now')
    .option('-c, --config <path>', 'config.toml to read (default: $CODEX_HOME/config.toml)')
    .option('--json', 'print the counts as JSON')
    .option('--time-limit <ms>', 'give up retrying after this many milliseconds', '30000')
    .action(async (options: FlushOptions) => setExit(await runFlush(options, io)));
}
