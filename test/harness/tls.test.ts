/**
 * The receiver serves HTTPS and gRPC over TLS with a custom CA, and mutual TLS; the real exporters
 * reach it with the TLS options of this SDK version and are refused without a valid client cert.
 *
 * TLS options of the 0.223 exporters:
 * - HTTP (proto and JSON): `httpAgentOptions: { ca, cert, key }` (https.AgentOptions).
 * - gRPC: `credentials: createSslCredentials(rootCert, privateKey, certChain)` from
 *   @opentelemetry/otlp-grpc-exporter-base (Buffers), so the exporter's own @grpc/grpc-js copy is used.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { createSslCredentials } from '@opentelemetry/otlp-grpc-exporter-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type KeyPair, type TestPki } from '../support/certs.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitLogRecords, ResultRecordingLogExporter } from '../support/sdk-drivers.js';

let pki: TestPki;
let tlsReceiver: OtlpReceiver;
let mtlsReceiver: OtlpReceiver;

beforeAll(async () => {
  pki = makeTestPki();
  tlsReceiver = await startOtlpReceiver({ tls: { key: pki.server.key.pem, cert: pki.server.cert.pem } });
  mtlsReceiver = await startOtlpReceiver({
    tls: { key: pki.server.key.pem, cert: pki.server.cert.pem, ca: pki.ca.cert.pem, requireClientCert: true },
  });
});
afterAll(async () => {
  await Promise.all([tlsReceiver?.close(), mtlsReceiver?.close()]);
});

interface ClientTls {
  ca?: string;
  client?: KeyPair;
}

type Transport = 'HTTP protobuf' | 'HTTP JSON' | 'gRPC';

function exporterFor(transport: Transport, receiver: OtlpReceiver, tls: ClientTls): LogRecordExporter {
  const timeoutMillis = 2_000;
  if (transport === 'gRPC') {
    const credentials = createSslCredentials(
      tls.ca === undefined ? undefined : Buffer.from(tls.ca),
      tls.client && Buffer.from(tls.client.key.pem),
      tls.client && Buffer.from(tls.client.cert.pem),
    );
    return new GrpcLogExporter({ url: receiver.grpcUrl, credentials, timeoutMillis });
  }
  const httpAgentOptions = {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.client ? { cert: tls.client.cert.pem, key: tls.client.key.pem } : {}),
  };
  const options = { url: receiver.logsUrl, httpAgentOptions, timeoutMillis };
  return transport === 'HTTP JSON' ? new JsonLogExporter(options) : new ProtoLogExporter(options);
}

async function exportOne(transport: Transport, receiver: OtlpReceiver, tls: ClientTls): Promise<ResultRecordingLogExporter> {
  const exporter = new ResultRecordingLogExporter(exporterFor(transport, receiver, tls));
  await emitLogRecords(exporter, [{ eventName: `codex.tls.${transport}`, attributes: { via: transport } }]);
  return exporter;
}

const transports: Transport[] = ['HTTP protobuf', 'HTTP JSON', 'gRPC'];

describe.each(transports)('TLS over %s', (transport) => {
  it('is received with the test CA trusted', async () => {
    tlsReceiver.reset();
    const exporter = await exportOne(transport, tlsReceiver, { ca: pki.ca.cert.pem });
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    expect(tlsReceiver.logs().map((l) => l.eventName)).toEqual([`codex.tls.${transport}`]);
    expect(tlsReceiver.errors()).toEqual([]);
  });

  it('fails when the client does not trust the server CA', async () => {
    tlsReceiver.reset();
    const exporter = await exportOne(transport, tlsReceiver, { ca: pki.otherCa.cert.pem });
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(tlsReceiver.requests).toEqual([]);
  });

  it('is received under mutual TLS with a client certificate from the CA', async () => {
    mtlsReceiver.reset();
    const exporter = await exportOne(transport, mtlsReceiver, { ca: pki.ca.cert.pem, client: pki.client });
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    expect(mtlsReceiver.logs().map((l) => l.eventName)).toEqual([`codex.tls.${transport}`]);
  });

  it('is refused under mutual TLS without a client certificate', async () => {
    mtlsReceiver.reset();
    const exporter = await exportOne(transport, mtlsReceiver, { ca: pki.ca.cert.pem });
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(mtlsReceiver.requests).toEqual([]);
  });

  it('is refused under mutual TLS with a client certificate from another CA', async () => {
    mtlsReceiver.reset();
    const exporter = await exportOne(transport, mtlsReceiver, { ca: pki.ca.cert.pem, client: pki.otherClient });
    expect(exporter.results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(mtlsReceiver.requests).toEqual([]);
  });
});

it('records TLS handshake failures of the HTTPS endpoint', async () => {
  mtlsReceiver.reset();
  await exportOne('HTTP protobuf', mtlsReceiver, { ca: pki.ca.cert.pem });
  await mtlsReceiver.waitFor(() => mtlsReceiver.tlsErrors().length > 0, 2_000);
  expect(mtlsReceiver.tlsErrors().join('\n')).toMatch(/certificate/i);
});
