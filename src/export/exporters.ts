import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { createEmptyMetadata } from '@opentelemetry/otlp-grpc-exporter-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig, NetworkExporterConfig } from '../config/types.js';
import { grpcCredentials, httpsAgentOptions } from './tls.js';
import { unrefAgentFactory } from './delivery/agent.js';

/** How long one export request may take before it is abandoned (Codex gives each provider 5 s). */
export const DEFAULT_EXPORT_TIMEOUT_MS = 5000;

export function isNetworkExporter(config: ExporterConfig): config is NetworkExporterConfig {
  return config.kind === 'otlp-http' || config.kind === 'otlp-grpc';
}

export function createLogExporter(config: NetworkExporterConfig, timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS): LogRecordExporter {
  if (config.kind === 'otlp-grpc') {
    return new GrpcLogExporter({
      url: config.endpoint,
      credentials: grpcCredentials(config.endpoint, config.tls),
      metadata: grpcMetadata(config.headers),
      timeoutMillis,
    });
  }
  const options = { url: config.endpoint, headers: config.headers, httpAgentOptions: unrefAgentFactory(httpsAgentOptions(config.tls)), timeoutMillis };
  return config.protocol === 'json' ? new JsonLogExporter(options) : new ProtoLogExporter(options);
}

export function createMetricExporter(
  config: NetworkExporterConfig,
  temporality: 'delta' | 'cumulative',
  timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS,
): PushMetricExporter {
  const temporalityPreference = temporality === 'delta'
    ? AggregationTemporalityPreference.DELTA
    : AggregationTemporalityPreference.CUMULATIVE;
  if (config.kind === 'otlp-grpc') {
    return new GrpcMetricExporter({
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
  return config.protocol === 'json' ? new JsonMetricExporter(options) : new ProtoMetricExporter(options);
}

/** Headers become gRPC metadata, built through the exporter package so one copy of @grpc/grpc-js is used. */
function grpcMetadata(headers: Record<string, string>) {
  const metadata = createEmptyMetadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}
