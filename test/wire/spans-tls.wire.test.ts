/**
 * trace_exporter as Codex reads it, beyond the plain transports: mutual TLS (ca-certificate,
 * client-certificate, client-private-key) over HTTPS and gRPC, and headers (with `${VAR}` expanded) on
 * every trace export. Real receivers, real SDK exporters, a real test PKI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { configToml, loadTestConfig, SESSION, startTestTelemetry } from './scenario.js';

let pki: TestPki;
let mtls: OtlpReceiver;
beforeAll(async () => {
  pki = makeTestPki();
  mtls = await startOtlpReceiver({ tls: { key: pki.server.key.pem, cert: pki.server.cert.pem, ca: pki.ca.cert.pem, requireClientCert: true } });
});
afterAll(() => mtls?.close());

const TOKEN = 'trace-token-5b2e';

describe.each(['otlp-http', 'otlp-grpc'] as const)('%s with mutual TLS and headers', (kind) => {
  it('delivers the spans with the headers', async () => {
    mtls.reset();
    const tls = `tls = { ca-certificate = "${pki.ca.cert.path}", client-certificate = "${pki.client.cert.path}", client-private-key = "${pki.client.key.path}" }`;
    const headers = 'headers = { "x-otlp-api-key" = "${OTLP_TRACE_TOKEN}" }';
    const exporter = kind === 'otlp-http'
      ? `{ otlp-http = { endpoint = "${mtls.tracesUrl}", protocol = "binary", ${headers}, ${tls} } }`
      : `{ otlp-grpc = { endpoint = "${mtls.grpcUrl}", ${headers}, ${tls} } }`;
    const telemetry = startTestTelemetry(loadTestConfig(configToml('"none"', '"none"', `trace_exporter = ${exporter}\n`), { OTLP_TRACE_TOKEN: TOKEN }));
    const session = telemetry.startSession(SESSION);
    session.startTurn();
    session.toolCallAborted({ toolName: 'exec_command', callId: 'call_tls' });
    session.turn({ e2eDurationMs: 1 });
    await telemetry.shutdown();
    const spans = await mtls.waitFor(() => mtls.spans().length >= 2 && mtls.spans());
    expect(spans.map((s) => s.name).sort()).toEqual(['exec_command', 'session_task.turn']);
    expect(mtls.errors()).toEqual([]);
    expect(mtls.tlsErrors()).toEqual([]);
    const traceHeaders = mtls.requests.filter((r) => r.signal === 'traces').map((r) => r.headers['x-otlp-api-key']);
    expect(traceHeaders.length).toBeGreaterThan(0);
    expect(traceHeaders.every((value) => value === TOKEN)).toBe(true);
  });
});
