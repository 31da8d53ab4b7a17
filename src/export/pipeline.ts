import { diag, type Meter } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { OtelConfig } from '../config/types.js';
import { METER_NAME } from '../metrics/instruments.js';
import { JsonLinesLogExporter, JsonLinesMetricExporter } from './file-exporters.js';
import { createLogExporter, createMetricExporter, isNetworkExporter } from './exporters.js';
import { buildResources, type ResourceIdentity } from './resource.js';

/** Scope of every log record, as Codex names its tracing target. */
export const LOG_SCOPE = 'codex_otel.log_only';

export interface PipelineOptions {
  /** Exporters beside the configured network ones (file output, tests). */
  logExporters?: LogRecordExporter[];
  metricExporters?: PushMetricExporter[];
}

export interface ShutdownResult {
  /** False when the bound was reached before every provider finished. */
  completed: boolean;
  elapsedMs: number;
}

export interface Pipeline {
  logger: Logger;
  meter: Meter;
  /** Exports what is pending without closing. */
  forceFlush(): Promise<void>;
  /** Flushes and closes, within `timeoutMs`; one shared promise for every caller. */
  shutdown(): Promise<ShutdownResult>;
  /** True when anything is configured to receive records. */
  exporting: boolean;
}

export function createPipeline(config: OtelConfig, identity: ResourceIdentity, options: PipelineOptions = {}): Pipeline {
  const resources = buildResources(identity);
  const ext = config.extensions;
  const logExporters = [...(options.logExporters ?? [])];
  if (isNetworkExporter(config.exporter)) logExporters.unshift(createLogExporter(config.exporter));
  if (ext.fileOutput) logExporters.push(new JsonLinesLogExporter(ext.fileOutput));
  const processors: LogRecordProcessor[] = logExporters.map((exporter) => new BatchLogRecordProcessor({
    exporter,
    maxQueueSize: ext.logQueueSize,
    maxExportBatchSize: ext.logBatchSize,
    scheduledDelayMillis: ext.logScheduleDelayMs,
  }));
  const loggerProvider = new LoggerProvider({ resource: resources.logs, processors });

  const metricExporters = [...(options.metricExporters ?? [])];
  if (isNetworkExporter(config.metricsExporter)) {
    metricExporters.unshift(createMetricExporter(config.metricsExporter, ext.metricsTemporality));
  }
  if (ext.fileOutput) metricExporters.push(new JsonLinesMetricExporter(ext.fileOutput, ext.metricsTemporality));
  const readers = metricExporters.map((exporter) => new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: ext.metricsExportIntervalMs,
    exportTimeoutMillis: Math.min(ext.metricsExportIntervalMs, 30_000),
  }));
  const meterProvider = new MeterProvider({ resource: resources.metrics, readers });

  let shutdownPromise: Promise<ShutdownResult> | undefined;
  const shutdown = (): Promise<ShutdownResult> => {
    shutdownPromise ??= boundedShutdown(
      () => Promise.allSettled([loggerProvider.shutdown(), meterProvider.shutdown()]),
      ext.shutdownTimeoutMs,
    );
    return shutdownPromise;
  };

  return {
    logger: loggerProvider.getLogger(LOG_SCOPE),
    meter: meterProvider.getMeter(METER_NAME),
    exporting: processors.length > 0 || readers.length > 0,
    forceFlush: async () => {
      if (shutdownPromise) return;
      await Promise.allSettled([loggerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown,
  };
}

/** Runs `work`, but returns after `timeoutMs` whatever it is doing: exit must never hang on a dead collector. */
async function boundedShutdown(work: () => Promise<unknown>, timeoutMs: number): Promise<ShutdownResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = work().then(() => true, (error: unknown) => {
    diag.error('codex-otel: shutdown failed', error);
    return true;
  });
  const completed = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (!completed) diag.warn(`codex-otel: shutdown bound of ${timeoutMs} ms reached; pending telemetry was abandoned`);
  return { completed, elapsedMs: performance.now() - started };
}
