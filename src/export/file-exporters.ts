import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { serializeLogsJson, serializeMetricsJson, serializeTracesJson } from './otlp-json.js';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { diag } from '@opentelemetry/api';
import type { FileOutputConfig } from '../config/types.js';
import { RotatingLineFile } from './rotating-file.js';

export const LOGS_FILE = 'logs.jsonl';
export const METRICS_FILE = 'metrics.jsonl';
export const TRACES_FILE = 'traces.jsonl';

/**
 * OTLP/JSON lines: one `ExportLogsServiceRequest` per line, the format of the Collector's `file` exporter
 * and of its `otlpjsonfile` receiver, so the files can be replayed into any collector.
 */
export class JsonLinesLogExporter implements LogRecordExporter {
  readonly file: RotatingLineFile;

  constructor(config: FileOutputConfig) {
    this.file = new RotatingLineFile(join(config.directory, LOGS_FILE), config.maxBytes, config.maxFiles);
  }

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    writeLine(this.file, () => serializeLogsJson(records), done);
  }

  forceFlush(): Promise<void> {
    return this.file.drain();
  }

  shutdown(): Promise<void> {
    return this.file.drain();
  }
}

export class JsonLinesMetricExporter implements PushMetricExporter {
  readonly file: RotatingLineFile;

  constructor(config: FileOutputConfig, private readonly temporality: 'delta' | 'cumulative') {
    this.file = new RotatingLineFile(join(config.directory, METRICS_FILE), config.maxBytes, config.maxFiles);
  }

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    writeLine(this.file, () => serializeMetricsJson(metrics), done);
  }

  selectAggregationTemporality(): AggregationTemporality {
    return this.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return this.file.drain();
  }

  shutdown(): Promise<void> {
    return this.file.drain();
  }
}

/** Spans as OTLP/JSON lines (`traces.jsonl`), written when spans are exported and file output is on. */
export class JsonLinesSpanExporter implements SpanExporter {
  readonly file: RotatingLineFile;

  constructor(config: FileOutputConfig) {
    this.file = new RotatingLineFile(join(config.directory, TRACES_FILE), config.maxBytes, config.maxFiles);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    writeLine(this.file, () => serializeTracesJson(spans), done);
  }

  forceFlush(): Promise<void> {
    return this.file.drain();
  }

  shutdown(): Promise<void> {
    return this.file.drain();
  }
}

function writeLine(file: RotatingLineFile, serialize: () => Uint8Array | undefined, done: (result: ExportResult) => void): void {
  let line: Uint8Array | undefined;
  try {
    line = serialize();
  } catch (error) {
    done({ code: ExportResultCode.FAILED, error: error as Error });
    return;
  }
  if (!line) {
    done({ code: ExportResultCode.FAILED, error: new Error('nothing serialized') });
    return;
  }
  file.append(line).then(
    () => done({ code: ExportResultCode.SUCCESS }),
    (error: Error) => {
      diag.warn(`codex-otel: cannot write ${file.path}: ${error.message}`);
      done({ code: ExportResultCode.FAILED, error });
    },
  );
}
