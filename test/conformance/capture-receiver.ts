/**
 * Captures what an OTLP exporter sends (the real Codex binary, or our library) with the test
 * receiver of test/support, and turns it into OTLP/JSON documents: one `Export*ServiceRequest` per
 * signal holding every resource of every accepted request, in arrival order, decoded with the real
 * OTLP protos. Nothing is normalised: ids, times and values are as they came.
 */
import type protobuf from 'protobufjs';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { requestType, type Signal } from '../support/otlp-protos.js';

export type OtlpJsonDocument = Record<string, unknown>;

export interface CaptureReceiver {
  readonly receiver: OtlpReceiver;
  /** An OTLP/JSON document of everything accepted for the signal so far. */
  document(signal: Signal): OtlpJsonDocument;
  close(): Promise<void>;
}

const RESOURCE_KEY: Record<Signal, string> = { logs: 'resourceLogs', metrics: 'resourceMetrics', traces: 'resourceSpans' };

/** OTLP/JSON as the specification writes it: camelCase, int64 as strings, enums as numbers, bytes base64 except ids. */
const JSON_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: false, oneofs: false };
const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

export async function startCaptureReceiver(): Promise<CaptureReceiver> {
  const receiver = await startOtlpReceiver();
  return {
    receiver,
    document(signal) {
      const resources = receiver.requests
        .filter((request) => request.outcome === 'accepted' && request.signal === signal && request.encoding === 'protobuf')
        .flatMap((request) => (protobufToOtlpJson(signal, request.body)[RESOURCE_KEY[signal]] as unknown[] | undefined) ?? []);
      return { [RESOURCE_KEY[signal]]: resources };
    },
    close: () => receiver.close(),
  };
}

export function protobufToOtlpJson(signal: Signal, body: Uint8Array): OtlpJsonDocument {
  const type = requestType(signal);
  return hexIds(type.toObject(type.decode(body), JSON_OPTIONS)) as OtlpJsonDocument;
}

/** Trace and span ids are lower-case hex in OTLP/JSON (protobufjs gives base64 for every bytes field). */
function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    out[key] = HEX_ID_FIELDS.has(key) && typeof field === 'string' ? Buffer.from(field, 'base64').toString('hex') : hexIds(field);
  }
  return out;
}

export function countRecords(document: OtlpJsonDocument, signal: Signal): number {
  const resources = (document[RESOURCE_KEY[signal]] as Array<Record<string, unknown>> | undefined) ?? [];
  let total = 0;
  for (const resource of resources) {
    const scopes = (resource[signal === 'logs' ? 'scopeLogs' : signal === 'metrics' ? 'scopeMetrics' : 'scopeSpans'] as Array<Record<string, unknown>> | undefined) ?? [];
    for (const scope of scopes) total += ((scope[signal === 'logs' ? 'logRecords' : signal === 'metrics' ? 'metrics' : 'spans'] as unknown[] | undefined) ?? []).length;
  }
  return total;
}
