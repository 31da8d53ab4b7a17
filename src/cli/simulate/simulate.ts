/**
 * `codex-otel simulate`: realistic, seeded agent sessions through the real library, exported by the real
 * exporters, with a summary of what was emitted, exported, failed and dropped.
 */
import type { DeliveryStatsSnapshot } from '../../export/delivery/stats.js';
import { takeOverRetries } from '../../export/delivery/outcome.js';
import { safeEndpoint } from '../../config/safe-endpoint.js';
import { readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { defaultConfig, DEFAULT_FILE_MAX_BYTES, DEFAULT_FILE_MAX_FILES } from '../../config/defaults.js';
import { readConfig } from '../../config/load.js';
import { formatProblem } from '../../config/problems.js';
import type { NetworkExporterConfig, OtelConfig } from '../../config/types.js';
import { CATALOG, type ShapeId } from '../../events/catalog.js';
import { createLogExporter, createMetricExporter, isNetworkExporter } from '../../export/exporters.js';
import { JsonLinesLogExporter, JsonLinesMetricExporter, LOGS_FILE, METRICS_FILE } from '../../export/file-exporters.js';
import { createTelemetry } from '../../telemetry.js';
import { PACKAGE_VERSION } from '../../version.js';
import type { CliIo } from '../io.js';
import { CountingLogExporter, CountingMetricExporter, EmitCounter, type ExportTally } from './counting.js';
import { Random } from './prng.js';
import { runConversation, type DriveContext } from './scenario.js';

export const EXIT_OK = 0;
export const EXIT_LOSS = 1;
export const EXIT_USAGE = 2;

/** Where the embedded default writes, relative to the current folder. */
export const DEFAULT_OUT_DIR = 'codex-otel-out';
/** `service.name` and `originator` of simulated telemetry: synthetic data never passes for a real client. */
export const SIMULATE_ORIGINATOR = 'codex_otel_simulate';
export const DEFAULT_SESSIONS = 5;
export const DEFAULT_SEED = 1;

export interface SimulateOptions {
  config?: string;
  sessions?: string | number;
  seed?: string | number;
  rate?: string | number;
  duration?: string | number;
  out?: string;
  endpoint?: string;
  fresh?: boolean;
  json?: boolean;
}

export interface ExporterSummary extends ExportTally {
  signal: 'logs' | 'metrics';
  /** `file /path/logs.jsonl` or `otlp-http http://…/v1/logs`. */
  target: string;
  /** Logs only: records the batch processor never passed to the exporter (queue full, or abandoned at shutdown). */
  dropped?: number;
}

export interface SimulateSummary {
  seed: number;
  sessions: number;
  /** Wall-clock time of the sessions, before shutdown. */
  runMs: number;
  events: { total: number; byName: Record<string, number>; byShape: Record<string, number> };
  exporters: ExporterSummary[];
  shutdown: { completed: boolean; elapsedMs: number };
  /** The delivery layer's own counts: retries, batches spooled for a later run, drops by reason. */
  delivery?: DeliveryStatsSnapshot;
  /** The file output folder, when there is one. */
  directory?: string;
}

/** The config when no --config is given: nothing on the network, OTLP/JSON files into ./codex-otel-out. */
export function embeddedConfig(cwd = process.cwd()): OtelConfig {
  const config = defaultConfig();
  config.present = true;
  config.environment = 'simulate';
  config.extensions.metricsExportIntervalMs = 10_000;
  config.extensions.shutdownTimeoutMs = 10_000;
  config.extensions.fileOutput = { directory: resolve(cwd, DEFAULT_OUT_DIR), maxBytes: DEFAULT_FILE_MAX_BYTES, maxFiles: DEFAULT_FILE_MAX_FILES };
  return config;
}

class UsageError extends Error {}

function integerOption(value: string | number | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < min) throw new UsageError(`${name} must be an integer of at least ${min}, got ${JSON.stringify(String(value))}`);
  return number;
}

function positiveNumber(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${name} must be a positive number, got ${JSON.stringify(String(value))}`);
  return number;
}

/** `--endpoint http://host:4318` → OTLP/HTTP protobuf to /v1/logs and /v1/metrics. */
export function endpointExporters(raw: string): { logs: NetworkExporterConfig; metrics: NetworkExporterConfig } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:4318, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint must use http:// or https://, got ${JSON.stringify(raw)}`);
  const base = url.toString().replace(/\/+$/, '').replace(/\/v1\/(logs|metrics|traces)$/, '');
  return {
    logs: { kind: 'otlp-http', endpoint: `${base}/v1/logs`, protocol: 'binary', headers: {} },
    metrics: { kind: 'otlp-http', endpoint: `${base}/v1/metrics`, protocol: 'binary', headers: {} },
  };
}

