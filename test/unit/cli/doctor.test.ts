/**
 * `codex-otel doctor` against real OTLP receivers: a live one, one answering 404, one answering 401, a
 * closed port, and a TLS receiver whose certificate the configured CA did not sign. A distinctive secret sits
 * in a header: it must never appear in any output.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { makeTestPki, type TestPki } from '../../support/certs.js';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';

const SECRET = 'doctor-SECRET-7f3a9c-never-print-me';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
  all(): string;
}

function captureIo(): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    env: {},
    isTty: false,
    all: () => [...stdout, ...stderr].join('\n'),
  };
}

let dir: string;
let pki: TestPki;
let live: OtlpReceiver;
let notFound: OtlpReceiver;
let unauthorized: OtlpReceiver;
let tls: OtlpReceiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-otel-doctor-'));
  pki = makeTestPki();
  [live, notFound, unauthorized, tls] = await Promise.all([
    startOtlpReceiver(),
    startOtlpReceiver({ behaviour: () => ({ status: 404 }) }),
    startOtlpReceiver({ behaviour: () => ({ status: 401, message: `bad key ${SECRET}` }) }),
    startOtlpReceiver({ tls: { key: pki.server.key.pem, cert: pki.server.cert.pem } }),
  ]);
});

afterAll(async () => {
  await Promise.all([live, notFound, unauthorized, tls].map((r) => r?.close()));
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function configFile(body: string): string {
  const file = join(dir, `config-${counter++}.toml`);
  writeFileSync(file, `[otel]\n${body}\n`);
  return file;
}

const headers = `headers = { "x-api-key" = "${SECRET}", "authorization" = "Bearer ${SECRET}" }`;

function httpExporters(base: string, extra = ''): string {
  return [
    `exporter = { otlp-http = { endpoint = "${base}/v1/logs", protocol = "binary", ${headers}${extra} } }`,
    `metrics_exporter = { otlp-http = { endpoint = "${base}/v1/metrics", protocol = "json", ${headers}${extra} } }`,
  ].join('\n');
}

async function doctor(config: string, ...extra: string[]): Promise<{ code: number; io: Captured }> {
  const io = captureIo();
  const code = await main(['doctor', '--config', config, ...extra], io);
  expect(io.all()).not.toContain(SECRET);
  expect(io.all()).not.toContain('7f3a9c');
  return { code, io };
}

describe('codex-otel doctor', () => {
  it('reports OK with the latency for a live receiver, and the canary arrives with the headers', async () => {
    const { code, io } = await doctor(configFile(httpExporters(live.httpUrl)));
    expect(code).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/^logs +otlp-http \(binary\) http:\/\/127\.0\.0\.1:\d+\/v1\/logs: OK \(\d+ ms\)$/m);
    expect(out).toMatch(/^metrics +otlp-http \(json\) .*: OK \(\d+ ms\)$/m);
    expect(out).toContain('not used by codex-otel');
    const logs = await live.waitFor(() => live.logs().length > 0 && live.logs());
    const attrs = Object.fromEntries(logs[0]!.attributes.map((a) => [a.key, a.value]));
    expect(attrs['event.name']).toBe('codex.conversation_starts');
    expect(attrs['originator']).toBe('codex_otel_doctor');
    expect(logs[0]!.resource['service.name']).toEqual({ type: 'string', value: 'codex_otel_doctor' });
    const metrics = await live.waitFor(() => live.metrics().length > 0 && live.metrics());
    expect(metrics.map((m) => m.name)).toContain('codex_otel.doctor.canary');
    expect(live.headers().every((h) => h['x-api-key'] === SECRET)).toBe(true);
  });

  it('works over gRPC too', async () => {
    const { code, io } = await doctor(configFile([
      `exporter = { otlp-grpc = { endpoint = "${live.grpcUrl}", ${headers} } }`,
      `metrics_exporter = { otlp-grpc = { endpoint = "${live.grpcUrl}", ${headers} } }`,
    ].join('\n')));
    expect(io.stdout.join('\n')).toMatch(/^logs +otlp-grpc .*: OK \(\d+ ms\)$/m);
    expect(code).toBe(0);
  });

  it('explains a 404: the endpoint must carry the /v1/logs or /v1/metrics path', async () => {
    const { code, io } = await doctor(configFile(httpExporters(notFound.httpUrl)));
    expect(code).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/^logs .*FAILED after \d+ ms \(1 attempt\): HTTP 404/m);
    expect(out).toContain('the otlp-http endpoint must carry the /v1/logs path');
    expect(out).toContain('the otlp-http endpoint must carry the /v1/metrics path');
  });

  it('explains a 401 by naming the headers, never showing their values (even when the server echoes one)', async () => {
    const { code, io } = await doctor(configFile(httpExporters(unauthorized.httpUrl)));
    expect(code).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/HTTP 401/);
    expect(out).toContain('check the headers (names: authorization, x-api-key; values never shown)');
  });

  it('explains a 401 over gRPC (UNAUTHENTICATED) the same way', async () => {
    unauthorized.reset();
    const { code, io } = await doctor(configFile(`exporter = { otlp-grpc = { endpoint = "${unauthorized.grpcUrl}", ${headers} } }`));
    expect(code).toBe(1);
    expect(io.stdout.join('\n')).toMatch(/gRPC UNAUTHENTICATED[\s\S]*check the headers \(names: authorization, x-api-key; values never shown\)/);
  });

  it('explains a closed port: is the collector running, which port', async () => {
    const port = await closedPort();
    const { code, io } = await doctor(configFile(httpExporters(`http://127.0.0.1:${port}`)), '--timeout', '1500');
    expect(code).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toContain(`connection refused by 127.0.0.1:${port}`);
    expect(out).toContain(`nothing listens on 127.0.0.1:${port}: is the collector running? try \`npm run stack:up\` or \`docker compose up\` (OTLP/HTTP is 4318, gRPC 4317)`);
  });

  it('explains a TLS receiver signed by another CA: which file, which name', async () => {
    const caPath = pki.otherCa.cert.path;
    const body = httpExporters(tls.httpUrl, `, tls = { ca-certificate = "${caPath}" }`);
    const { code, io } = await doctor(configFile(body));
    expect(code).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/TLS: the server certificate of 127\.0\.0\.1 is not trusted/);
    expect(out).toContain(`the CA in ${caPath} (otel.exporter.otlp-http.tls.ca-certificate) did not sign`);
    expect(out).toContain('(otel.metrics_exporter.otlp-http.tls.ca-certificate)');
  });

  it('passes the TLS receiver with the right CA', async () => {
    const body = httpExporters(tls.httpUrl, `, tls = { ca-certificate = "${pki.ca.cert.path}" }`);
    const { code, io } = await doctor(configFile(body));
    expect(io.stdout.join('\n')).toMatch(/^logs .*: OK \(\d+ ms\)$/m);
    expect(code).toBe(0);
  });

  it('nothing configured is a failure, never OK (exit 1), in text and JSON', async () => {
    const { code, io } = await doctor(configFile('exporter = "none"'));
    expect(code).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toContain('nothing to check');
    expect(out).toContain('doctor FAILED');
    expect(out).not.toMatch(/\bOK\b|all configured exporters work/);
    const json = await doctor(configFile('exporter = "none"'), '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.io.stdout.join('\n'))).toMatchObject({ ok: false, nothingConfigured: expect.stringContaining('no exporter') });
  });

  it('a config file that does not exist is said to be missing (exit 2), with or without --config', async () => {
    const missing = await doctor(join(tmpdir(), 'codex-otel-no-such-dir', 'config.toml'));
    expect(missing.code).toBe(2);
    expect(missing.io.stderr.join('\n')).toContain('the config file does not exist');
    expect(missing.io.stdout.join('\n')).not.toContain('OK');
  });

  it('--json: one document with every check, exit 0 when all work', async () => {
    const { code, io } = await doctor(configFile(httpExporters(live.httpUrl)), '--json');
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout.join('\n')) as { ok: boolean; checks: Array<{ signal: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.signal, c.status])).toEqual([['logs', 'ok'], ['metrics', 'ok'], ['traces', 'not_checked']]);
  });

  it('exits 2 on a config error, without the secret', async () => {
    const { code, io } = await doctor(configFile(`exporter = { otlp-http = { endpoint = "http://x/v1/logs", ${headers} } }`));
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toContain('protocol');
  });
});

describe('codex-otel doctor against refused ports', () => {
  /** Connection attempts to `port` by this process, seen on Node's public `net.client.socket` channel. */
  function countConnections(port: number): { attempts: () => number; stop: () => void } {
    let attempts = 0;
    const onSocket = (message: unknown) => {
      const socket = (message as { socket: import('node:net').Socket }).socket;
      socket.on('error', (error: NodeJS.ErrnoException & { port?: number }) => {
        if (error.code === 'ECONNREFUSED' && error.port === port) attempts++;
      });
      socket.on('connect', () => {
        if (socket.remotePort === port) attempts++;
      });
    };
    diagnostics.subscribe('net.client.socket', onSocket);
    return { attempts: () => attempts, stop: () => diagnostics.unsubscribe('net.client.socket', onSocket) };
  }

  it.each(['http', 'grpc'] as const)('%s: one attempt per exporter, the refusal reported', async (transport) => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}`;
    const body = transport === 'http'
      ? httpExporters(base)
      : `exporter = { otlp-grpc = { endpoint = "${base}" } }\nmetrics_exporter = { otlp-grpc = { endpoint = "${base}" } }`;
    const counter = countConnections(port);
    const started = performance.now();
    const { code, io } = await doctor(configFile(body), '--timeout', '5000');
    const ms = performance.now() - started;
    counter.stop();
    expect(code).toBe(1);
    const out = io.stdout.join('\n');
    expect(out.match(/FAILED after \d+ ms \(1 attempt\)/g)).toHaveLength(2);
    expect(out).toContain(`connection refused by 127.0.0.1:${port}`);
    // Two exporters, one connection attempt each: no hidden retry loop inside the exporters.
    expect(counter.attempts()).toBe(2);
    process.stdout.write(`[doctor-refused] ${JSON.stringify({ transport, attempts: counter.attempts(), ms: Math.round(ms) })}\n`);
  });
});
