import type { Command } from 'commander';
import { safeEndpoint } from '../config/safe-endpoint.js';
import { replaySpool, resolveSpoolConfig, type ReplayResult } from '../export/delivery/replay.js';
import { Spool } from '../export/delivery/spool.js';
import { TRACES_CODEC } from '../export/delivery/spool-codec.js';
import { DeliveryStats, type SignalLedger } from '../export/delivery/stats.js';
import { createLogExporter, createSpanExporter, isNetworkExporter } from '../export/exporters.js';
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

interface SpoolCount { files: number; records: number }
const NO_BATCHES: SpoolCount = { files: 0, records: 0 };

/** What one signal's part of the spool held, and what became of it. */
interface SignalFlush {
  before: SpoolCount;
  replay: ReplayResult;
}

/**
 * Sends the spool now, log records through the configured logs exporter and spans through the configured
 * trace exporter: every batch that the collector accepts is removed. Exit 0 when nothing is left that this
 * process could send (including nothing to do), 1 when a batch failed, 2 on a config error or a missing
 * config file.
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
  const logsExporter = isNetworkExporter(config.exporter) ? config.exporter : undefined;
  const traceExporter = isNetworkExporter(config.traceExporter) ? config.traceExporter : undefined;
  if (!logsExporter && !traceExporter) return nothingToDo('no network logs or trace exporter is configured ([otel] exporter, trace_exporter), so nothing is spooled');
  if (!spoolConfig) return nothingToDo('no spool is configured');
  const warnings: string[] = [];
  const stats = new DeliveryStats((line) => warnings.push(line));
  const logsSpool = new Spool({ directory: spoolConfig.directory, maxBytes: spoolConfig.maxBytes, stats });
  const spansSpool = logsSpool.forSignal(TRACES_CODEC, stats.spans);
  // A signal whose exporter is not configured keeps its batches: there is nowhere to send them.
  const sendable = (exporter: unknown, spool: { pending(): SpoolCount }): SpoolCount => (exporter ? spool.pending() : NO_BATCHES);
  const logsBefore = sendable(logsExporter, logsSpool);
  const spansBefore = sendable(traceExporter, spansSpool);
  const totalFiles = logsBefore.files + spansBefore.files;
  if (totalFiles === 0) {
    const stranded = logsExporter ? spansSpool.pending() : logsSpool.pending();
    if (stranded.files === 0) return nothingToDo(`the spool ${spoolConfig.directory} is empty`);
    const missing = logsExporter ? 'no trace_exporter is configured to send its span batches' : 'no logs exporter is configured to send its log batches';
    return nothingToDo(`the spool ${spoolConfig.directory} holds ${stranded.files} batch(es), but ${missing}`);
  }
  const probed = (logsBefore.files > 0 ? logsExporter : undefined) ?? traceExporter!;
  const reachability = await probeEndpoint(probed.endpoint);
  const hint = reachability.reachable ? undefined : collectorHint(reachability);
  if (hint) io.err(`codex-otel flush: ${hint}`);
  const progress = startProgress(progressTarget(io), 'flush', 'batches');
  const report = () => {
    const logsLeft = sendable(logsExporter, logsSpool);
    const spansLeft = sendable(traceExporter, spansSpool);
    progress.update({ done: Math.max(0, totalFiles - logsLeft.files - spansLeft.files), total: totalFiles, detail: `${logsLeft.records + spansLeft.records} record(s) left` });
  };
  const timer = setInterval(report, 250);
  timer.unref();
  const timeLimit = Number(options.timeLimit ?? 30_000);
  const timeLimitMs = Number.isFinite(timeLimit) && timeLimit > 0 ? timeLimit : 30_000;
  const stopAt = performance.now() + timeLimitMs;
  const replayOptions = (ledger: SignalLedger) => ({ stats: ledger, timeLimitMs: Math.max(1, stopAt - performance.now()), exportTimeoutMs: 10_000 });
  let logs: SignalFlush | undefined;
  let spans: SignalFlush | undefined;
  try {
    // Both signals at once, each through its own exporter within the one time limit: a logs endpoint that
    // hangs until the limit must not leave the spans no time (they may be all a TUI denial left).
    [logs, spans] = await Promise.all([
      logsExporter && logsBefore.files > 0
        ? replayWith(createLogExporter(logsExporter), (exporter) => replaySpool(logsSpool, exporter, replayOptions(stats))).then((replay) => ({ before: logsBefore, replay }))
        : undefined,
      traceExporter && spansBefore.files > 0
        ? replayWith(createSpanExporter(traceExporter), (exporter) => replaySpool(spansSpool, exporter, replayOptions(stats.spans))).then((replay) => ({ before: spansBefore, replay }))
        : undefined,
    ]);
  } finally {
    clearInterval(timer);
    report();
    progress.stop();
  }
  for (const line of warnings) io.err(line);
  const logsOut = logs ?? { before: logsBefore, replay: emptyReplay(logsSpool.pending()) };
  const ok = (logs?.replay.failedBatches ?? 0) === 0 && (spans?.replay.failedBatches ?? 0) === 0;
  const spansOut = spans ?? { before: spansBefore, replay: emptyReplay(spansSpool.pending()) };
  // One block per signal whose exporter is configured, each with its own endpoint and counts.
  const logsBlock = logsExporter ? { endpoint: safeEndpoint(logsExporter.endpoint), ...signalCounts(logsOut) } : undefined;
  const spansBlock = traceExporter ? { endpoint: safeEndpoint(traceExporter.endpoint), ...signalCounts(spansOut) } : undefined;
  const summary = {
    ok,
    spool: spoolConfig.directory,
    // The top level kept from before the blocks: the log records' endpoint (absent without a logs
    // exporter, never another signal's) and counts (zero without one), as in `logs`.
    ...(logsBlock ? { endpoint: logsBlock.endpoint } : {}),
    ...signalCounts(logsOut),
    ...(logsBlock ? { logs: logsBlock } : {}),
    ...(spansBlock ? { spans: spansBlock } : {}),
    /** Files in the spool folder this project did not write: left alone, never sent. */
    foreign: logsSpool.foreign(),
    /** This run's delivery ledger (items taken out of the spool show as a negative pendingInSpool). */
    ledger: stats.snapshot(),
    ...(hint ? { hint } : {}),
  };
  if (options.json) {
    io.out(JSON.stringify(summary, null, 2));
  } else {
    const lines = (flush: SignalFlush, noun: string, to: string) => {
      io.out(`spool ${summary.spool}: ${flush.before.records} ${noun} in ${flush.before.files} batch(es)`);
      io.out(`sent ${flush.replay.sent} ${noun} in ${flush.replay.sentBatches} batch(es) to ${to}`);
      io.out(`failed ${flush.replay.failed} ${noun} in ${flush.replay.failedBatches} batch(es) (kept in the spool)`);
      io.out(`dropped ${flush.replay.dropped} ${noun} (undecodable, or rejected by the collector as invalid)`);
      io.out(`remaining ${flush.replay.remaining.records} ${noun} in ${flush.replay.remaining.files} batch(es)`);
    };
    if (logsBlock) lines(logsOut, 'record(s)', logsBlock.endpoint);
    if (spans && spansBlock) lines(spans, 'span(s)', spansBlock.endpoint);
    if (summary.foreign.length > 0) io.out(`left alone ${summary.foreign.length} file(s) not written by codex-otel: ${summary.foreign.join(', ')}`);
    if (!ok && hint) io.out(hint);
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
}

