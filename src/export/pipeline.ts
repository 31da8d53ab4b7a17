import { diag } from '@opentelemetry/api';
import { safeEndpoint } from '../config/safe-endpoint.js';
import type { Logger } from '@opentelemetry/api-logs';
import { LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InstrumentType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { OtelConfig, SpoolConfig } from '../config/types.js';
import { MetricAggregator } from '../metrics/aggregator.js';
import { METER_NAME } from '../metrics/instruments.js';
import { DeliveryLogProcessor } from './delivery/processor.js';
import { RetryingMetricExporter } from './delivery/metric-exporter.js';
import { resolveSpoolConfig } from './delivery/replay.js';
import { RetryPolicy, type RetryOptions } from './delivery/retry.js';
import { Spool } from './delivery/spool.js';
import { TRACES_CODEC } from './delivery/spool-codec.js';
import { DeliveryStats, type DeliveryStatsSnapshot, type DropListener } from './delivery/stats.js';
import { JsonLinesLogExporter, JsonLinesMetricExporter } from './file-exporters.js';
import { createLogExporter, createMetricExporter, DEFAULT_EXPORT_TIMEOUT_MS, isNetworkExporter } from './exporters.js';
import { RecordSizeHint } from './record-size.js';
import { buildResources, type ResourceIdentity } from './resource.js';
import { createTraceExport, type TraceExport } from './trace-export.js';
import type { Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { spanScrubber, type SpanScrubPolicy } from './span-scrub.js';

/** Scope of every log record, as Codex names its tracing target. */
export const LOG_SCOPE = 'codex_otel.log_only';

/** Tuning of delivery that is not in config.toml (tests, embedding hosts). */
export interface DeliveryOptions {
  /** Timeout of one export request. Default 5 s (Codex gives each provider 5 s). */
  exportTimeoutMs?: number;
  /** Retry policy of failed exports (log records, spans and metrics). */
  retry?: RetryOptions;
  /** The spool: default from the config (see resolveSpoolConfig); `false` for none. */
  spool?: SpoolConfig | false;
  /** Send spooled batches of earlier runs in the background after start. Default true. */
  replayOnStart?: boolean;
  /** Where the one-time drop warnings go; default stderr. */
  warn?: (line: string) => void;
}

export interface PipelineOptions {
  /** Exporters beside the configured network ones (file output, tests). */
  logExporters?: LogRecordExporter[];
  metricExporters?: PushMetricExporter[];
  /** Span exporters beside the configured trace exporter (tests); any of them turns spans on. */
  spanExporters?: SpanExporter[];
  delivery?: DeliveryOptions;
  /** Scrubs span names, attributes and status messages on the export path, with the log records' policy. */
  spanScrub: SpanScrubPolicy;
}

export interface ShutdownResult {
  /** False when the bound was reached before every provider finished (pending logs and spans were then spooled). */
  completed: boolean;
  elapsedMs: number;
  /** What happened to log records (and, in `spans`, to spans) over the pipeline's life, at the end of shutdown. */
  delivery?: DeliveryStatsSnapshot;
}

export interface Pipeline {
  logger: Logger;
  /** The tracer of the trace exporter; undefined with `trace_exporter = "none"` (no span is ever created). */
  tracer?: Tracer;
  /** Where this package's metrics are recorded; every reader collects from it. */
  aggregator: MetricAggregator;
  /** Exports what is pending without closing. */
  forceFlush(): Promise<void>;
  /** Flushes and closes, within `timeoutMs`; one shared promise for every caller. */
  shutdown(): Promise<ShutdownResult>;
  /** True when anything is configured to receive records. */
  exporting: boolean;
  /** Delivery counts so far: exported, spooled, replayed, retries, dropped by reason (log records; spans in `spans`). */
  stats(): DeliveryStatsSnapshot;
  /** Called on every drop (the `codex_otel.dropped_records` self-metric). */
  onDropped(listener: DropListener | undefined): void;
  /** True once shutdown has begun: a record emitted now can no longer be sent. */
  readonly closed: boolean;
  /** Counts a record the caller emitted after shutdown began (`after_shutdown`). */
  dropLate(): void;
  /** The spool folder in use, if any. */
  spoolDirectory?: string;
  /** Set by the emitter around each emit; read by this pipeline's log processors (queue caps in bytes). */
  recordSize: RecordSizeHint;
}

/** Kept back from the bound for the bookkeeping after the race: the synchronous spool write of what is left. */
function boundMarginMs(timeoutMs: number): number {
  return Math.min(50, Math.floor(timeoutMs * 0.05));
}

/** Part of the shutdown bound kept for writing what is left to the spool (synchronously) at the end. */
export function spoolReserveMs(timeoutMs: number): number {
  return Math.min(500, Math.floor(timeoutMs * 0.25));
}

export function createPipeline(config: OtelConfig, identity: ResourceIdentity, options: PipelineOptions): Pipeline {
  const resources = buildResources(identity);
  const ext = config.extensions;
  const delivery = options.delivery ?? {};
  const stats = new DeliveryStats(delivery.warn);
  const exportTimeoutMs = delivery.exportTimeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS;
  const retry = new RetryPolicy(delivery.retry);
  const spoolConfig = delivery.spool === false ? undefined : (delivery.spool ?? resolveSpoolConfig(config));
  // One folder and one cap for both signals; over the cap the oldest batch of either goes first.
  const spool = spoolConfig ? new Spool({ directory: spoolConfig.directory, maxBytes: spoolConfig.maxBytes, stats, accountOf: (signal) => stats.account(signal) }) : undefined;

  const processors: DeliveryLogProcessor[] = [];
  const recordSize = new RecordSizeHint();
  const addLogProcessor = (exporter: LogRecordExporter, label: string, withSpool: boolean) => {
    processors.push(new DeliveryLogProcessor({
      exporter,
      stats,
      maxQueueSize: ext.logQueueSize,
      maxQueueBytes: ext.logQueueMaxBytes,
      maxExportBatchSize: ext.logBatchSize,
      maxBatchBytes: ext.logBatchMaxBytes,
      scheduledDelayMillis: ext.logScheduleDelayMs,
      exportTimeoutMillis: exportTimeoutMs,
      retry,
      label,
      recordSize,
      ...(withSpool && spool ? { spool } : {}),
      ...(delivery.replayOnStart === false ? { replayOnStart: false } : {}),
    }));
  };
  if (isNetworkExporter(config.exporter)) {
    const exporter = createLogExporter(config.exporter, exportTimeoutMs);
    addLogProcessor(exporter, `logs to ${safeEndpoint(config.exporter.endpoint)}`, true);
  }
  for (const exporter of options.logExporters ?? []) addLogProcessor(exporter, 'logs', false);
  if (ext.fileOutput) addLogProcessor(new JsonLinesLogExporter(ext.fileOutput), 'file logs', false);
  const loggerProvider = new LoggerProvider({ resource: resources.logs, processors });

  // Every metric exporter goes through the retrying wrapper: one retry policy, and at the shutdown bound
  // an export still in flight is answered, so the SDK reader's own timer cannot hold the process.
  const metricRetry = new RetryPolicy({ ...delivery.retry, budgetMs: Math.min(retry.options.budgetMs, ext.metricsExportIntervalMs / 2) });
  const metricExporters: RetryingMetricExporter[] = [];
  if (isNetworkExporter(config.metricsExporter)) {
    const exporter = createMetricExporter(config.metricsExporter, ext.metricsTemporality, exportTimeoutMs);
    metricExporters.push(new RetryingMetricExporter(exporter, metricRetry, stats, exportTimeoutMs + 1000));
  }
  for (const exporter of options.metricExporters ?? []) metricExporters.push(new RetryingMetricExporter(exporter, metricRetry, stats, exportTimeoutMs + 1000));
  if (ext.fileOutput) metricExporters.push(new RetryingMetricExporter(new JsonLinesMetricExporter(ext.fileOutput, ext.metricsTemporality), metricRetry, stats, exportTimeoutMs + 1000));
  const aggregator = new MetricAggregator({ name: METER_NAME });
  const readers = metricExporters.map((exporter) => new PeriodicExportingMetricReader({
    exporter,
    metricProducers: [aggregator.producer(temporalityOf(exporter, ext.metricsTemporality))],
    exportIntervalMillis: ext.metricsExportIntervalMs,
    exportTimeoutMillis: Math.min(ext.metricsExportIntervalMs, 30_000),
  }));
  const meterProvider = new MeterProvider({ resource: resources.metrics, readers });
  const traces = createTraceExport(config, identity.originator, {
    resource: resources.traces,
    ...(options.spanExporters ? { spanExporters: options.spanExporters } : {}),
    exportTimeoutMs,
    retry,
    stats: stats.spans,
    ...(spool ? { spool: spool.forSignal(TRACES_CODEC, stats.spans) } : {}),
    ...(delivery.replayOnStart === false ? { replayOnStart: false } : {}),
    settle: spanScrubber(options.spanScrub),
  });

  let shutdownPromise: Promise<ShutdownResult> | undefined;
  let closed = false;
  const shutdown = (): Promise<ShutdownResult> => {
    closed = true;
    shutdownPromise ??= boundedShutdown(processors, metricExporters, loggerProvider, meterProvider, traces, ext.shutdownTimeoutMs, stats);
    return shutdownPromise;
  };

  return {
    logger: loggerProvider.getLogger(LOG_SCOPE),
    ...(traces ? { tracer: traces.tracer } : {}),
    aggregator,
    exporting: processors.length > 0 || readers.length > 0 || traces !== undefined,
    forceFlush: async () => {
      if (shutdownPromise) return;
      await Promise.allSettled([loggerProvider.forceFlush(), meterProvider.forceFlush(), ...(traces ? [traces.forceFlush()] : [])]);
    },
    shutdown,
    stats: () => stats.snapshot(),
    onDropped: (listener) => stats.onDrop(listener),
    get closed() { return closed; },
    dropLate: () => stats.dropLate(1),
    recordSize,
    ...(spool ? { spoolDirectory: spool.directory } : {}),
  };
}

/** The temporality an exporter asks for (the OTLP ones are built with the config's), else the config's. */
function temporalityOf(exporter: PushMetricExporter, configured: 'delta' | 'cumulative'): 'delta' | 'cumulative' {
  const selected = exporter.selectAggregationTemporality?.(InstrumentType.COUNTER);
  if (selected === undefined) return configured;
  return selected === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
}

/**
 * Closes logs and metrics together within `timeoutMs`: exit must never hang on a dead collector. Log
 * processors drain until `timeoutMs - spoolReserveMs`, then write what is left to the spool; at the
 * bound itself, whatever is still running is abandoned (logs to the spool, synchronously).
 */
async function boundedShutdown(
  processors: DeliveryLogProcessor[],
  metricExporters: RetryingMetricExporter[],
  loggerProvider: LoggerProvider,
  meterProvider: MeterProvider,
  traces: TraceExport | undefined,
  timeoutMs: number,
  stats: DeliveryStats,
): Promise<ShutdownResult> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  const drainBy = deadline - spoolReserveMs(timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    // Stop short of the bound by the time the synchronous spool write below may take, so the bound holds.
    timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs - boundMarginMs(timeoutMs)));
  });
  // Logs first, then metrics: the last metric export then carries the final drop and spool counts
  // (codex_otel.dropped_records). Metrics get what is left of the bound.
  const finished = (async () => {
    const logs = await Promise.allSettled(processors.map((p) => p.shutdownBy(drainBy)).concat([loggerProvider.shutdown()], traces ? [traces.shutdownBy(drainBy)] : []));
    const metrics = await Promise.allSettled([meterProvider.shutdown()]);
    for (const result of [...logs, ...metrics]) if (result.status === 'rejected') diag.error('codex-otel: shutdown failed', result.reason);
    return true as const;
  })();
  let completed: boolean = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  const before = stats.snapshot();
  for (const processor of processors) processor.abandon();
  for (const exporter of metricExporters) exporter.abandon();
  traces?.abandon();
  const after = stats.snapshot();
  if (after.spooled > before.spooled || after.dropped.total > before.dropped.total) completed = false;
  if (after.spans.spooled > before.spans.spooled || after.spans.dropped.total > before.spans.dropped.total) completed = false;
  if (processors.some((p) => p.abandonedAtBound) || traces?.abandonedAtBound) completed = false;
  if (!completed) diag.warn(`codex-otel: shutdown bound of ${timeoutMs} ms reached; log records and spans still pending were written to the spool (or counted as dropped without one)`);
  return { completed, elapsedMs: performance.now() - started, delivery: stats.snapshot() };
}
