/**
 * `codex-otel simulate`: realistic agent sessions through the library's public surface (`createTelemetry`,
 * the `Session` methods, the helpers) and its own pipeline, with a summary of what was emitted and the
 * pipeline's one set of delivery numbers (`telemetry.deliveryStats()`).
 */
import { randomInt } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { defaultConfig, DEFAULT_FILE_MAX_BYTES, DEFAULT_FILE_MAX_FILES } from '../../config/defaults.js';
import { formatProblem } from '../../config/problems.js';
import { safeEndpoint } from '../../config/safe-endpoint.js';
import type { NetworkExporterConfig, OtelConfig } from '../../config/types.js';
import { CATALOG, type ShapeId } from '../../events/catalog.js';
import { LOGS_FILE, METRICS_FILE, TRACES_FILE } from '../../export/file-exporters.js';
import { createTelemetry, type DeliveryStatsSnapshot } from '../../index.js';
import type { LedgerSnapshot } from '../../export/delivery/stats.js';
import { PACKAGE_VERSION } from '../../version.js';
import { collectorHint, probeEndpoint, type Reachability } from '../collector-hint.js';
import { printConfigErrors, readCliConfig } from '../config-file.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { progressTarget, type CliIo } from '../io.js';
import { startProgress } from '../progress.js';
import { EmitCounter } from './counting.js';
import { Random } from './prng.js';
import { runConversation, type DriveContext } from './scenario.js';


/** Where the embedded default writes, relative to the current folder. */
export const DEFAULT_OUT_DIR = 'codex-otel-out';
/** `service.name` and `originator` of simulated telemetry: synthetic data never passes for a real client. */
export const SIMULATE_ORIGINATOR = 'codex_otel_simulate';
export const DEFAULT_SESSIONS = 5;

export interface SimulateOptions {
  config?: string;
  sessions?: string | number;
  seed?: string | number;
  rate?: string | number;
  duration?: string | number;
  out?: string;
  endpoint?: string;
  /** Keep the files earlier runs wrote in the output folder (default: replace them). */
  append?: boolean;
  /** `--no-traces` (false): record no spans, whatever `--endpoint` or the config's `trace_exporter` say. Default true. */
  traces?: boolean;
  json?: boolean;
}

/** Where records, spans and metric points go: `file /path/logs.jsonl` or `otlp-http http://…/v1/logs`. */
export interface Destination {
  signal: 'logs' | 'metrics' | 'traces';
  target: string;
}

export interface SimulateSummary {
  seed: number;
  /** False when the seed was drawn for this run (fresh ids); pass `--seed` to repeat it. */
  seedGiven: boolean;
  sessions: number;
  /** Wall-clock time of the sessions, before shutdown. */
  runMs: number;
  events: { total: number; byName: Record<string, number>; byShape: Record<string, number> };
  destinations: Destination[];
  /** The pipeline's own delivery numbers for log records (all destinations together; spans in `spans`), at the end of shutdown. */
  delivery: DeliveryStatsSnapshot;
  shutdown: { completed: boolean; elapsedMs: number; boundMs: number };
  /** The file output folder, when there is one, and the files of earlier runs removed from it. */
  directory?: string;
  replaced?: string[];
  /** Network endpoints that did not answer a TCP connect before the run. */
  unreachable: Array<Reachability & { hint: string }>;
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

/** The config when no --config is given: nothing on the network, OTLP/JSON files into ./codex-otel-out. */
export function embeddedConfig(cwd = process.cwd()): OtelConfig {
  const config = defaultConfig();
  config.present = true;
  config.environment = 'simulate';
  config.extensions.metricsExportIntervalMs = 10_000;
  config.extensions.fileOutput = { directory: resolve(cwd, DEFAULT_OUT_DIR), maxBytes: DEFAULT_FILE_MAX_BYTES, maxFiles: DEFAULT_FILE_MAX_FILES };
  return config;
}

/** `--endpoint http://host:4318` → OTLP/HTTP protobuf to /v1/logs, /v1/metrics and /v1/traces. */
export function endpointExporters(raw: string): { logs: NetworkExporterConfig; metrics: NetworkExporterConfig; traces: NetworkExporterConfig } {
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
    traces: { kind: 'otlp-http', endpoint: `${base}/v1/traces`, protocol: 'binary', headers: {} },
  };
}