function signalCounts(flush: SignalFlush) {
  return {
    before: flush.before,
    sent: { records: flush.replay.sent, batches: flush.replay.sentBatches },
    failed: { records: flush.replay.failed, batches: flush.replay.failedBatches },
    dropped: flush.replay.dropped,
    remaining: flush.replay.remaining,
  };
}

function emptyReplay(remaining: SpoolCount): ReplayResult {
  return { sent: 0, sentBatches: 0, failed: 0, failedBatches: 0, dropped: 0, remaining };
}

/** Replays through `exporter`, then closes it (bounded) whatever happened. */
async function replayWith<Exporter extends { shutdown(): Promise<void> }>(exporter: Exporter, replay: (exporter: Exporter) => Promise<ReplayResult>): Promise<ReplayResult> {
  try {
    return await replay(exporter);
  } finally {
    await closeExporter(exporter);
  }
}

async function closeExporter(exporter: { shutdown(): Promise<void> }): Promise<void> {
  await Promise.race([exporter.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}

export function registerFlush(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('flush')
    .description('send the spooled log and span batches (written when the collector was unreachable) now')
    .option('-c, --config <path>', 'config.toml to read (default: $CODEX_HOME/config.toml)')
    .option('--json', 'print the counts as JSON')
    .option('--time-limit <ms>', 'give up retrying after this many milliseconds', '30000')
    .action(async (options: FlushOptions) => setExit(await runFlush(options, io)));
}
