/**
 * What the test receiver records about each request, shared by its HTTP and gRPC endpoints, and the
 * decoding of a payload into the normalised model.
 */
import type { FaultBehaviour, RequestInfo, Transport } from './otlp-faults.js';
import { logsFromJson, logsFromProtobufObject, metricsFromJson, metricsFromProtobufObject } from './otlp-convert.js';
import { spansFromJson, spansFromProtobufObject } from './otlp-convert-spans.js';
import type { PayloadEncoding, ReceivedLogRecord, ReceivedMetric, ReceivedSpan } from './otlp-model.js';
import { decodeExportRequest, type PlainMessage, type Signal } from './otlp-protos.js';

/**
 * - pending: read, not answered yet (delayed, or still being handled)
 * - accepted: answered with success; only these count in `logs()` / `metrics()`
 * - rejected: the harness refused it (unknown path, content type, malformed payload): see `error`
 * - fault / blackHole / reset: an injected fault was applied
 */
export type RequestOutcome = 'pending' | 'accepted' | 'rejected' | 'fault' | 'blackHole' | 'reset';

export interface ReceivedRequest {
  /** 1-based, in arrival order */
  id: number;
  transport: Transport;
  signal: Signal | undefined;
  /** HTTP path, or the gRPC method path */
  path: string;
  /** 1-based per transport and signal since start/reset (retries of the same export count up) */
  attempt: number;
  headers: Record<string, string | string[]>;
  contentType: string | undefined;
  encoding: PayloadEncoding | undefined;
  /** The payload after Content-Encoding was undone: the bytes to search for leaked secrets. */
  body: Buffer;
  /** The bytes as they came over HTTP (still gzipped if they were); same as body on gRPC. */
  wireBody: Buffer;
  /** The decoded request: protobuf plain object, or the parsed JSON. */
  decoded: PlainMessage | undefined;
  logs: ReceivedLogRecord[];
  metrics: ReceivedMetric[];
  spans: ReceivedSpan[];
  fault: FaultBehaviour | undefined;
  outcome: RequestOutcome;
  /** HTTP status or gRPC status code that was answered, once answered. */
  answeredStatus: number | undefined;
  /** Why the harness rejected the request; tests assert `receiver.errors()` is empty. */
  error: string | undefined;
  receivedAt: number;
}

export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

export interface DecodedPayload {
  decoded: PlainMessage;
  logs: ReceivedLogRecord[];
  metrics: ReceivedMetric[];
  spans: ReceivedSpan[];
}

/** Decodes and converts one payload; throws OtlpDecodeError (or a shape error) on anything wrong. */
export function decodePayload(signal: Signal, encoding: PayloadEncoding, body: Buffer): DecodedPayload {
  let decoded: PlainMessage;
  if (encoding === 'protobuf') {
    try {
      decoded = decodeExportRequest(signal, body);
    } catch (error) {
      throw new OtlpDecodeError(`malformed protobuf ${signal} request: ${(error as Error).message}`);
    }
  } else {
    try {
      decoded = JSON.parse(body.toString('utf8')) as PlainMessage;
    } catch (error) {
      throw new OtlpDecodeError(`malformed JSON ${signal} request: ${(error as Error).message}`);
    }
  }
  const protobuf = encoding === 'protobuf';
  return {
    decoded,
    logs: signal === 'logs' ? (protobuf ? logsFromProtobufObject : logsFromJson)(decoded) : [],
    metrics: signal === 'metrics' ? (protobuf ? metricsFromProtobufObject : metricsFromJson)(decoded) : [],
    spans: signal === 'traces' ? (protobuf ? spansFromProtobufObject : spansFromJson)(decoded) : [],
  };
}

/** The list of requests plus change notification for `waitFor`. */
export class RequestLog {
  readonly requests: ReceivedRequest[] = [];
  readonly tlsErrors: string[] = [];
  private readonly listeners = new Set<() => void>();
  private nextId = 1;

  nextAttempt(transport: Transport, signal: Signal | undefined): number {
    return this.requests.filter((r) => r.transport === transport && r.signal === signal).length + 1;
  }

  /** Creates and stores the record of a request whose body has been read. */
  open(info: RequestInfo, fields: Pick<ReceivedRequest, 'contentType' | 'wireBody'>): ReceivedRequest {
    const request: ReceivedRequest = {
      id: this.nextId++,
      ...info,
      ...fields,
      encoding: undefined,
      body: fields.wireBody,
      decoded: undefined,
      logs: [],
      metrics: [],
      spans: [],
      fault: undefined,
      outcome: 'pending',
      answeredStatus: undefined,
      error: undefined,
      receivedAt: Date.now(),
    };
    this.requests.push(request);
    this.changed();
    return request;
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.requests.length = 0;
    this.tlsErrors.length = 0;
    this.changed();
  }
}

/** A short description of what arrived, for timeout messages. */
export function summarize(requests: readonly ReceivedRequest[]): string {
  if (requests.length === 0) return 'no requests received';
  return requests
    .map((r) => `#${r.id} ${r.transport} ${r.path} ${r.encoding ?? r.contentType ?? '?'} → ${r.outcome}${r.error ? ` (${r.error})` : ''}`)
    .join('; ');
}