/** Resolves the config of a run from the options; throws UsageError, or returns undefined after printing config errors. */
async function resolveConfig(options: SimulateOptions, io: CliIo): Promise<OtelConfig | undefined> {
  let config: OtelConfig;
  if (options.config !== undefined) {
    const result = await readCliConfig(options.config, io);
    for (const warning of result.warnings) io.err(`codex-otel: warning: ${formatProblem(warning)}`);
    if (!result.config) {
      printConfigErrors(io, result.errors);
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
    config.traceExporter = { kind: 'none' };
  }
  if (options.endpoint !== undefined) {
    // Spans too, as an agent with `trace_exporter` set sends them: a collector fed by simulate gets every signal.
    const { logs, metrics, traces } = endpointExporters(options.endpoint);
    config.exporter = logs;
    config.metricsExporter = metrics;
    config.traceExporter = traces;
  }
  if (options.traces === false) config.traceExporter = { kind: 'none' };
  return config;
}

const OUTPUT_FILE = new RegExp(`^(${[LOGS_FILE, METRICS_FILE, TRACES_FILE].map((file) => file.replace('.jsonl', '')).join('|')})(\\.\\d+)?\\.jsonl$`);

/** Removes what the file output writes (logs[.N].jsonl, metrics[.N].jsonl, traces[.N].jsonl) from `directory`, nothing else. */
export async function clearOutput(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed = names.filter((name) => OUTPUT_FILE.test(name)).sort();
  await Promise.all(removed.map((name) => rm(join(directory, name), { force: true })));
  return removed;
}

function destinations(config: OtelConfig): Destination[] {
  const list: Destination[] = [];
  if (config.exporter.kind === 'otlp-http' || config.exporter.kind === 'otlp-grpc') list.push({ signal: 'logs', target: `${config.exporter.kind} ${safeEndpoint(config.exporter.endpoint)}` });
  if (config.extensions.fileOutput) list.push({ signal: 'logs', target: `file ${join(config.extensions.fileOutput.directory, LOGS_FILE)}` });
  if (config.metricsExporter.kind === 'otlp-http' || config.metricsExporter.kind === 'otlp-grpc') list.push({ signal: 'metrics', target: `${config.metricsExporter.kind} ${safeEndpoint(config.metricsExporter.endpoint)}` });
  if (config.extensions.fileOutput) list.push({ signal: 'metrics', target: `file ${join(config.extensions.fileOutput.directory, METRICS_FILE)}` });
  // Spans exist only with a trace exporter; the file output then gets them too.
  if (config.traceExporter.kind === 'otlp-http' || config.traceExporter.kind === 'otlp-grpc') {
    list.push({ signal: 'traces', target: `${config.traceExporter.kind} ${safeEndpoint(config.traceExporter.endpoint)}` });
    if (config.extensions.fileOutput) list.push({ signal: 'traces', target: `file ${join(config.extensions.fileOutput.directory, TRACES_FILE)}` });
  }
  return list;
}

/** TCP-probes every distinct network endpoint of the config. */
async function unreachableEndpoints(config: OtelConfig): Promise<SimulateSummary['unreachable']> {
  const endpoints = new Set<string>();
  for (const exporter of [config.exporter, config.metricsExporter, config.traceExporter]) {
    if (exporter.kind === 'otlp-http' || exporter.kind === 'otlp-grpc') endpoints.add(exporter.endpoint);
  }
  const probes = await Promise.all([...endpoints].map((endpoint) => probeEndpoint(endpoint)));
  const seen = new Set<string>();
  return probes.filter((p) => !p.reachable && !seen.has(p.address) && seen.add(p.address)).map((p) => ({ ...p, hint: collectorHint(p) }));
}

/** Runs a simulation and returns its summary; draws progress on a terminal. Throws UsageError on bad options. */
export async function simulate(options: SimulateOptions, io: CliIo, signal?: AbortSignal): Promise<SimulateSummary | undefined> {
  const sessions = integerOption(options.sessions, '--sessions', DEFAULT_SESSIONS, 1);
  const seedGiven = options.seed !== undefined;
  // Fresh ids every run unless asked to repeat one: the same conversation and call ids twice would be
  // counted twice by an audit of the same folder.
  const seed = integerOption(options.seed, '--seed', randomInt(0, 2 ** 31 - 1), 0);
  const rate = positiveNumber(options.rate, '--rate');
  const durationS = positiveNumber(options.duration, '--duration');
  const config = await resolveConfig(options, io);
  if (!config) return undefined;

  const file = config.extensions.fileOutput;
  const replaced = file && !options.append ? await clearOutput(file.directory) : undefined;
  const unreachable = await unreachableEndpoints(config);
  for (const endpoint of unreachable) io.err(`codex-otel: ${endpoint.hint}`);

  // Simulated data never goes to (or replays) the user's spool: what is not delivered is dropped and counted.
  const telemetry = createTelemetry(config, {
    originator: SIMULATE_ORIGINATOR,
    appVersion: PACKAGE_VERSION,
    diagnostics: false,
    delivery: { spool: false, replayOnStart: false, warn: () => undefined },
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
      // Let timers and I/O run (batch exports, file writes, the progress bar) even at full speed.
      if (ticks % 32 === 0) await new Promise<void>((done) => setImmediate(done));
    },
  };

  let done = 0;
  const progress = startProgress(progressTarget(io), 'simulate', durationS !== undefined ? 's' : 'conversations');
  const report = () => {
    const elapsedS = (performance.now() - started) / 1000;
    const rateNow = elapsedS > 0 ? Math.round(counter.total / elapsedS) : 0;
    if (durationS !== undefined) progress.update({ done: Math.min(durationS, Math.round(elapsedS)), total: durationS, detail: `${done} conversations · ${number(counter.total)} events · ${number(rateNow)}/s` });
    else progress.update({ done, total: sessions, detail: `${number(counter.total)} events` });
  };
  const timer = setInterval(report, 200);
  timer.unref();
  try {
    for (let index = 0; deadline !== undefined || index < sessions; index++) {
      if (index > 0 && stopping()) break;
      if (deadline === undefined && signal?.aborted) break;
      await runConversation(telemetry, ctx, index, (session) => counter.wrap(session));
      done++;
    }
  } finally {
    clearInterval(timer);
    report();
    progress.stop();
  }
  const runMs = performance.now() - started;
  const shutdown = await telemetry.shutdown();

  return {
    seed,
    seedGiven,
    sessions: done,
    runMs,
    events: {
      total: counter.total,
      byName: Object.fromEntries([...counter.byName].sort(([a], [b]) => a.localeCompare(b))),
      byShape: Object.fromEntries([...counter.byShape]),
    },
    destinations: destinations(config),
    delivery: shutdown.delivery ?? telemetry.deliveryStats(),
    shutdown: { completed: shutdown.completed, elapsedMs: shutdown.elapsedMs, boundMs: config.extensions.shutdownTimeoutMs },
    ...(file ? { directory: file.directory } : {}),
    ...(replaced ? { replaced } : {}),
    unreachable,
  };
}

/** True when every record and span reached every destination: nothing dropped, nothing left for later, shutdown within its bound. */
export function lossless(summary: SimulateSummary): boolean {
  const { spans, ...logs } = summary.delivery;
  return summary.shutdown.completed && [logs, spans].every((account) => account.dropped.total === 0 && account.spooled === 0);
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
      if (options.json) io.out(JSON.stringify({ ok: false, error: error.message }, null, 2));
      io.err(`codex-otel simulate: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  if (!summary) {
    if (options.json) io.out(JSON.stringify({ ok: false, error: 'config error' }, null, 2));
    return EXIT_USAGE;
  }
  if (options.json) io.out(JSON.stringify({ ok: lossless(summary), ...summary }, null, 2));
  else for (const line of formatSummary(summary)) io.out(line);
  return lossless(summary) ? EXIT_OK : EXIT_FAILURE;
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
  if (!summary.seedGiven) lines.push(`fresh ids for this run; \`--seed ${summary.seed}\` repeats it`);
  if (summary.replaced?.length) lines.push(`replaced in ${displayPath(summary.directory!)}: ${summary.replaced.join(', ')} (--append keeps them)`);
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
  if (summary.destinations.length === 0) {
    lines.push('sent to: nothing (exporter = "none", metrics_exporter = "none", trace_exporter = "none", no file output)');
  } else {
    lines.push('sent to');
    for (const d of summary.destinations) lines.push(`  ${d.signal.padEnd(8)} ${displayTarget(d.target)}`);
  }
  lines.push('');
  const logDestinations = summary.destinations.filter((d) => d.signal === 'logs').length;
  const { spans, ...logs } = summary.delivery;
  lines.push(`delivery of log records (telemetry.deliveryStats()${logDestinations > 1 ? `, ${logDestinations} destinations: each record counts once per destination` : ''})`);
  lines.push(...formatDelivery(logs));
  const spanDestinations = summary.destinations.filter((d) => d.signal === 'traces').length;
  if (spanDestinations > 0 || spans.emitted > 0) {
    lines.push('');
    lines.push(`delivery of spans (telemetry.deliveryStats().spans${spanDestinations > 1 ? `, ${spanDestinations} destinations: each span counts once per destination` : ''})`);
    lines.push(...formatDelivery(spans));
  }
  lines.push('');
  lines.push(`shutdown: ${Math.round(summary.shutdown.elapsedMs)} ms (bound ${summary.shutdown.boundMs} ms)${summary.shutdown.completed ? '' : ', bound reached: what was pending was dropped and counted'}`);
  for (const endpoint of summary.unreachable) lines.push(endpoint.hint);
  if (!lossless(summary)) lines.push('some telemetry was not delivered: see the delivery numbers');
  return lines;
}

/**
 * Every number of the delivery snapshot, whatever its fields: a count per line, a breakdown (drops by
 * reason) as its total with the non-zero parts.
 */
export function formatDelivery(delivery: LedgerSnapshot): string[] {
  const entries = Object.entries(delivery as unknown as Record<string, unknown>);
  const width = Math.max(...entries.map(([key]) => key.length)) + 2;
  return entries.flatMap(([key, value]) => {
    if (typeof value === 'number') return [`  ${key.padEnd(width)}${number(value).padStart(8)}`];
    if (value && typeof value === 'object') {
      const parts = Object.entries(value as Record<string, unknown>).filter(([part, n]) => part !== 'total' && typeof n === 'number' && n > 0);
      const total = typeof (value as { total?: unknown }).total === 'number'
        ? (value as { total: number }).total
        : parts.reduce((sum, [, n]) => sum + (n as number), 0);
      return [`  ${key.padEnd(width)}${number(total).padStart(8)}${parts.length ? `  (${parts.map(([part, n]) => `${part} ${number(n as number)}`).join(', ')})` : ''}`];
    }
    return [];
  });
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function displayTarget(target: string): string {
  return target.startsWith('file ') ? `file ${displayPath(target.slice(5))}` : target;
}

export function registerSimulate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('simulate')
    .description('drive realistic agent sessions through the library and export them (default: OTLP/JSON files into ./codex-otel-out, no network)')
    .option('-c, --config <path>', 'config.toml to use (default: the embedded offline config)')
    .option('-n, --sessions <n>', `conversations to simulate (default ${DEFAULT_SESSIONS})`)
    .option('--seed <n>', 'repeat a run: the same seed gives the same ids and values (default: a fresh seed, printed in the summary)')
    .option('--rate <events-per-second>', 'pace the events to this rate (default: as fast as possible)')
    .option('--duration <seconds>', 'keep starting conversations until this much time has passed (sustained load)')
    .option('-o, --out <dir>', 'write OTLP/JSON files into <dir> and send nothing over the network from the config')
    .option('--endpoint <url>', 'send OTLP/HTTP protobuf to <url>/v1/logs, <url>/v1/metrics and <url>/v1/traces (e.g. http://127.0.0.1:4318)')
    .option('--no-traces', 'record no spans (default: spans are sent wherever a trace exporter is set: --endpoint, or the config\'s trace_exporter)')
    .option('--append', 'keep the logs*.jsonl / metrics*.jsonl / traces*.jsonl of earlier runs in the output folder (default: replace them; nothing else is touched)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: SimulateOptions) => setExit(await runSimulate(options, io)));
}
