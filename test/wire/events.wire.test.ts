import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../support/certs.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import type { ReceivedLogRecord, ReceivedMetric } from '../support/otlp-model.js';
import { DURATION_BUCKETS, METRIC_PAIRS, SESSION_TAGS, SHAPES, TURN_HISTOGRAMS } from './contract.js';
import { attr, expectContractRecord } from './expect-wire.js';
import { configToml, emitEveryShape, loadTestConfig, PROMPT_TEXT, startTestTelemetry } from './scenario.js';

const TOKEN = 'wire-secret-token-5be0';
const ENV = { WIRE_TOKEN: TOKEN };
const HEADERS = `headers = { "x-otlp-api-key" = "\${WIRE_TOKEN}" }`;

interface Transport {
  name: string;
  tls?: 'tls' | 'mtls';
  exporters(receiver: OtlpReceiver, tlsToml: string): [logs: string, metrics: string];
}

const httpExporter = (protocol: 'binary' | 'json') => (r: OtlpReceiver, tls: string): [string, string] => [
  `{ otlp-http = { endpoint = "${r.logsUrl}", protocol = "${protocol}", ${HEADERS}${tls} } }`,
  `{ otlp-http = { endpoint = "${r.metricsUrl}", protocol = "${protocol}", ${HEADERS}${tls} } }`,
];
const grpcExporter = (r: OtlpReceiver, tls: string): [string, string] => [
  `{ otlp-grpc = { endpoint = "${r.grpcUrl}", ${HEADERS}${tls} } }`,
  `{ otlp-grpc = { endpoint = "${r.grpcUrl}", ${HEADERS}${tls} } }`,
];

const TRANSPORTS: Transport[] = [
  { name: 'OTLP/HTTP protobuf', exporters: httpExporter('binary') },
  { name: 'OTLP/HTTP JSON', exporters: httpExporter('json') },
  { name: 'OTLP/gRPC', exporters: grpcExporter },
  { name: 'OTLP/HTTPS protobuf with a custom CA', tls: 'tls', exporters: httpExporter('binary') },
  { name: 'OTLP/HTTPS JSON with mutual TLS', tls: 'mtls', exporters: httpExporter('json') },
  { name: 'OTLP/gRPC with TLS and a custom CA', tls: 'tls', exporters: grpcExporter },
  { name: 'OTLP/gRPC with mutual TLS', tls: 'mtls', exporters: grpcExporter },
];

