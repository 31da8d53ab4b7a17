import { createRequire } from 'node:module';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig, NetworkExporterConfig } from '../config/types.js';
import type { IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import { createHttpTransport } from './delivery/http-transport.js';
import { grpcCredentials, httpsAgentOptions } from './tls.js';

const USER_AGENT = 'codex-otel';

/**
 * The exporter packages are loaded when an exporter of their kind is built, not at import: each pulls in
 * its transport (HTTP, protobuf, gRPC) and together they were a third of the start-up time.
 */
const load = createRequire(import.meta.url);
const packages = {
  logsGrpc: () => load('@opentelemetry/exporter-logs-otlp-grpc') as typeof import('@opentelemetry/exporter-logs-otlp-grpc'),
  metricsGrpc: () => load('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc'),
  metricsJson: () => load('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http'),
  grpcBase: () => load('@opentelemetry/otlp-grpc-exporter-base') as typeof import('@opentelemetry/otlp-grpc-exporter-base'),
  base: () => load('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base'),
  baseHttp: () => load('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http'),
  transformer: () => load('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer'),
};

/** How long one export request may take before it is abandoned (Codex gives each provider 5 s). */
export const DEFAULT_EXPORT_TIMEOUT_MS = 5000;

export function isNetworkExporter(config: ExporterConfig): config is NetworkExporterConfig {
  return config.kind === 'otlp-http' || config.kind === 'otlp-grpc';
}

export function createLogExporter(config: NetworkExporterConfig, timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS): LogRecordExporter {
  if (config.kind === 'otlp-grpc') {
    return new (packages.logsGrpc().OTLPLogExporter)({
      url: config.endpoint,
      credentials: grpcCredentials(config.endpoint, config.tls),
      metadata: grpcMetadata(config.headers),
      timeoutMillis,
    });
  }
  const { JsonLogsSerializer, ProtobufLogsSerializer, LogsExporterMetricsHelper } = packages.transformer();
  const serializer = config.protocol === 'json' ? JsonLogsSerializer : ProtobufLogsSerializer;
  const delegate = httpDelegate(config, timeoutMillis, serializer, 'otlp_http_log_exporter', LogsExporterMetricsHelper);
  return new (packages.base().OTLPExporterBase)(delegate);
}

/**
 * The SDK's export delegate (serializing, concurrency limit, self-metrics) around our transport, through
 * the public `createOtlpNetworkExportDelegate`: no retry inside (`send.ts` is the one retry loop), answers
 * classified with status and Retry-After. Generic over the signal: traces plug in with their serializer.
 */
function httpDelegate<Internal, Response>(
  config: NetworkExporterConfig & { kind: 'otlp-http' },
  timeoutMillis: number,
  serializer: ISerializer<Internal, Response>,
  componentType: string,
  helper: IExporterMetricsHelper<Internal>,
): IOtlpExportDelegate<Internal> {
  const base = packages.base();
  const transport = createHttpTransport({
    url: config.endpoint,
    headers: config.headers,
    contentType: config.protocol === 'json' ? 'application/json' : 'application/x-protobuf',
    agentOptions: httpsAgentOptions(config.tls),
    userAgent: USER_AGENT,
  });
  const metrics = packages.baseHttp().createOtlpHttpExporterMetrics(componentType, helper, config.endpoint, undefined);
  const shared = base.mergeOtlpSharedConfigurationWithDefaults({ timeoutMillis, compression: 'none' }, {}, base.getSharedConfigurationDefaults());
  return base.createOtlpNetworkExportDelegate(shared, serializer, metrics, transport);
}

export function createMetricExporter(
  config: NetworkExporterConfig,
  temporality: 'delta' | 'cumulative',
  timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS,
): PushMetricExporter {
  const { AggregationTemporalityPreference } = packages.metricsJson();
  const temporalityPreference = temporality === 'delta'
    ? AggregationTemporalityPreference.DELTA
    : AggregationTemporalityPreference.CUMULATIVE;
  if (config.kind === 'otlp-grpc') {
    return new (packages.metricsGrpc().OTLPMetricExporter)({
      url: config.endpoint,
      credentials: grpcCredentials(config.endpoint, config.tls),
      metadata: grpcMetadata(config.headers),
      timeoutMillis,
      temporalityPreference,
    });
  }
  const { JsonMetricsSerializer, ProtobufMetricsSerializer, MetricsExporterMetricsHelper } = packages.transformer();
  const serializer = config.protocol === 'json' ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  const delegate = httpDelegate(config, timeoutMillis, serializer, 'otlp_http_metric_exporter', MetricsExporterMetricsHelper);
  return new (packages.metricsJson().OTLPMetricExporterBase)(delegate, { temporalityPreference });
}

/** Headers become gRPC metadata, built through the exporter package so one copy of @grpc/grpc-js is used. */
function grpcMetadata(headers: Record<string, string>) {
  const metadata = packages.grpcBase().createEmptyMetadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}
