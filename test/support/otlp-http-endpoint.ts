/**
 * The OTLP/HTTP side of the test receiver: /v1/logs, /v1/metrics, /v1/traces on 127.0.0.1, protobuf
 * or JSON, optionally gzip, optionally HTTPS / mutual TLS, with fault injection.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { BehaviourHook, FaultBehaviour } from './otlp-faults.js';
import type { PayloadEncoding } from './otlp-model.js';
import { encodeEmptyResponse, type Signal } from './otlp-protos.js';
import { decodePayload, type ReceivedRequest, type RequestLog } from './otlp-recording.js';

export interface ReceiverTls {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA used to verify client certificates (required with requireClientCert). */
  ca?: string | Buffer;
  /** Mutual TLS: refuse clients without a certificate signed by `ca`. */
  requireClientCert?: boolean;
}

export interface Endpoint {
  url: string;
  close(): Promise<void>;
}

const SIGNAL_PATHS: Record<string, Signal> = {
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
  '/v1/traces': 'traces',
};

const MEDIA_TYPES: Record<string, PayloadEncoding> = {
  'application/x-protobuf': 'protobuf',
  'application/json': 'json',
};

class Rejection extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function plainHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) result[key] = value;
  return result;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function undoContentEncoding(contentEncoding: string | undefined, wire: Buffer): Buffer {
  const coding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return wire;
  if (coding === 'gzip') {
    try {
      return zlib.gunzipSync(wire);
    } catch (error) {
      throw new Rejection(400, `invalid gzip body: ${(error as Error).message}`);
    }
  }
  throw new Rejection(415, `unsupported Content-Encoding "${contentEncoding}"`);
}

/** Validates and decodes into the record; throws Rejection for anything the harness refuses. */
function acceptPayload(record: ReceivedRequest, method: string | undefined, contentEncoding: string | undefined): void {
  if (!record.signal) throw new Rejection(404, `unknown path ${record.path}`);
  if (method !== 'POST') throw new Rejection(405, `method ${method} not allowed`);
  const encoding = MEDIA_TYPES[mediaType(record.contentType)];
  if (!encoding) throw new Rejection(415, `unsupported Content-Type "${record.contentType ?? ''}"`);
  record.encoding = encoding;
  record.body = undoContentEncoding(contentEncoding, record.wireBody);
  try {
    Object.assign(record, decodePayload(record.signal, encoding, record.body));
  } catch (error) {
    throw new Rejection(400, (error as Error).message);
  }
}

export async function startHttpEndpoint(
  log: RequestLog,
  behaviour: () => BehaviourHook | undefined,
  tls: ReceiverTls | undefined,
  maxRequestBytes = Number.POSITIVE_INFINITY,
): Promise<Endpoint> {
  const timers = new Set<NodeJS.Timeout>();

  function answer(record: ReceivedRequest, res: http.ServerResponse, fault: FaultBehaviour | undefined): void {
    if (fault?.status !== undefined) {
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      res.writeHead(fault.status, headers).end(fault.message ?? 'injected fault');
      record.outcome = fault.status >= 200 && fault.status < 300 ? 'accepted' : 'fault';
    } else {
      const isJson = record.encoding === 'json';
      const body = isJson ? Buffer.from('{}') : encodeEmptyResponse(record.signal as Signal);
      res.writeHead(200, { 'content-type': isJson ? 'application/json' : 'application/x-protobuf' }).end(body);
      record.outcome = 'accepted';
    }
    record.answeredStatus = res.statusCode;
    log.changed();
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, wireBody: Buffer): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const signal = SIGNAL_PATHS[path];
    const headers = plainHeaders(req.headers);
    const info = { transport: 'http' as const, signal, path, headers, attempt: log.nextAttempt('http', signal) };
    const record = log.open(info, { contentType: req.headers['content-type'], wireBody });
    if (wireBody.length > maxRequestBytes) {
      record.error = `request of ${wireBody.length} bytes over the limit of ${maxRequestBytes}`;
      record.outcome = 'rejected';
      record.answeredStatus = 413;
      res.writeHead(413, { 'content-type': 'text/plain' }).end('Request Entity Too Large');
      log.changed();
      return;
    }
    try {
      acceptPayload(record, req.method, req.headers['content-encoding']);
    } catch (error) {
      const status = error instanceof Rejection ? error.status : 500;
      record.error = (error as Error).message;
      record.outcome = 'rejected';
      record.answeredStatus = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(record.error);
      log.changed();
      return;
    }
    const fault = behaviour()?.(info);
    record.fault = fault;
    if (fault?.reset) {
      record.outcome = 'reset';
      req.socket.destroy();
      log.changed();
      return;
    }
    if (fault?.blackHole) {
      record.outcome = 'blackHole';
      log.changed();
      return;
    }
    if (fault?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(record, res, fault);
      }, fault.delayMs);
      timers.add(timer);
      return;
    }
    answer(record, res, fault);
  }

  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    // A client that gives up mid-body (timeout, abort) is the exporter's business, not a harness error.
    req.on('error', () => undefined);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  };

  const server = tls
    ? https.createServer(
        {
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          requestCert: tls.requireClientCert ?? false,
          rejectUnauthorized: tls.requireClientCert ?? false,
        },
        listener,
      )
    : http.createServer(listener);
  server.on('tlsClientError', (error) => {
    log.tlsErrors.push(`http: ${error.message}`);
    log.changed();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
