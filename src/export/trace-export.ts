/**
 * Trace export wiring: the tracer provider with `span_attributes` applied at span start (as Codex's
 * `SpanAttributesProcessor`), a batch processor per exporter (built by exporters.ts like the log exporters),
 * and each exporter sending through the one send path (docs/delivery.md). Built only when a trace exporter
 * is configured: with `trace_exporter = "none"` nothing here exists and no span is ever created.
 */
import { createRequire } from 'node:module';
import type { Context, Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OtelConfig } from '../config/types.js';
import type { RetryPolicy } from './delivery/retry.js';
import { RetryingExporter } from './delivery/retrying-exporter.js';
import type { DeliveryStats } from './delivery/stats.js';
import { createSpanExporter, isNetworkExporter } from './exporters.js';
import { JsonLinesSpanExporter } from './file-exporters.js';

// The trace SDK is loaded when spans are on: with trace_exporter = "none" it never is.
const load = createRequire(import.meta.url);
const traceSdk = () => load('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');

export interface TraceExport {
  tracer: Tracer;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /** At the shutdown bound: answer every export in flight as failed so nothing holds the process. */
  abandon(): void;
}

export interface TraceExportOptions {
  resource: Resource;
  /** Exporters beside the configured one (tests, embedding hosts). */
  spanExporters?: SpanExporter[];
  exportTimeoutMs: number;
  retry: RetryPolicy;
  stats: DeliveryStats;
}

/** The tracer of the configured `trace_exporter`, or undefined when there is nothing to export to. */
export function createTraceExport(config: OtelConfig, scope: string, options: TraceExportOptions): TraceExport | undefined {
  // Spans go through the one send path with the logs' retry policy; they are not spooled (yet).
  const exporters: Array<RetryingExporter<ReadableSpan[]>> = [];
  if (isNetworkExporter(config.traceExporter)) {
    exporters.push(new RetryingExporter<ReadableSpan[]>(createSpanExporter(config.traceExporter, options.exportTimeoutMs), options.retry, options.stats, options.exportTimeoutMs + 1000));
  }
  for (const exporter of options.spanExporters ?? []) exporters.push(new RetryingExporter<ReadableSpan[]>(exporter, options.retry, options.stats, options.exportTimeoutMs + 1000));
  if (exporters.length === 0) return undefined;
  // File output gets the spans too (traces.jsonl), but never turns them on by itself: "none" stays free.
  if (config.extensions.fileOutput) exporters.push(new RetryingExporter<ReadableSpan[]>(new JsonLinesSpanExporter(config.extensions.fileOutput), options.retry, options.stats, options.exportTimeoutMs + 1000));

  const ext = config.extensions;
  const { BasicTracerProvider, BatchSpanProcessor } = traceSdk();
  const processors: SpanProcessor[] = [];
  if (Object.keys(config.spanAttributes).length > 0) processors.push(new SpanAttributesProcessor(config.spanAttributes));
  for (const exporter of exporters) {
    processors.push(new BatchSpanProcessor(exporter, {
      maxQueueSize: ext.logQueueSize,
      maxExportBatchSize: Math.min(ext.logBatchSize, ext.logQueueSize),
      scheduledDelayMillis: ext.logScheduleDelayMs,
      exportTimeoutMillis: options.exportTimeoutMs * 2,
    }));
  }
  const provider = new BasicTracerProvider({ resource: options.resource, spanProcessors: processors });
  return {
    // Codex names the tracer (the scope) after the service.
    tracer: provider.getTracer(scope),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    abandon: () => { for (const exporter of exporters) exporter.abandon(); },
  };
}

/** `span_attributes`: set on every span when it starts; like Codex's processor, this runs after the span's own start attributes, so a configured key wins. */
class SpanAttributesProcessor implements SpanProcessor {
  private readonly entries: Array<[string, string]>;

  constructor(attributes: Record<string, string>) {
    this.entries = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  onStart(span: Span, _parent: Context): void {
    for (const [key, value] of this.entries) span.setAttribute(key, value);
  }

  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}