/** Resolves the config of a run from the options; throws UsageError, or returns the config errors. */
async function resolveConfig(options: SimulateOptions, io: CliIo): Promise<OtelConfig | undefined> {
  let config: OtelConfig;
  if (options.config !== undefined) {
    const result = await readConfig({ path: options.config, env: io.env });
    for (const warning of result.warnings) io.err(`codex-otel: warning: ${formatProblem(warning)}`);
    if (!result.config) {
      io.err(`${result.errors.length} config error(s):`);
      for (const error of result.errors) io.err(`  - ${formatProblem(error)}`);
      return undefined;
    }
    config = result.config;
    if (!config.present) io.err(`codex-otel: note: ${config.source ?? options.config} has no [otel] table; simulate uses its defaults (nothing configured to receive)`);
  } else {
    config = embeddedConfig();
  }
  if (options.out !== undefined) {
    // --out: file output into DIR and nothing on the network from the config.
    const file = config.extensions.fileOutput;
    config.extensions.fileOutput = { directory: resolve(options.out), maxBytes: file?.maxBytes ?? DEFAULT_FILE_MAX_BYTES, maxFiles: file?.maxFiles ?? DEFAULT_FILE_MAX_FILES };
    config.exporter = { kind: 'none' };
    config.metricsExporter = { kind: 'none' };
  }
  if (options.endpoint !== undefined) {
    const { logs, metrics } = endpointExporters(options.endpoint);
    config.exporter = logs;
    config.metricsExporter = metrics;
  }
  return config;
}

const OUTPUT_FILE = new RegExp(`^(${LOGS_FILE.replace('.jsonl', '')}|${METRICS_FILE.replace('.jsonl', '')})(\\.\\d+)?\\.jsonl$`);

/** Removes what the file output writes (logs[.N].jsonl, metrics[.N].jsonl) from `directory`, nothing else. */
export async function clearOutput(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed = names.filter((name) => OUTPUT_FILE.test(name));
  await Promise.all(removed.map((name) => rm(join(directory, name), { force: true })));
  return removed;
}

/** Runs a simulation and returns its summary; writes progress on stderr. Throws UsageError on bad options. */
export async function simulate(options: SimulateOptions, io: CliIo, signal?: AbortSignal): Promise<SimulateSummary | undefined> {
  const sessions = integerOption(options.sessions, '--sessions', DEFAULT_SESSIONS, 1);
  const seed = integerOption(options.seed, '--seed', DEFAULT_SEED, 0);
  const rate = positiveNumber(options.rate, '--rate');
  const durationS = positiveNumber(options.duration, '--duration');
  const config = await resolveConfig(options, io);
  if (!config) return undefined;

  const file = config.extensions.fileOutput;
  if (options.fresh) {
    if (file) await clearOutput(file.directory);
    else io.err('codex-otel: note: --fresh ignored: no file output configured');
  }

  // The exporters the pipeline would build, built here so each can be wrapped in a counter.
  const logExporters: CountingLogExporter[] = [];
  const metricExporters: CountingMetricExporter[] = [];
  // As the pipeline does for its own: one retry policy (the pipeline's), not the SDK's inner retries too.
  if (isNetworkExporter(config.exporter)) {
    const exporter = createLogExporter(config.exporter);
    takeOverRetries(exporter);
    logExporters.push(new CountingLogExporter(exporter, `${config.exporter.kind} ${safeEndpoint(config.exporter.endpoint)}`));
  }
  if (isNetworkExporter(config.metricsExporter)) {
    const exporter = createMetricExporter(config.metricsExporter, config.extensions.metricsTemporality);
    takeOverRetries(exporter);
    metricExporters.push(new CountingMetricExporter(exporter, `${config.metricsExporter.kind} ${safeEndpoint(config.metricsExporter.endpoint)}`));
  }
  if (file) {
    logExporters.push(new CountingLogExporter(new JsonLinesLogExporter(file), `file ${join(file.directory, LOGS_FILE)}`));
    metricExporters.push(new CountingMetricExporter(new JsonLinesMetricExporter(file, config.extensions.metricsTemporality), `file ${join(file.directory, METRICS_FILE)}`));
  }
  const pipelineConfig: OtelConfig = {
    ...config,
    exporter: { kind: 'none' },
    metricsExporter: { kind: 'none' },
    extensions: { ...config.extensions, fileOutput: undefined },
  };
  delete pipelineConfig.extensions.fileOutput;
  const telemetry = createTelemetry(pipelineConfig, {
    originator: SIMULATE_ORIGINATOR,
    appVersion: PACKAGE_VERSION,
    diagnostics: false,
    logExporters: logExporters as LogRecordExporter[],
    metricExporters: metricExporters as PushMetricExporter[],
  });

  const rng = new Random(seed);
  const counter = new EmitCounter();
  const started = performance.now();
  const deadline = durationS !== undefined ? started + durationS * 1000 : undefined;
  const stopping = () => signal?.aborted === true || (deadline !== undefined && performance.now() >= deadline);
  let ticks = 0;
  const ctx: DriveContext = {
    rng,
    stopping,
    async tick() {
      ticks++;
      if (rate !== undefined) {
        const ahead = started + (counter.total / rate) * 1000 - performance.now();
        if (ahead > 4) {
          await sleep(deadline !== undefined ? Math.min(ahead, Math.max(0, deadline - performance.now()) + 1) : ahead);
          return;
        }
      }
      // Let timers and I/O run (batch exports, file writes) even at full speed.
      if (ticks % 32 === 0) await new Promise<void>((done) => setImmediate(done));
    },
  };

  let done = 0;
  const progress = startProgress(io, () => ({ done, total: deadline === undefined ? sessions : undefined, events: counter.total, elapsedMs: performance.now() - started, durationMs: durationS !== undefined ? durationS * 1000 : undefined }));
  try {
    for (let index = 0; deadline !== undefined || index < sessions; index++) {
      if (index > 0 && stopping()) break;
      if (deadline === undefined && signal?.aborted) break;
      await runConversation(telemetry, ctx, index, (session) => counter.wrap(session));
      done++;
    }
  } finally {
    progress.stop();
  }
  const runMs = performance.now() - started;
  const shutdown = await telemetry.shutdown();

  const summary: SimulateSummary = {
    seed,
    sessions: done,
    runMs,
    events: {
      total: counter.total,
      byName: Object.fromEntries([...counter.byName].sort(([a], [b]) => a.localeCompare(b))),
      byShape: Object.fromEntries([...counter.byShape]),
    },
    exporters: [
      ...logExporters.map((exporter): ExporterSummary => ({
        signal: 'logs',
        target: exporter.label,
        ...exporter.tally,
        dropped: Math.max(0, counter.total - exporter.tally.exported - exporter.tally.failed),
      })),
      ...metricExporters.map((exporter): ExporterSummary => ({ signal: 'metrics', target: exporter.label, ...exporter.tally })),
    ],
    shutdown: { completed: shutdown.completed, elapsedMs: shutdown.elapsedMs },
    ...(shutdown.delivery ? { delivery: shutdown.delivery } : {}),
    ...(file ? { directory: file.directory } : {}),
  };
  return summary;
}

