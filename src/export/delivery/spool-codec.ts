/**
 * How one signal's batches are written to the spool and read back: the SDK's own OTLP/JSON serializer
 * (the format of the file output and of the Collector's `file` exporter) and its inverse, so a batch read
 * back is sent as the request it would have been the first time.
 */
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { serializeLogsJson, serializeTracesJson } from '../otlp-json.js';
import { reviveLogsRequest } from './revive.js';
import { reviveTracesRequest } from './revive-spans.js';
import type { SpooledSignal } from './stats.js';

export interface SpoolCodec<Item> {
  /** The file name prefix of this signal's batches. */
  signal: SpooledSignal;
  /** One `Export…ServiceRequest` as OTLP/JSON bytes; undefined when the serializer fails. */
  encode(items: Item[]): Uint8Array | undefined;
  /** The items of one line; throws on a line that is not such a request. */
  decode(line: string): Item[];
}

export const LOGS_CODEC: SpoolCodec<ReadableLogRecord> = { signal: 'logs', encode: serializeLogsJson, decode: reviveLogsRequest };

export const TRACES_CODEC: SpoolCodec<ReadableSpan> = { signal: 'traces', encode: serializeTracesJson, decode: reviveTracesRequest };
