import { createRequire } from 'node:module';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

type Transformer = typeof import('@opentelemetry/otlp-transformer');
let transformer: Transformer | undefined;

/** The SDK's OTLP serializers, loaded on first use: a host that writes no file or spool never pays for them. */
function serializers(): Transformer {
  transformer ??= createRequire(import.meta.url)('@opentelemetry/otlp-transformer') as Transformer;
  return transformer;
}

/** One `ExportLogsServiceRequest` as OTLP/JSON bytes. */
export function serializeLogsJson(records: ReadableLogRecord[]): Uint8Array | undefined {
  return serializers().JsonLogsSerializer.serializeRequest(records);
}

/** One `ExportMetricsServiceRequest` as OTLP/JSON bytes. */
export function serializeMetricsJson(metrics: ResourceMetrics): Uint8Array | undefined {
  return serializers().JsonMetricsSerializer.serializeRequest(metrics);
}

/** One `ExportTraceServiceRequest` as OTLP/JSON bytes. */
export function serializeTracesJson(spans: ReadableSpan[]): Uint8Array | undefined {
  return serializers().JsonTraceSerializer.serializeRequest(spans);
}
