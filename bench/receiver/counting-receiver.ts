/**
 * A minimal, fast OTLP receiver for the benchmarks, run as a CHILD PROCESS (`fork`) so that decoding
 * never competes with the emitter for its thread. It listens on 127.0.0.1 with:
 *  - OTLP/HTTP `/v1/logs` and `/v1/metrics`, protobuf (decoded with the real OTLP protos of
 *    test/support/otlp-protos.ts) and JSON (parsed), answering 200 with an empty response;
 *  - OTLP/gRPC LogsService/MetricsService `Export`, decoded with the same protos;
 *  - a black hole: an HTTP server that reads every request and never answers;
 *  - a refused port: bound once, then closed (connections are refused).
 * Log records are COUNTED AFTER DECODING (resourceLogs → scopeLogs → logRecords), never estimated from
 * bytes. The parent talks to it over IPC: `counts`, `reset`, `close`.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { encodeEmptyResponse, exportServiceDefinition, requestType } from '../../test/support/otlp-protos.js';

export interface ReceiverPorts {
  http: number;
  grpc: number;
  blackHole: number;
  refused: number;
}

export interface ReceiverCounts {
  logRecords: number;
  logRequests: number;
  metricRequests: number;
  errors: string[];
  /** performance.timeOrigin + performance.now() (epoch ms) of the first and last accepted log request. */
  firstAt: number;
  lastAt: number;
  blackHoled: number;
}

type ToParent = { type: 'ready'; ports: ReceiverPorts } | { type: 'counts'; id: number; counts: ReceiverCounts };
type FromParent = { type: 'counts'; id: number } | { type: 'reset' } | { type: 'close' };

const logsType = requestType('logs');
const LOGS_RESPONSE = encodeEmptyResponse('logs');
const METRICS_RESPONSE = encodeEmptyResponse('metrics');

let counts: ReceiverCounts = fresh();
function fresh(): ReceiverCounts {
  return { logRecords: 0, logRequests: 0, metricRequests: 0, errors: [], firstAt: 0, lastAt: 0, blackHoled: 0 };
}
const epochNow = () => performance.timeOrigin + performance.now();

interface LogsShape { resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: unknown[] }> }> }

function countRecords(message: LogsShape): number {
  let n = 0;
  for (const rl of message.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
  return n;
}

function acceptLogs(records: number): void {
  const now = epochNow();
  if (counts.logRequests === 0) counts.firstAt = now;
  counts.lastAt = now;
  counts.logRequests++;
  counts.logRecords += records;
}

function error(message: string): void {
  if (counts.errors.length < 20) counts.errors.push(message);
}

function decodeHttp(path: string, contentType: string, body: Buffer): number | undefined {
  if (path !== '/v1/logs') return undefined;
  if (contentType.startsWith('application/json')) return countRecords(JSON.parse(body.toString('utf8')) as LogsShape);
  return countRecords(logsType.decode(body) as unknown as LogsShape);
}

function readBody(req: http.IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('error', () => undefined);
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

const httpServer = http.createServer((req, res) => {
  readBody(req, (body) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    const json = contentType.startsWith('application/json');
    if (req.headers['content-encoding'] && req.headers['content-encoding'] !== 'identity') {
      error(`unexpected content-encoding ${req.headers['content-encoding']}`);
    }
    try {
      const records = decodeHttp(path, contentType, body);
      if (records === undefined) {
        if (path === '/v1/metrics') counts.metricRequests++;
        else error(`unknown path ${path}`);
      } else acceptLogs(records);
    } catch (e) {
      error(`decode ${path}: ${(e as Error).message}`);
      res.writeHead(400).end();
      return;
    }
    const response = json ? Buffer.from('{}') : path === '/v1/metrics' ? METRICS_RESPONSE : LOGS_RESPONSE;
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(response);
  });
});
httpServer.keepAliveTimeout = 60_000;

const pending: http.ServerResponse[] = [];
const blackHoleServer = http.createServer((req, res) => {
  readBody(req, () => {
    counts.blackHoled++;
    pending.push(res); // never answered
  });
});
blackHoleServer.requestTimeout = 0;


const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
grpcServer.addService(exportServiceDefinition('logs'), {
  Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    try {
      acceptLogs(countRecords(logsType.decode(call.request) as unknown as LogsShape));
      callback(null, LOGS_RESPONSE);
    } catch (e) {
      error(`grpc decode: ${(e as Error).message}`);
      callback({ code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message });
    }
  },
});
grpcServer.addService(exportServiceDefinition('metrics'), {
  Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    counts.metricRequests++;
    callback(null, METRICS_RESPONSE);
  },
});

async function main(): Promise<void> {
  const httpPort = await listen(httpServer);
  const blackHolePort = await listen(blackHoleServer);
  const refusedServer = net.createServer();
  const refusedPort = await listen(refusedServer);
  await new Promise<void>((resolve) => refusedServer.close(() => resolve()));
  const grpcPort = await new Promise<number>((resolve, reject) => {
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
  const send = (message: ToParent) => process.send?.(message);
  process.on('message', (message: FromParent) => {
    if (message.type === 'counts') send({ type: 'counts', id: message.id, counts });
    else if (message.type === 'reset') counts = fresh();
    else if (message.type === 'close') {
      for (const res of pending) res.destroy();
      httpServer.closeAllConnections();
      blackHoleServer.closeAllConnections();
      grpcServer.forceShutdown();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', ports: { http: httpPort, grpc: grpcPort, blackHole: blackHolePort, refused: refusedPort } });
}

void main();
