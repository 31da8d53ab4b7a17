/**
 * Trace delivery under faults, on the real receivers: spans are retried through 503s and
 * UNAVAILABLE like log records, and a black-holed trace endpoint never holds shutdown past its bound.
 * Counts and outcomes only, no wall-clock assertions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../src/index.js';
import { attrMap } from '../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(() => receiver.close());
afterEach(() => {
  receiver.setBehaviour(undefined);
  receiver.reset();
});

const TRANSPORTS = ['http-proto', 'grpc'] as const;

function telemetryFor(transport: (typeof TRANSPORTS)[number], shutdownMs = 1000) {
  const traceExporter = transport === 'grpc'
    ? `{ otlp-grpc = { endpoint = "${receiver.grpcUrl}" } }`
    : `{ otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "binary" } }`;
  const toml = `[otel]\ntrace_exporter = ${traceExporter}\n[otel.codex_otel]\nshutdown_timeout_ms = ${shutdownMs}\nlog_schedule_delay_ms = 50\n`;
  const config = parseConfigText(toml, { env: {} }).config!;
  return createTelemetry(config, {
    env: {},
    diagnostics: false,
    delivery: { retry: { initialBackoffMs: 20, maxBackoffMs: 50, budgetMs: 20_000 }, replayOnStart: false },
  });
}

function deny(telemetry: ReturnType<typeof telemetryFor>, calls: number): void {
  const session = telemetry.startSession({ conversationId: 'faults', model: 'gpt-5-codex' });
  const turn = session.startTurn();
  for (let i = 0; i < calls; i++) session.toolCallAborted({ toolName: 'exec_command', callId: `call-${i}` });
  turn.end();
}

describe.each(TRANSPORTS)('%s', (transport) => {
  it('retries spans through three 503 / UNAVAILABLE answers and delivers every one once', async () => {
    receiver.setBehaviour(({ signal, attempt }) => (signal === 'traces' && attempt <= 3 ? { status: 503 } : undefined));
    const telemetry = telemetryFor(transport, 10_000);
    deny(telemetry, 20);
    await telemetry.forceFlush();
    const spans = await receiver.waitFor(() => receiver.spans().length >= 21 && receiver.spans(), 20_000);
    const callIds = spans.map((s) => attrMap(s.attributes)['call_id']?.value).filter((id) => id !== undefined);
    expect(new Set(callIds).size).toBe(20);
    expect(callIds.length).toBe(20);
    expect(receiver.requests.filter((r) => r.signal === 'traces' && r.outcome !== 'accepted').length).toBe(3);
    expect(telemetry.deliveryStats().spans.retries).toBeGreaterThanOrEqual(3);
    await telemetry.shutdown();
  });

  it('a black-holed trace endpoint: shutdown returns at its bound (completed = false) instead of hanging', async () => {
    receiver.setBehaviour(({ signal }) => (signal === 'traces' ? { blackHole: true } : undefined));
    const telemetry = telemetryFor(transport, 500);
    deny(telemetry, 5);
    const sent = receiver.waitFor(() => receiver.requests.some((r) => r.signal === 'traces'), 20_000);
    void telemetry.forceFlush();
    await sent;
    const result = await telemetry.shutdown();
    expect(result.completed).toBe(false);
    // No spool in a config built in code: what was in flight at the bound is counted, never silently lost.
    expect(result.delivery!.spans).toMatchObject({ emitted: 6, exported: 0, inMemory: 0, dropped: { export_failed: 6, total: 6 } });
  });
});
