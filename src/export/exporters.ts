import { createRequire } from 'node:module';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig, NetworkExporterConfig } from '../config/types.js';
import { grpcCredentials, httpsAgentOptions } from './tls.js';

/**
 * The exporter packages are loaded when an exporter of their kind is built, not at import: each pulls in
 * its transport (HTTP, protobuf, gRPC) and together they were a third of the start-up time.
 */
const load = createRequire(import.meta.url);
const packages = {
  logsGrpc: () => load('@opentelemetry/exporter-logs-otlp-grpc') as typeof import('@opentelemetry/exporter-logs-otlp-grpc'),
  logsJson: () => load('@opentelemetry/exporter-logs-otlp-http') as typeof import('@opentelemetry/exporter-logs-otlp-http'),
  logsProto: () => load('@opentelemetry/exporter-logs-otlp-proto') as typeof import('@opentelemetry/exporter-logs-otlp-proto'),
  metricsGrpc: () => load('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc'),
  metricsJson: () => load('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http'),
  metricsProto: () => load('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto'),
  grpcBase: () => load('@opentelemetry/otlp-grpc-exporter-base') as typeof import('@opentelemetry/otlp-grpc-exporter-base'),
};
import { unrefAgentFactory } from './delivery/agent.js';

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
  const options = { url: config.endpoint, headers: config.headers, httpAgentOptions: unrefAgentFactory(httpsAgentOptions(config.tls)), timeoutMillis };
  return config.protocol === 'json'
    ? new (packages.logsJson().OTLPLogExporter)(options)
    : new (packages.logsProto().OTLPLogExporter)(options);
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
  const options = {
    url: config.endpoint,
    headers: config.headers,
    httpAgentOptions: unrefAgentFactory(httpsAgentOptions(config.tls)),
    timeoutMillis,
    temporalityPreference,
  };
  return config.protocol === 'json'
    ? new (packages.metricsJson().OTLPMetricExporter)(options)
    : new (packages.metricsProto().OTLPMetricExporter)(options);
}

/** Headers become gRPC metadata, built through the exporter package so one copy of @grpc/grpc-js is used. */
export function grpcMetadata(headers: Record<string, string>) {
  const metadata = packages.grpcBase().createEmptyMetadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}
