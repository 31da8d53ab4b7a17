/**
 * Drive the REAL OpenTelemetry SDK against a given exporter, for tests of what reaches the wire.
 * Each helper builds its own provider, exports, and shuts it down, so no timer or socket outlives it.
 */
import type { LogRecord } from '@opentelemetry/api-logs';
import type { Meter } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';

export const TEST_RESOURCE: Resource = resourceFromAttributes({ 'service.name': 'codex-otel-harness' });

/** Wraps an exporter to keep the ExportResult of every export (the SDK processors swallow them). */
export class ResultRecordingLogExporter implements LogRecordExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: LogRecordExporter) {}
  export(logs: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.inner.export(logs, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
}

export interface EmitOptions {
  resource?: Resource;
  scope?: { name: string; version?: string };
}

/** Emits the records through a LoggerProvider with a SimpleLogRecordProcessor, flushes, shuts down. */
export async function emitLogRecords(
  exporter: LogRecordExporter,
  records: readonly LogRecord[],
  options: EmitOptions = {},
): Promise<void> {
  const provider = new LoggerProvider({
    resource: options.resource ?? TEST_RESOURCE,
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  try {
    const scope = options.scope ?? { name: 'codex-otel-harness' };
    const logger = provider.getLogger(scope.name, scope.version);
    for (const record of records) logger.emit(record);
    await provider.forceFlush();
  } finally {
    await provider.shutdown();
  }
}

/**
 * Records measurements through a MeterProvider with a PeriodicExportingMetricReader whose interval
 * is long enough never to fire, then shuts it down: shutdown collects and exports exactly once.
 * (forceFlush followed by shutdown would export twice; with cumulative temporality the second export
 * repeats every point.)
 */
export async function exportMetricsOnce(
  exporter: PushMetricExporter,
  record: (meter: Meter) => void,
  options: EmitOptions = {},
): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 600_000 });
  const provider = new MeterProvider({ resource: options.resource ?? TEST_RESOURCE, readers: [reader] });
  const scope = options.scope ?? { name: 'codex-otel-harness' };
  try {
    record(provider.getMeter(scope.name, scope.version));
  } finally {
    await provider.shutdown();
  }
}
