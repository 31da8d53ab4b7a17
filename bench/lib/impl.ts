/**
 * The two contenders behind one small interface:
 *  - `ours`: codex-otel through its public API only (parseConfigText + createTelemetry + Session);
 *  - `sdk`: the bare OpenTelemetry JS SDK — LoggerProvider + BatchLogRecordProcessor with the SDK's
 *    default settings + the same OTLP exporter — emitting the same records built by hand per emit.
 */
import { SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import type { Counter, Histogram } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { createTelemetry, parseConfigText, type Session, type Telemetry } from '../../src/index.js';
import {
  API_INPUT, APP_VERSION, BASELINE_METRICS, ORIGINATOR, SESSION, SSE_INPUT, TOOL_INPUT,
  baselineApi, baselineSse, baselineTags, baselineTool, type EventKind,
} from './fixtures.js';

export type Transport = 'http-proto' | 'http-json' | 'grpc';
export type Impl = 'ours' | 'sdk';

export interface ContenderOptions {
  impl: Impl;
  /**
   * `none`: ours gets exporter = "none" (no processor at all), the SDK a batch processor whose exporter
   * discards; `discard`: both get a batch processor with a discarding exporter; `otlp`: a real exporter.
   */
  logs: 'none' | 'discard' | 'otlp';
  transport?: Transport;
  /** Receiver base URL (`http://127.0.0.1:port`), for `otlp`. */
  url?: string;
  /** `none`: ours has no metric reader (metrics_exporter = "none"); the SDK records no metrics.
   *  `discard`: a PeriodicExportingMetricReader with a discarding exporter (SDK: hand-written counter + histogram). */
  metrics: 'none' | 'discard' | 'otlp';
  /** Extra lines for `[otel.codex_otel]` (ours only). */
  extensions?: Record<string, number>;
  /** `false`: ours with `[otel.codex_otel.redaction] enabled = false` (to price scrubbing). Default on. */
  redaction?: boolean;
  /** Override of the SDK's batch settings (sdk only); default = SDK defaults. */
  sdkBatch?: { maxQueueSize?: number; maxExportBatchSize?: number; scheduledDelayMillis?: number };
  /** Extra log exporter (parity check). */
  extraLogExporter?: LogRecordExporter;
}

export interface Contender {
  emit(kind: EventKind): void;
  flush(): Promise<void>;
  shutdown(): Promise<unknown>;
}

/** Drops everything, successfully: the cost of the pipeline without a wire. */
export class DiscardLogExporter implements LogRecordExporter {
  exported = 0;
  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.exported += records.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> { return Promise.resolve(); }
  forceFlush(): Promise<void> { return Promise.resolve(); }
}

export class DiscardMetricExporter implements PushMetricExporter {
  export(_metrics: ResourceMetrics, done: (result: ExportResult) => void): void { done({ code: ExportResultCode.SUCCESS }); }
  selectAggregationTemporality(): AggregationTemporality { return AggregationTemporality.DELTA; }
  shutdown(): Promise<void> { return Promise.resolve(); }
  forceFlush(): Promise<void> { return Promise.resolve(); }
}

function exporterToml(transport: Transport, url: string, signal: 'logs' | 'metrics'): string {
  if (transport === 'grpc') return `{ otlp-grpc = { endpoint = "${url}" } }`;
  return `{ otlp-http = { endpoint = "${url}/v1/${signal}", protocol = "${transport === 'http-json' ? 'json' : 'binary'}" } }`;
}

export function oursToml(options: ContenderOptions): string {
  const lines = ['[otel]', 'environment = "bench"'];
  const url = options.url ?? 'http://127.0.0.1:9';
  const transport = options.transport ?? 'http-proto';
  lines.push(`exporter = ${options.logs === 'otlp' ? exporterToml(transport, url, 'logs') : '"none"'}`);
  lines.push(`metrics_exporter = ${options.metrics === 'otlp' ? exporterToml(transport, url, 'metrics') : '"none"'}`);
  const ext = Object.entries(options.extensions ?? {});
  if (ext.length) {
    lines.push('[otel.codex_otel]');
    for (const [key, value] of ext) lines.push(`${key} = ${value}`);
  }
  if (options.redaction === false) lines.push('[otel.codex_otel.redaction]', 'enabled = false');
  return `${lines.join('\n')}\n`;
}

export function createOurs(options: ContenderOptions): Contender & { telemetry: Telemetry; session: Session } {
  const parsed = parseConfigText(oursToml(options), { env: {} });
  if (!parsed.config) throw new Error(`bench config rejected: ${JSON.stringify(parsed.errors)}`);
  const logExporters: LogRecordExporter[] = [];
  if (options.logs === 'discard') logExporters.push(new DiscardLogExporter());
  if (options.extraLogExporter) logExporters.push(options.extraLogExporter);
  const telemetry = createTelemetry(parsed.config, {
    originator: ORIGINATOR,
    appVersion: APP_VERSION,
    env: {},
    ...(logExporters.length ? { logExporters } : {}),
    ...(options.metrics === 'discard' ? { metricExporters: [new DiscardMetricExporter()] } : {}),
  });
  const session = telemetry.startSession(SESSION);
  const emitters: Record<EventKind, () => void> = {
    sse: () => session.sseEvent(SSE_INPUT),
    tool: () => session.toolResult(TOOL_INPUT),
    api: () => session.apiRequest(API_INPUT),
  };
  return {
    telemetry,
    session,
    emit: (kind) => emitters[kind](),
    flush: () => telemetry.forceFlush(),
    shutdown: () => telemetry.shutdown(),
  };
}

function sdkExporter(transport: Transport, url: string): LogRecordExporter {
  if (transport === 'grpc') return new GrpcLogExporter({ url, timeoutMillis: 5000 });
  const options = { url: `${url}/v1/logs`, timeoutMillis: 5000 };
  return transport === 'http-json' ? new JsonLogExporter(options) : new ProtoLogExporter(options);
}

export function createSdk(options: ContenderOptions): Contender & { provider: LoggerProvider } {
  const exporter = options.logs === 'otlp'
    ? sdkExporter(options.transport ?? 'http-proto', options.url ?? 'http://127.0.0.1:9')
    : new DiscardLogExporter();
  const processors = [new BatchLogRecordProcessor({ exporter, ...(options.sdkBatch ?? {}) })];
  if (options.extraLogExporter) processors.push(new BatchLogRecordProcessor({ exporter: options.extraLogExporter }));
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': ORIGINATOR, 'service.version': APP_VERSION, env: 'bench' }));
  const provider = new LoggerProvider({ resource, processors });
  const logger: Logger = provider.getLogger('codex_otel.log_only');
  let meterProvider: MeterProvider | undefined;
  const counters = {} as Record<EventKind, Counter>;
  const histograms = {} as Record<EventKind, Histogram>;
  if (options.metrics !== 'none') {
    meterProvider = new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter: new DiscardMetricExporter(), exportIntervalMillis: 60_000 })],
    });
    const meter = meterProvider.getMeter('codex_otel');
    for (const kind of Object.keys(BASELINE_METRICS) as EventKind[]) {
      counters[kind] = meter.createCounter(BASELINE_METRICS[kind].counter);
      histograms[kind] = meter.createHistogram(BASELINE_METRICS[kind].histogram, { unit: 'ms' });
    }
  }
  const build = {
    sse: (now: number) => baselineSse(SSE_INPUT, now),
    tool: (now: number) => baselineTool(TOOL_INPUT, now),
    api: (now: number) => baselineApi(API_INPUT, now),
  };
  const emit = (kind: EventKind) => {
    const now = Date.now();
    const attributes = build[kind](now);
    logger.emit({
      eventName: attributes['event.name'] as string,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      timestamp: now,
      observedTimestamp: now,
      attributes,
    });
    if (meterProvider) {
      const tags = baselineTags(kind, now);
      counters[kind].add(1, tags);
      histograms[kind].record(BASELINE_METRICS[kind].duration, tags);
    }
  };
  return {
    provider,
    emit,
    flush: () => provider.forceFlush(),
    shutdown: () => Promise.all([provider.shutdown(), meterProvider?.shutdown()]),
  };
}

export function createContender(options: ContenderOptions): Contender {
  return options.impl === 'ours' ? createOurs(options) : createSdk(options);
}
