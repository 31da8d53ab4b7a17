import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTelemetry, defaultConfig } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { attr } from './expect-wire.js';
import { configToml, emitEveryShape, loadTestConfig, PROMPT_TEXT, startTestTelemetry } from './scenario.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(() => receiver.close());
afterEach(() => {
  receiver.setBehaviour(undefined);
  receiver.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const httpConfig = (extra = '') => configToml(
  `{ otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "binary" } }`,
  `{ otlp-http = { endpoint = "${receiver.metricsUrl}", protocol = "binary" } }`,
  extra,
);

describe('exporter = "none"', () => {
  it('keeps the API working and opens no socket', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const telemetry = startTestTelemetry(loadTestConfig('[otel]\nexporter = "none"\nmetrics_exporter = "none"\n'));
    expect(telemetry.exporting).toBe(false);
    emitEveryShape(telemetry);
    await telemetry.forceFlush();
    expect((await telemetry.shutdown()).completed).toBe(true);
    expect(connect).not.toHaveBeenCalled();
  });

  it('works with no [otel] table at all', async () => {
    const telemetry = createTelemetry(defaultConfig(), { diagnostics: false });
    expect(() => emitEveryShape(telemetry)).not.toThrow();
    expect((await telemetry.shutdown()).completed).toBe(true);
  });
});

describe('log_user_prompt = true', () => {
  it('sends the prompt text itself', async () => {
    const telemetry = startTestTelemetry(loadTestConfig(httpConfig().replace('[otel]\n', '[otel]\nlog_user_prompt = true\n')));
    telemetry.startSession({ conversationId: 'p-1', model: 'gpt-5' }).userPrompt(PROMPT_TEXT);
    await telemetry.shutdown();
    const [record] = await receiver.waitFor(() => receiver.logs().length > 0 && receiver.logs());
    expect(attr(record!, 'prompt')?.value).toBe(PROMPT_TEXT);
  });
});

describe('metric tags', () => {
  it('are sanitized instead of dropped (a model named gpt-oss:20b keeps its metrics)', async () => {
    const telemetry = startTestTelemetry(loadTestConfig(httpConfig()));
    const session = telemetry.startSession({ conversationId: 's-1', model: 'gpt-oss:20b', sessionSource: 'exec' });
    session.toolResult({ toolName: 'mcp tool: search!', callId: 'c', arguments: '', durationMs: 5, success: true, output: '' });
    await telemetry.shutdown();
    const metrics = await receiver.waitFor(() => receiver.metrics().length > 0 && receiver.metrics());
    const toolCalls = metrics.find((m) => m.name === 'codex.tool.call');
    expect(toolCalls?.kind).toBe('sum');
    const tags = Object.fromEntries(toolCalls!.kind === 'sum' ? toolCalls!.points[0]!.attributes.map((a) => [a.key, a.value]) : []);
    expect(tags).toMatchObject({ model: 'gpt-oss_20b', tool: 'mcp_tool__search', session_source: 'exec' });
  });
});

describe('resource', () => {
  it('merges OTEL_RESOURCE_ATTRIBUTES, ours winning on a clash', async () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'team=payments,service.name=overridden,env=prod');
    const telemetry = startTestTelemetry(loadTestConfig(httpConfig()));
    telemetry.startSession({ conversationId: 'r-1', model: 'gpt-5' }).userPrompt('x');
    await telemetry.shutdown();
    const [record] = await receiver.waitFor(() => receiver.logs().length > 0 && receiver.logs());
    expect(record!.resource['team']).toEqual({ type: 'string', value: 'payments' });
    expect(record!.resource['service.name']).toEqual({ type: 'string', value: 'codex_cli_rs' });
    expect(record!.resource['env']).toEqual({ type: 'string', value: 'wire-test' });
  });
});

describe('shutdown', () => {
  it('returns within its bound when the collector accepts the connection and never answers', async () => {
    receiver.setBehaviour(() => ({ blackHole: true }));
    const telemetry = startTestTelemetry(loadTestConfig(httpConfig('[otel.codex_otel]\nshutdown_timeout_ms = 800\n')));
    emitEveryShape(telemetry);
    const started = performance.now();
    const result = await telemetry.shutdown();
    const elapsed = performance.now() - started;
    expect(result.completed).toBe(false);
    // It waits for the collector almost to the bound, and never past it (event-loop jitter aside).
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThanOrEqual(800 + 25);
    await receiver.waitFor(() => receiver.requests.length > 0);
  });

  it('is idempotent: every caller gets the same promise', async () => {
    const telemetry = startTestTelemetry(loadTestConfig(httpConfig()));
    telemetry.startSession({ conversationId: 'i-1', model: 'gpt-5' }).userPrompt('x');
    const first = telemetry.shutdown();
    expect(telemetry.shutdown()).toBe(first);
    await first;
    expect(await receiver.waitFor(() => receiver.logs().length === 1 && receiver.logs())).toHaveLength(1);
  });
});