/** True when everything emitted reached every exporter. */
export function lossless(summary: SimulateSummary): boolean {
  return summary.shutdown.completed && summary.exporters.every((e) => e.failed === 0 && (e.dropped ?? 0) === 0);
}

export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let summary: SimulateSummary | undefined;
  try {
    summary = await simulate(options, io, controller.signal);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`codex-otel simulate: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  if (!summary) return EXIT_USAGE;
  if (options.json) io.out(JSON.stringify(summary, null, 2));
  else for (const line of formatSummary(summary)) io.out(line);
  return lossless(summary) ? EXIT_OK : EXIT_LOSS;
}

const SHAPE_LABELS: Record<ShapeId, string> = {
  conversationStarts: '', startupPhase: '', userPrompt: '', apiRequest: '', turnTtft: '', websocketConnect: '', websocketRequest: '',
  toolDecision: '', sandboxOutcome: '', toolResult: '',
  sseChunk: 'chunk', sseChunkFailed: 'chunk failed', sseCompleted: 'completed', sseCompletedFailed: 'completed failed',
};

const number = (value: number) => value.toLocaleString('en-US');

export function formatSummary(summary: SimulateSummary): string[] {
  const seconds = summary.runMs / 1000;
  const lines: string[] = [];
  lines.push(`simulated ${summary.sessions} conversation(s), seed ${summary.seed}: ${number(summary.events.total)} events in ${seconds.toFixed(1)} s` +
    (seconds > 0 ? ` (${number(Math.round(summary.events.total / seconds))}/s)` : ''));
  lines.push('');
  lines.push('events emitted');
  const width = Math.max(...Object.keys(summary.events.byName).map((name) => name.length), 5) + 2;
  for (const [name, count] of Object.entries(summary.events.byName)) {
    let detail = '';
    if (name === CATALOG.sseChunk.name) {
      detail = `  (${(['sseChunk', 'sseChunkFailed', 'sseCompleted', 'sseCompletedFailed'] as const)
        .map((shape) => `${SHAPE_LABELS[shape]} ${number(summary.events.byShape[shape] ?? 0)}`).join(', ')})`;
    }
    lines.push(`  ${name.padEnd(width)}${number(count).padStart(8)}${detail}`);
  }
  lines.push(`  ${'total'.padEnd(width)}${number(summary.events.total).padStart(8)}`);
  lines.push('');
  if (summary.exporters.length === 0) {
    lines.push('exported: nothing (no exporter configured: exporter = "none", metrics_exporter = "none", no file output)');
  } else {
    lines.push('exported');
    for (const e of summary.exporters) {
      const counts = e.signal === 'logs'
        ? `${number(e.exported)} records exported, ${number(e.failed)} failed, ${number(e.dropped ?? 0)} dropped`
        : `${number(e.exported)} data points exported, ${number(e.failed)} failed`;
      lines.push(`  ${e.signal.padEnd(8)} ${counts}  → ${displayTarget(e.target)}`);
      if (e.firstError) lines.push(`    first failure: ${e.firstError}`);
    }
  }
  lines.push('');
  if (summary.delivery) {
    const d = summary.delivery;
    const reasons = Object.entries(d.dropped).filter(([reason, count]) => reason !== 'total' && count > 0).map(([reason, count]) => `${reason} ${number(count)}`);
    lines.push(`delivery: ${number(d.retries)} retries, ${number(d.spooled)} records spooled for a later run, ${number(d.dropped.total)} dropped${reasons.length ? ` (${reasons.join(', ')})` : ''}`);
  }
  lines.push(`shutdown: ${Math.round(summary.shutdown.elapsedMs)} ms${summary.shutdown.completed ? '' : ' (bound reached: pending telemetry abandoned)'}`);
  if (!lossless(summary)) lines.push('some telemetry was lost: see the failed and dropped columns');
  return lines;
}

function displayTarget(target: string): string {
  if (!target.startsWith('file ')) return target;
  const path = target.slice(5);
  const rel = relative(process.cwd(), path);
  return `file ${rel && !rel.startsWith('..') ? rel : path}`;
}

interface ProgressState { done: number; total: number | undefined; events: number; elapsedMs: number; durationMs: number | undefined }

/** A one-line bar on a terminal (redrawn in place); plain lines every 5 s otherwise. Nothing for short runs. */
function startProgress(io: CliIo, read: () => ProgressState): { stop(): void } {
  let drawn = false;
  const render = (): { clamped: number; text: string } => {
    const state = read();
    const fraction = state.durationMs !== undefined ? state.elapsedMs / state.durationMs : state.total ? state.done / state.total : 0;
    const clamped = Math.max(0, Math.min(1, fraction));
    const rate = state.elapsedMs > 0 ? Math.round((state.events / state.elapsedMs) * 1000) : 0;
    const sessions = state.total !== undefined ? `${state.done}/${state.total} conversations` : `${state.done} conversations`;
    const time = state.durationMs !== undefined ? `${(state.elapsedMs / 1000).toFixed(0)}/${(state.durationMs / 1000).toFixed(0)} s` : `${(state.elapsedMs / 1000).toFixed(1)} s`;
    return { clamped, text: `${sessions} · ${number(state.events)} events · ${number(rate)}/s · ${time}` };
  };
  const tick = () => {
    const { clamped, text } = render();
    if (io.isTty) {
      const filled = Math.round(clamped * 30);
      io.err(`${drawn ? '\x1b[1A\x1b[2K' : ''}simulate [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${Math.round(clamped * 100)}% ${text}`);
      drawn = true;
    } else {
      io.err(`simulate: ${text}`);
    }
  };
  const timer = setInterval(tick, io.isTty ? 200 : 5000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (drawn) tick();
    },
  };
}

export function registerSimulate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('simulate')
    .description('drive realistic, seeded agent sessions through the library and export them (default: OTLP/JSON files into ./codex-otel-out, no network)')
    .option('-c, --config <path>', 'config.toml to use (default: the embedded offline config)')
    .option('-n, --sessions <n>', `conversations to simulate (default ${DEFAULT_SESSIONS})`)
    .option('--seed <n>', `seed of the pseudo-random choices (default ${DEFAULT_SEED})`)
    .option('--rate <events-per-second>', 'pace the events to this rate (default: as fast as possible)')
    .option('--duration <seconds>', 'keep starting conversations until this much time has passed (sustained load)')
    .option('-o, --out <dir>', 'write OTLP/JSON files into <dir> and send nothing over the network from the config')
    .option('--endpoint <url>', 'send OTLP/HTTP protobuf to <url>/v1/logs and <url>/v1/metrics (e.g. http://127.0.0.1:4318)')
    .option('--fresh', 'remove earlier logs*.jsonl and metrics*.jsonl from the output folder first (nothing else)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: SimulateOptions) => setExit(await runSimulate(options, io)));
}