describe.each(TRANSPORTS)('$name', (transport) => {
  let receiver: OtlpReceiver;
  let order: string[];
  let logs: ReceivedLogRecord[];
  let metrics: ReceivedMetric[];

  beforeAll(async () => {
    const pki = makeTestPki();
    receiver = await startOtlpReceiver(transport.tls ? {
      tls: { key: pki.server.key.pem, cert: pki.server.cert.pem, ca: pki.ca.cert.pem, requireClientCert: transport.tls === 'mtls' },
    } : {});
    const tlsToml = !transport.tls ? '' : transport.tls === 'tls'
      ? `, tls = { ca-certificate = "${pki.ca.cert.path}" }`
      : `, tls = { ca-certificate = "${pki.ca.cert.path}", client-certificate = "${pki.client.cert.path}", client-private-key = "${pki.client.key.path}" }`;
    const [logsExporter, metricsExporter] = transport.exporters(receiver, tlsToml);
    const telemetry = startTestTelemetry(loadTestConfig(configToml(logsExporter, metricsExporter), ENV));
    order = emitEveryShape(telemetry);
    const result = await telemetry.shutdown();
    expect(result.completed).toBe(true);
    logs = await receiver.waitFor(() => receiver.logs().length >= order.length && receiver.logs());
    metrics = await receiver.waitFor(() => receiver.metrics().length > 0 && receiver.metrics());
  });
  afterAll(() => receiver?.close());

  it('receives every event shape, in order, exactly as the contract states it', () => {
    expect(receiver.errors()).toEqual([]);
    expect(logs).toHaveLength(order.length);
    logs.forEach((record, index) => {
      const shape = SHAPES[order[index]!]!;
      const keys = new Set(record.attributes.map((a) => a.key));
      expectContractRecord(record, shape.name, shape.attributes, (key) => keys.has(key));
    });
  });

  it('sends every optional value when given and leaves it out when not', () => {
    const full = logs.filter((r) => attr(r, 'conversation.id')?.value !== 'bare-1');
    const bare = logs.filter((r) => attr(r, 'conversation.id')?.value === 'bare-1');
    for (const record of full) {
      const shape = Object.values(SHAPES).find((s) => s.name === record.eventName)!;
      const sseKind = attr(record, 'event.kind')?.value;
      const candidates = Object.values(SHAPES).filter((s) => s.name === record.eventName);
      const matching = candidates.find((s) => s.attributes.filter(([, , p]) => p !== 'optional').every(([k]) => attr(record, k)))
        ?? shape;
      for (const [key] of matching.attributes) expect(attr(record, key), `${record.eventName} ${String(sseKind)} ${key}`).toBeDefined();
      for (const key of ['auth_mode', 'user.account_id', 'user.email']) expect(attr(record, key), key).toBeDefined();
    }
    for (const record of bare) {
      for (const key of ['auth_mode', 'user.account_id', 'user.email', 'reasoning_effort', 'context_window', 'http.response.status_code',
        'error.message', 'auth.header_name', 'auth.request_id', 'escalated_duration_ms', 'auth.env_provider_key_name']) {
        if (record.eventName === 'codex.sse_event' && key === 'error.message') continue;
        expect(attr(record, key), `${record.eventName} ${key}`).toBeUndefined();
      }
      expect(record.attributes.every((a) => !(a.type === 'string' && a.value === '' && !a.key.startsWith('mcp_server')))).toBe(true);
    }
  });

  it('carries the values as Codex renders them', () => {
    const byName = (name: string) => logs.filter((r) => r.eventName === name);
    const prompt = byName('codex.user_prompt')[0]!;
    expect(attr(prompt, 'prompt')?.value).toBe('[REDACTED]');
    expect(attr(prompt, 'prompt_length')?.value).toBe(String([...PROMPT_TEXT].length));
    const api = byName('codex.api_request')[0]!;
    expect(attr(api, 'duration_ms')?.value).toBe('1234');
    expect(attr(api, 'http.response.status_code')).toMatchObject({ type: 'int', value: '429' });
    expect(attr(api, 'attempt')).toMatchObject({ type: 'int', value: '1' });
    const completed = byName('codex.sse_event').find((r) => attr(r, 'input_token_count'))!;
    expect(attr(completed, 'event.kind')?.value).toBe('response.completed');
    expect(attr(completed, 'tool_token_count')?.value).toBe('1540');
    expect(attr(completed, 'cached_token_count')).toMatchObject({ type: 'int', value: '800' });
    const starts = byName('codex.conversation_starts')[0]!;
    expect(attr(starts, 'mcp_servers')?.value).toBe('github, linear');
    const decision = byName('codex.tool_decision')[0]!;
    expect(attr(decision, 'decision')?.value).toBe('denied');
    expect(attr(decision, 'source')?.value).toBe('User');
    const mcp = byName('codex.tool_result')[0]!;
    expect(attr(mcp, 'mcp_server')?.value).toBe('github');
    const plain = byName('codex.tool_result')[1]!;
    expect(attr(plain, 'mcp_server')).toEqual({ key: 'mcp_server', type: 'string', value: '' });
    expect(attr(plain, 'success')?.value).toBe('false');
  });

  it('never sends the prompt text in any byte', () => {
    const needle = Buffer.from('prompt-canary-7d1f');
    for (const body of receiver.rawBodies()) expect(body.includes(needle)).toBe(false);
  });

  it('sends the resource of contract §2', () => {
    const logResource = logs[0]!.resource;
    expect(logResource['service.name']).toEqual({ type: 'string', value: 'codex_cli_rs' });
    expect(logResource['service.version']).toEqual({ type: 'string', value: '0.42.0' });
    expect(logResource['env']).toEqual({ type: 'string', value: 'wire-test' });
    expect(logResource['host.name']?.type).toBe('string');
    expect(logResource['os']).toBeUndefined();
    expect(logResource['telemetry.sdk.language']).toEqual({ type: 'string', value: 'nodejs' });
    const metricResource = metrics[0]!.resource;
    expect(metricResource['service.name']).toEqual({ type: 'string', value: 'codex_cli_rs' });
    expect(metricResource['env']).toEqual({ type: 'string', value: 'wire-test' });
    expect(metricResource['os']?.type).toBe('string');
    expect(metricResource['os_version']?.type).toBe('string');
    expect(metricResource['host.name']).toBeUndefined();
  });

  it('sends every metric of contract §3 with its kind, unit, description, temporality and tags', () => {
    const byName = new Map(metrics.map((m) => [m.name, m]));
    for (const pair of METRIC_PAIRS) {
      const counter = byName.get(pair.counter);
      expect(counter, pair.counter).toBeDefined();
      expect(counter!.scope.name).toBe('codex');
      expect(counter!.kind).toBe('sum');
      if (counter!.kind !== 'sum') continue;
      expect(counter!.isMonotonic).toBe(true);
      expect(counter!.temporality).toBe('delta');
      expect(counter!.unit).toBe('');
      for (const point of counter!.points) {
        const keys = point.attributes.map((a) => a.key);
        for (const tag of [...pair.tags, ...SESSION_TAGS.filter((t) => t !== 'auth_mode')]) expect(keys, `${pair.counter} tag ${tag}`).toContain(tag);
        for (const a of point.attributes) expect(a.type).toBe('string');
      }
      if (!pair.histogram) continue;
      const histogram = byName.get(pair.histogram);
      expect(histogram, pair.histogram).toBeDefined();
      expect(histogram!.kind).toBe('histogram');
      if (histogram!.kind !== 'histogram') continue;
      expect(histogram!.unit).toBe('ms');
      expect(histogram!.description).toBe('Duration in milliseconds.');
      expect(histogram!.temporality).toBe('delta');
      for (const point of histogram!.points) {
        expect(point.explicitBounds).toEqual(DURATION_BUCKETS);
        for (const tag of pair.tags) expect(point.attributes.map((a) => a.key)).toContain(tag);
      }
    }
    for (const name of TURN_HISTOGRAMS) expect(byName.get(name)?.kind, name).toBe('histogram');
    const apiPoints = byName.get('codex.api_request')!;
    if (apiPoints.kind === 'sum') {
      const tags = apiPoints.points.map((p) => Object.fromEntries(p.attributes.map((a) => [a.key, a.value])));
      expect(tags).toContainEqual(expect.objectContaining({ status: '429', success: 'false', model: 'gpt-5-codex', auth_mode: 'ApiKey' }));
      expect(tags).toContainEqual(expect.objectContaining({ status: 'none', success: 'false', model: 'gpt-5' }));
      expect(apiPoints.points.map((p) => p.value)).toEqual([1, 1]);
    }
    const latency = byName.get('codex.api_request.duration_ms')!;
    if (latency.kind === 'histogram') {
      const slow = latency.points.find((p) => p.attributes.some((a) => a.key === 'status' && a.value === '429'))!;
      expect(slow).toMatchObject({ count: 1, sum: 1234 });
      expect(slow.bucketCounts).toEqual(DURATION_BUCKETS.map((_, i) => (i === 11 ? 1 : 0)).concat([0]));
    }
  });

  it('sends the configured headers, ${VAR} expanded', () => {
    for (const headers of receiver.headers()) expect(headers['x-otlp-api-key']).toBe(TOKEN);
  });
});
