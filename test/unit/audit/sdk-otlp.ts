/**
 * OTLP/JSON made by the real OpenTelemetry SDK: log records emitted through `sdk-logs` and spans
 * ended through `sdk-trace-base`, collected in memory and serialised by the SDK's own OTLP/JSON
 * serializer (what an OTLP/HTTP JSON exporter sends and a capture receiver writes). The audit tests
 * read these instead of hand-typed JSON wherever the shape is not the point.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export type Attributes = Record<string, string | number | boolean>;

export interface SdkLogRecord {
  attributes: Attributes;
  /** Epoch ms; default: the `event.timestamp` attribute, else now. */
  time?: number;
  severityNumber?: SeverityNumber;
  body?: string;
  eventName?: string;
}

export interface SdkSpan {
  name: string;
  attributes: Attributes;
  start: number;
  end: number;
}

const decoder = new TextDecoder();

/** One ExportLogsServiceRequest as OTLP/JSON text (one line). */
export async function sdkLogsJson(records: readonly SdkLogRecord[], resource: Attributes = { 'service.name': 'codex_exec' }, scope = 'codex_otel.log_only'): Promise<string> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes(resource), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger(scope, '');
  for (const record of records) {
    logger.emit({
      attributes: record.attributes,
      severityNumber: record.severityNumber ?? SeverityNumber.INFO,
      severityText: record.severityNumber === SeverityNumber.DEBUG ? 'DEBUG' : 'INFO',
      // As this project's library does: timeUnixNano at the `event.timestamp` instant. (The SDK
      // replaces a 0 with now, so Codex's timeUnixNano = 0 cannot be made here: the hand-made
      // Collector sample and the real captures cover it.)
      ...timestampOf(record),
      ...(record.body === undefined ? {} : { body: record.body }),
      ...(record.eventName === undefined ? {} : { eventName: record.eventName }),
    });
  }
  await provider.forceFlush();
  const json = decoder.decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!);
  await provider.shutdown();
  return json;
}

function timestampOf(record: SdkLogRecord): { timestamp?: number } {
  if (record.time !== undefined) return { timestamp: record.time };
  const stamp = record.attributes['event.timestamp'];
  return typeof stamp === 'string' ? { timestamp: Date.parse(stamp) } : {};
}

/** One ExportTracesServiceRequest as OTLP/JSON text (one line). */
export async function sdkTracesJson(spans: readonly SdkSpan[], resource: Attributes = { 'service.name': 'codex-app-server' }, scope = 'codex-app-server'): Promise<string> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer(scope);
  for (const s of spans) {
    const span = tracer.startSpan(s.name, { attributes: s.attributes, startTime: s.start });
    span.end(s.end);
  }
  await provider.forceFlush();
  const json = decoder.decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
  await provider.shutdown();
  return json;
}

/** Codex-shaped common attributes (contract §1.1), for records made here. */
export function common(conversation: string, originator: string, email: string | null, at: number): Attributes {
  return {
    'event.timestamp': new Date(at).toISOString(),
    'conversation.id': conversation,
    'app.version': '0.169.0',
    originator,
    ...(email === null ? {} : { 'user.email': email }),
    'terminal.type': 'tmux',
    model: 'gpt-5',
    slug: 'gpt-5',
  };
}
