/**
 * Trace export wiring: the tracer provider with `span_attributes` applied at span start (as Codex's
 * `SpanAttributesProcessor`), a batch processor per exporter (built by exporters.ts like the log exporters),
 * and each exporter sending through the one send path (docs/delivery.md). Built only when a trace exporter
 * is configured: with `trace_exporter = "none"` nothing here exists and no span is ever created.
 */
import { createRequire } from 'node:module';
import type { Context, Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OtelConfig } from '../config/types.js';
import type { RetryPolicy } from './delivery/retry.js';
import { sendBatch } from './delivery/send.js';
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
  const exporters: RetryingSpanExporter[] = [];
  if (isNetworkExporter(config.traceExporter)) {
    exporters.push(new RetryingSpanExporter(createSpanExporter(config.traceExporter, options.exportTimeoutMs), options.retry, options.stats, options.exportTimeoutMs + 1000));
  }
  for (const exporter of options.spanExporters ?? []) exporters.push(new RetryingSpanExporter(exporter, options.retry, options.stats, options.exportTimeoutMs + 1000));
  if (exporters.length === 0) return undefined;
  // File output gets the spans too (traces.jsonl), but never turns them on by itself: "none" stays free.
  if (config.extensions.fileOutput) exporters.push(new RetryingSpanExporter(new JsonLinesSpanExporter(config.extensions.fileOutput), options.retry, options.stats, options.exportTimeoutMs + 1000));

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

/**
 * Spans through the one send path (`sendBatch`): the retry policy of logs and metrics, the same guard, and
 * at the shutdown bound every export in flight answered so nothing holds the process. Not spooled (yet).
 */
class RetryingSpanExporter implements SpanExporter {
  private readonly aborts = new Set<AbortController>();
  private readonly pending = new Set<(result: ExportResult) => void>();

  constructor(private readonly inner: SpanExporter, private readonly retry: RetryPolicy, private readonly stats: DeliveryStats, private readonly guardMs: number) {}

  export(spans: ReadableSpan[], callback: (result: ExportResult) => void): void {
    let answered = false;
    const done = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      this.pending.delete(done);
      callback(result);
    };
    this.pending.add(done);
    const abort = new AbortController();
    this.aborts.add(abort);
    sendBatch(this.inner, spans, { retry: this.retry, guardMs: this.guardMs, signal: abort.signal, onRetry: () => this.stats.retried() }).then(
      (result) => {
        this.aborts.delete(abort);
        done(result.ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: asError(result.error, result.failure.what) });
      },
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: asError(error, 'internal error') }),
    );
  }

  abandon(): void {
    for (const abort of this.aborts) abort.abort();
    for (const done of [...this.pending]) done({ code: ExportResultCode.FAILED, error: new Error('abandoned at the shutdown bound') });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    for (const abort of this.aborts) abort.abort();
    return this.inner.shutdown();
  }
}

function asError(error: unknown, fallback: string): Error {
  return error instanceof Error ? error : new Error(fallback);
}
