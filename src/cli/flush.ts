import type { Command } from 'commander';
import { safeEndpoint } from '../config/safe-endpoint.js';
import { replaySpool, resolveSpoolConfig } from '../export/delivery/replay.js';
import { Spool } from '../export/delivery/spool.js';
import { DeliveryStats } from '../export/delivery/stats.js';
import { createLogExporter } from '../export/exporters.js';
import { collectorHint, probeEndpoint } from './collector-hint.js';
import { printConfigErrors, readCliConfig } from './config-file.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { progressTarget, type CliIo } from './io.js';
import { startProgress } from './progress.js';

export interface FlushOptions {
  config?: string;
  json?: boolean;
  /** Stop retrying and claiming new batches after this many ms (default 30 000). */
  timeLimit?: string;
}

/**
 * Sends the spool now, through the configured logs exporter: every batch that the collector accepts
 * is removed. Exit 0 when nothing is left that this process could send (including nothing to do), 1 when
 * a batch failed, 2 on a config error or a missing config file.
 */
export async function runFlush(options: FlushOptions, io: CliIo): Promise<number> {
  const result = await readCliConfig(options.config, io);
  if (!result.config) {
    if (options.json) io.out(JSON.stringify({ ok: false, config: result.file.path, errors: result.errors }, null, 2));
    printConfigErrors(io, result.errors);
    return EXIT_USAGE;
  }
  const config = result.config;
  const spoolConfig = resolveSpoolConfig(config);
  const nothingToDo = (reason: string): number => {
    if (options.json) io.out(JSON.stringify({ ok: true, nothingToDo: reason }, null, 2));
    else io.out(`codex-otel flush: nothing to do: ${reason}`);
    return EXIT_OK;
  };
  if (config.exporter.kind !== 'otlp-http' && config.exporter.kind !== 'otlp-grpc') return nothingToDo('no network logs exporter is configured ([otel] exporter), so nothing is spooled');
  if (!spoolConfig) return nothingToDo('no spool is configured');
  const warnings: string[] = [];
  const stats = new DeliveryStats((line) => warnings.push(line));
  const spool = new Spool({ directory: spoolConfig.directory, maxBytes: spoolConfig.maxBytes, stats });
  const before = spool.pending();
  if (before.files === 0) return nothingToDo(`the spool ${spoolConfig.directory} is empty`);
  const reachability = await probeEndpoint(config.exporter.endpoint);
  const hint = reachability.reachable ? undefined : collectorHint(reachability);
  if (hint) io.err(`codex-otel flush: ${hint}`);
  const exporter = createLogExporter(config.exporter);
  const progress = startProgress(progressTarget(io), 'flush', 'batches');
  const report = () => {
    const left = spool.pending();
    progress.update({ done: Math.max(0, before.files - left.files), total: before.files, detail: `${left.records} record(s) left` });
  };
  const timer = setInterval(report, 250);
  timer.unref();
  let replay;
  try {
    const timeLimitMs = Number(options.timeLimit ?? 30_000);
    replay = await replaySpool(spool, exporter, {
      stats,
      timeLimitMs: Number.isFinite(timeLimitMs) && timeLimitMs > 0 ? timeLimitMs : 30_000,
      exportTimeoutMs: 10_000,
    });
  } finally {
    clearInterval(timer);
    report();
    progress.stop();
    await Promise.race([exporter.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
  for (const line of warnings) io.err(line);
  const ok = replay.failedBatches === 0;
  const summary = {
    ok,
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
    ...(hint ? { hint } : {}),
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
    if (!ok && hint) io.out(hint);
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
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
