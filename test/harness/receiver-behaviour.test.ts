/**
 * The receiver's own guarantees: headers and payload bytes are recorded, gzip is undone, anything
 * unexpected is rejected and visible in errors(), and injected faults (status, Retry-After, delay,
 * black hole, reset, closed port) reach the real exporters.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { createEmptyMetadata } from '@opentelemetry/otlp-grpc-exporter-base';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitLogRecords, ResultRecordingLogExporter } from '../support/sdk-drivers.js';

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(() => {
  receiver.reset();
  receiver.setBehaviour(undefined);
});

const SECRET = 'sk-harness-0123456789abcdef';

async function exportVia(exporter: ProtoLogExporter | JsonLogExporter | GrpcLogExporter) {
  const recording = new ResultRecordingLogExporter(exporter);
  await emitLogRecords(recording, [{ eventName: 'codex.test', attributes: { arguments: `token=${SECRET}` } }]);
  return recording.results.map((r) => r.code);
}

describe('recording', () => {
  it('records HTTP headers and every payload byte', async () => {
    const codes = await exportVia(
      new ProtoLogExporter({ url: receiver.logsUrl, headers: { 'x-otlp-api-key': 'header-value' } }),
    );
    expect(codes).toEqual([ExportResultCode.SUCCESS]);
    expect(receiver.headers()[0]?.['x-otlp-api-key']).toBe('header-value');
    expect(receiver.headers()[0]?.['content-type']).toBe('application/x-protobuf');
    expect(Buffer.concat(receiver.rawBodies()).includes(SECRET)).toBe(true);
  });

  it('records gRPC metadata', async () => {
    const metadata = createEmptyMetadata();
    metadata.set('x-otlp-meta', 'abc123');
    const codes = await exportVia(new GrpcLogExporter({ url: receiver.grpcUrl, metadata }));
    expect(codes).toEqual([ExportResultCode.SUCCESS]);
    expect(receiver.requests[0]?.transport).toBe('grpc');
    expect(receiver.headers()[0]?.['x-otlp-meta']).toBe('abc123');
    expect(Buffer.concat(receiver.rawBodies()).includes(SECRET)).toBe(true);
  });

  it('undoes gzip Content-Encoding and keeps the wire bytes too', async () => {
    const codes = await exportVia(new ProtoLogExporter({ url: receiver.logsUrl, compression: CompressionAlgorithm.GZIP }));
    expect(codes).toEqual([ExportResultCode.SUCCESS]);
    const [request] = receiver.requests;
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.wireBody.includes(SECRET)).toBe(false);
    expect(request?.body.includes(SECRET)).toBe(true);
    expect(receiver.logs()[0]?.eventName).toBe('codex.test');
  });
});

describe('rejections are visible, never masked', () => {
  it('answers 415 to an unexpected content type and records an error', async () => {
    const response = await fetch(receiver.logsUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(response.status).toBe(415);
    expect(receiver.errors()).toEqual([expect.stringContaining('unsupported Content-Type "text/plain"')]);
    expect(receiver.logs()).toEqual([]);
  });

  it('answers 400 to malformed protobuf and records an error', async () => {
    const response = await fetch(receiver.logsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0xff, 0xff]),
    });
    expect(response.status).toBe(400);
    expect(receiver.errors()).toEqual([expect.stringContaining('malformed protobuf logs request')]);
  });

  it('answers 400 to OTLP/JSON with a wrongly typed value and records an error', async () => {
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [{ key: 'n', value: { intValue: 'abc' } }] }] }] }],
    });
    const response = await fetch(receiver.logsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(receiver.errors()).toEqual([expect.stringContaining('expected an int64')]);
  });

  it('answers 404 to an unknown path and records an error', async () => {
    const response = await fetch(`${receiver.httpUrl}/v1/log`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
    expect(receiver.errors()).toEqual([expect.stringContaining('unknown path /v1/log')]);
  });

  it('accepts gzip-encoded OTLP/JSON and answers with the same content type', async () => {
    const response = await fetch(receiver.logsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ resourceLogs: [] })),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({});
    expect(receiver.errors()).toEqual([]);
  });
});

describe('fault injection', () => {
  it('answers a status with Retry-After; the HTTP exporter retries and the retry is accepted', async () => {
    receiver.setBehaviour(({ attempt }) => (attempt === 1 ? { status: 503, retryAfter: 0 } : undefined));
    const codes = await exportVia(new ProtoLogExporter({ url: receiver.logsUrl, timeoutMillis: 5_000 }));
    expect(codes).toEqual([ExportResultCode.SUCCESS]);
    expect(receiver.requests.map((r) => [r.attempt, r.outcome, r.answeredStatus])).toEqual([
      [1, 'fault', 503],
      [2, 'accepted', 200],
    ]);
    expect(receiver.logs()).toHaveLength(1);
  });

  it('answers a gRPC status code', async () => {
    receiver.setBehaviour(() => ({ grpcStatus: GrpcStatus.UNAUTHENTICATED }));
    const codes = await exportVia(new GrpcLogExporter({ url: receiver.grpcUrl, timeoutMillis: 2_000 }));
    expect(codes).toEqual([ExportResultCode.FAILED]);
    expect(receiver.requests[0]?.answeredStatus).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(receiver.logs()).toEqual([]);
  });

  it('delays the answer', async () => {
    receiver.setBehaviour(() => ({ delayMs: 300 }));
    const started = Date.now();
    const codes = await exportVia(new JsonLogExporter({ url: receiver.logsUrl }));
    expect(codes).toEqual([ExportResultCode.SUCCESS]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it.each(['http', 'grpc'] as const)('black-holes %s so the export times out', async (transport) => {
    receiver.setBehaviour(() => ({ blackHole: true }));
    const options = { timeoutMillis: 500 };
    const exporter =
      transport === 'http'
        ? new ProtoLogExporter({ ...options, url: receiver.logsUrl })
        : new GrpcLogExporter({ ...options, url: receiver.grpcUrl });
    const started = Date.now();
    const codes = await exportVia(exporter);
    expect(codes).toEqual([ExportResultCode.FAILED]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(receiver.requests[0]?.outcome).toBe('blackHole');
    expect(receiver.logs()).toEqual([]);
  });

  it.each(['http', 'grpc'] as const)('resets the %s connection', async (transport) => {
    receiver.setBehaviour(() => ({ reset: true }));
    const options = { timeoutMillis: 1_000 };
    const exporter =
      transport === 'http'
        ? new ProtoLogExporter({ ...options, url: receiver.logsUrl })
        : new GrpcLogExporter({ ...options, url: receiver.grpcUrl });
    const codes = await exportVia(exporter);
    expect(codes).toEqual([ExportResultCode.FAILED]);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(1);
    expect(receiver.requests.every((r) => r.outcome === 'reset')).toBe(true);
    expect(receiver.errors()).toEqual([]);
  });

  it('closedPort() refuses connections', async () => {
    const port = await closedPort();
    const codes = await exportVia(new ProtoLogExporter({ url: `http://127.0.0.1:${port}/v1/logs`, timeoutMillis: 1_000 }));
    expect(codes).toEqual([ExportResultCode.FAILED]);
  });
});
