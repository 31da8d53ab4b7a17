/**
 * Trace export wiring, in one module so it can move onto the one send path: the tracer provider with
 * `span_attributes` applied at span start (as Codex's `SpanAttributesProcessor`), a batch processor per
 * exporter, and each exporter wrapped in the same retry policy as logs and metrics. Built only when a trace
 * exporter is configured: with `trace_exporter = "none"` nothing here exists and no span is ever created.
 */
import { createRequire } from 'node:module';
import type { Context, Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NetworkExporterConfig, OtelConfig } from '../config/types.js';
import { unrefAgentFactory } from './delivery/agent.js';
import { classifyFailure, takeOverRetries } from './delivery/outcome.js';
import type { RetryPolicy } from './delivery/retry.js';
import type { DeliveryStats } from './delivery/stats.js';
import { grpcMetadata, isNetworkExporter } from './exporters.js';
import { JsonLinesSpanExporter } from './file-exporters.js';
import { grpcCredentials, httpsAgentOptions } from './tls.js';

const load = createRequire(import.meta.url);
const packages = {
  // The trace SDK itself too: with trace_exporter = "none" it is never loaded.
  sdk: () => load('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base'),
  grpc: () => load('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc'),
  json: () => load('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http'),
  proto: () => load('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto'),
};

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
    const exporter = createSpanExporter(config.traceExporter, options.exportTimeoutMs);
    takeOverRetries(exporter);
    exporters.push(new RetryingSpanExporter(exporter, options.retry, options.stats));
  }
  for (const exporter of options.spanExporters ?? []) exporters.push(new RetryingSpanExporter(exporter, options.retry, options.stats));
  if (exporters.length === 0) return undefined;
  // File output gets the spans too (traces.jsonl), but never turns them on by itself: "none" stays free.
  if (config.extensions.fileOutput) exporters.push(new RetryingSpanExporter(new JsonLinesSpanExporter(config.extensions.fileOutput), options.retry, options.stats));

  const ext = config.extensions;
  const { BasicTracerProvider, BatchSpanProcessor } = packages.sdk();
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

export function createSpanExporter(config: NetworkExporterConfig, timeoutMillis: number): SpanExporter {
  if (config.kind === 'otlp-grpc') {
    return new (packages.grpc().OTLPTraceExporter)({
      url: config.endpoint,
      credentials: grpcCredentials(config.endpoint, config.tls),
      metadata: grpcMetadata(config.headers),
      timeoutMillis,
    });
  }
  const options = { url: config.endpoint, headers: config.headers, httpAgentOptions: unrefAgentFactory(httpsAgentOptions(config.tls)), timeoutMillis };
  return config.protocol === 'json'
    ? new (packages.json().OTLPTraceExporter)(options)
    : new (packages.proto().OTLPTraceExporter)(options);
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

/** The retry policy of logs and metrics around a span exporter (the one send path replaces this at merge). */
class RetryingSpanExporter implements SpanExporter {
  private closing = false;
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();
  private readonly pending = new Set<(result: ExportResult) => void>();

  constructor(private readonly inner: SpanExporter, private readonly retry: RetryPolicy, private readonly stats: DeliveryStats) {}

  export(spans: ReadableSpan[], callback: (result: ExportResult) => void): void {
    let answered = false;
    const done = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      this.pending.delete(done);
      callback(result);
    };
    this.pending.add(done);
    const started = Date.now();
    let attempts = 0;
    const attempt = () => {
      attempts++;
      try {
        this.inner.export(spans, (result) => {
          if (result.code === ExportResultCode.SUCCESS || this.closing) return done(result);
          const failure = classifyFailure(result.error);
          const wait = failure.retryable ? this.retry.nextDelay(attempts, Date.now() - started, failure.retryAfterMs) : undefined;
          if (wait === undefined) return done(result);
          this.stats.retries++;
          const timer = setTimeout(() => {
            this.waiting.delete(timer);
            if (this.closing) done(result);
            else attempt();
          }, wait);
          timer.unref();
          this.waiting.set(timer, () => done(result));
        });
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error as Error });
      }
    };
    attempt();
  }

  abandon(): void {
    this.closing = true;
    for (const done of [...this.pending]) done({ code: ExportResultCode.FAILED, error: new Error('abandoned at the shutdown bound') });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.closing = true;
    for (const [timer, giveUp] of this.waiting) {
      clearTimeout(timer);
      giveUp();
    }
    this.waiting.clear();
    return this.inner.shutdown();
  }
}
