/**
 * Trace export wiring: the tracer provider with `span_attributes` applied at span start (as Codex's
 * `SpanAttributesProcessor`), and per exporter (built by exporters.ts like the log exporters) a delivery
 * processor, the one log records have: the same queue, send path, retries, write-ahead spool (the configured
 * trace exporter only), replay and shutdown bound, with spans counted in the ledger's spans account
 * (docs/delivery.md). Built only when a trace exporter is configured: with `trace_exporter = "none"` nothing
 * here exists and no span is ever created.
 */
import { createRequire } from 'node:module';
import type { Context, Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OtelConfig } from '../config/types.js';
import { safeEndpoint } from '../config/safe-endpoint.js';
import { DeliverySpanProcessor } from './delivery/processor.js';
import type { RetryPolicy } from './delivery/retry.js';
import type { Spool } from './delivery/spool.js';
import type { SignalLedger } from './delivery/stats.js';
import { createSpanExporter, isNetworkExporter } from './exporters.js';
import { JsonLinesSpanExporter } from './file-exporters.js';

// The trace SDK is loaded when spans are on: with trace_exporter = "none" it never is.
const load = createRequire(import.meta.url);
const traceSdk = () => load('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');

export interface TraceExport {
  tracer: Tracer;
  forceFlush(): Promise<void>;
  /** Drains until `deadline` (a `performance.now()` time), then spools what is left; then closes the provider. */
  shutdownBy(deadline: number): Promise<void>;
  /** At the shutdown bound: write what is still queued or in flight to the spool (synchronously) and stop. */
  abandon(): void;
  /** True once `abandon()` had to spool (or drop) spans that were not delivered in time. */
  readonly abandonedAtBound: boolean;
}

export interface TraceExportOptions {
  resource: Resource;
  /** Exporters beside the configured one (tests, embedding hosts). */
  spanExporters?: SpanExporter[];
  exportTimeoutMs: number;
  retry: RetryPolicy;
  /** The spans' account of the pipeline's ledger. */
  stats: SignalLedger;
  /** The spans' view of the pipeline's spool: batches of the configured trace exporter that fail go there. */
  spool?: Spool<ReadableSpan>;
  /** Send spooled span batches of earlier runs in the background after start. Default true. */
  replayOnStart?: boolean;
  /** Scrubs a batch of spans when it leaves the queue (before the spool, a file or the network). Required: fail closed. */
  settle: (spans: ReadableSpan[]) => void;
}

/** The tracer of the configured `trace_exporter`, or undefined when there is nothing to export to. */
export function createTraceExport(config: OtelConfig, scope: string, options: TraceExportOptions): TraceExport | undefined {
  const ext = config.extensions;
  const processors: DeliverySpanProcessor[] = [];
  const add = (exporter: SpanExporter, label: string, spool: Spool<ReadableSpan> | undefined) => {
    processors.push(new DeliverySpanProcessor({
      exporter,
      stats: options.stats,
      maxQueueSize: ext.logQueueSize,
      maxExportBatchSize: ext.logBatchSize,
      scheduledDelayMillis: ext.logScheduleDelayMs,
      exportTimeoutMillis: options.exportTimeoutMs,
      retry: options.retry,
      label,
      settle: options.settle,
      ...(spool ? { spool } : {}),
      ...(options.replayOnStart === false ? { replayOnStart: false } : {}),
    }));
  };
  // Only the configured trace exporter is spooled, as only the configured logs exporter is.
  if (isNetworkExporter(config.traceExporter)) add(createSpanExporter(config.traceExporter, options.exportTimeoutMs), `spans to ${safeEndpoint(config.traceExporter.endpoint)}`, options.spool);
  for (const exporter of options.spanExporters ?? []) add(exporter, 'spans', undefined);
  if (processors.length === 0) return undefined;
  // File output gets the spans too (traces.jsonl), but never turns them on by itself: "none" stays free.
  if (ext.fileOutput) add(new JsonLinesSpanExporter(ext.fileOutput), 'file spans', undefined);

  const { BasicTracerProvider } = traceSdk();
  const spanProcessors: SpanProcessor[] = [];
  if (Object.keys(config.spanAttributes).length > 0) spanProcessors.push(new SpanAttributesProcessor(config.spanAttributes));
  spanProcessors.push(...processors);
  const provider = new BasicTracerProvider({ resource: options.resource, spanProcessors });
  let shutdownPromise: Promise<void> | undefined;
  const shutdownBy = (deadline: number): Promise<void> => {
    shutdownPromise ??= (async () => {
      await Promise.allSettled(processors.map((processor) => processor.shutdownBy(deadline)));
      await provider.shutdown().catch(() => undefined);
    })();
    return shutdownPromise;
  };
  return {
    // Codex names the tracer (the scope) after the service.
    tracer: provider.getTracer(scope),
    forceFlush: () => provider.forceFlush(),
    shutdownBy,
    abandon: () => { for (const processor of processors) processor.abandon(); },
    get abandonedAtBound() { return processors.some((processor) => processor.abandonedAtBound); },
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
