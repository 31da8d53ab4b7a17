/**
 * Counters for the simulate summary: what was emitted (a Session wrapper) and what each exporter got
 * (decorators that count records and data points passed to export() and their results). The SDK's batch
 * processor drops silently when its queue is full, so drops = emitted − exported − failed, after shutdown.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AggregationOption, AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { CATALOG, type ShapeId } from '../../events/catalog.js';
import type { Session } from '../../session.js';

/** Session methods that record an event, and the catalog shape each one records. */
export const METHOD_SHAPES: Readonly<Record<string, ShapeId>> = {
  conversationStarts: 'conversationStarts',
  startupPhase: 'startupPhase',
  userPrompt: 'userPrompt',
  apiRequest: 'apiRequest',
  sseEvent: 'sseChunk',
  sseEventFailed: 'sseChunkFailed',
  sseEventCompleted: 'sseCompleted',
  sseEventCompletedFailed: 'sseCompletedFailed',
  turnTtft: 'turnTtft',
  websocketConnect: 'websocketConnect',
  websocketRequest: 'websocketRequest',
  toolDecision: 'toolDecision',
  sandboxOutcome: 'sandboxOutcome',
  toolResult: 'toolResult',
};

export class EmitCounter {
  readonly byName = new Map<string, number>();
  readonly byShape = new Map<ShapeId, number>();
  total = 0;

  record(shape: ShapeId): void {
    const name = CATALOG[shape].name;
    this.total++;
    this.byName.set(name, (this.byName.get(name) ?? 0) + 1);
    this.byShape.set(shape, (this.byShape.get(shape) ?? 0) + 1);
  }

  /** A Session that counts every event method call, then calls the real one (the helpers call it too). */
  wrap(session: Session): Session {
    return new Proxy(session, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        const shape = typeof property === 'string' ? METHOD_SHAPES[property] : undefined;
        if (shape === undefined || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          this.record(shape);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}

export interface ExportTally {
  /** Items (log records, metric data points) in exports that succeeded. */
  exported: number;
  failed: number;
  calls: number;
  failedCalls: number;
  /** The first failure, for the summary. */
  firstError?: string;
}

function newTally(): ExportTally {
  return { exported: 0, failed: 0, calls: 0, failedCalls: 0 };
}

function settle(tally: ExportTally, items: number, result: ExportResult): void {
  if (result.code === ExportResultCode.SUCCESS) {
    tally.exported += items;
  } else {
    tally.failed += items;
    tally.failedCalls++;
    tally.firstError ??= result.error?.message ?? 'export failed';
  }
}

/**
 * Settles one export in the tally, counting a batch as failed once however often it is retried, and
 * uncounting it when a retry succeeds. Retries re-send the same batch object.
 */
function settleOnce<B extends object>(tally: ExportTally, failed: WeakSet<B>, batch: B, items: number, result: ExportResult): void {
  const counted = failed.has(batch);
  if (result.code === ExportResultCode.SUCCESS) {
    if (counted) {
      failed.delete(batch);
      tally.failed -= items;
    }
    settle(tally, items, result);
  } else if (counted) {
    tally.failedCalls++;
  } else {
    failed.add(batch);
    settle(tally, items, result);
  }
}

export class CountingLogExporter implements LogRecordExporter {
  readonly tally = newTally();
  private readonly failedBatches = new WeakSet<ReadableLogRecord[]>();

  constructor(readonly inner: LogRecordExporter, readonly label: string) {}

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.tally.calls++;
    let settled = false;
    const finish = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      settleOnce(this.tally, this.failedBatches, records, records.length, result);
      done(result);
    };
    try {
      this.inner.export(records, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export class CountingMetricExporter implements PushMetricExporter {
  readonly tally = newTally();
  private readonly failedBatches = new WeakSet<ResourceMetrics>();
  selectAggregationTemporality?: (instrumentType: InstrumentType) => AggregationTemporality;
  selectAggregation?: (instrumentType: InstrumentType) => AggregationOption;

  constructor(readonly inner: PushMetricExporter, readonly label: string) {
    // Only forward the selectors the inner exporter has: the reader falls back to SDK defaults otherwise.
    if (inner.selectAggregationTemporality) this.selectAggregationTemporality = (type) => inner.selectAggregationTemporality!(type);
    if (inner.selectAggregation) this.selectAggregation = (type) => inner.selectAggregation!(type);
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.tally.calls++;
    const points = countDataPoints(metrics);
    let settled = false;
    const finish = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      settleOnce(this.tally, this.failedBatches, metrics, points, result);
      done(result);
    };
    try {
      this.inner.export(metrics, finish);
    } catch (error) {
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export function countDataPoints(metrics: ResourceMetrics): number {
  let points = 0;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) points += metric.dataPoints.length;
  return points;
}
