/**
 * Delivery under collector faults, in process, with a real receiver: retries with backoff, Retry-After,
 * storms of 429, connection resets, gRPC status codes, refused and black-holed collectors. Every test
 * counts what was sent, received, lost and duplicated, and checks the shutdown bound.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitNumbered, faultConfig, report, startFaultTelemetry, tally, tempDir, type Transport } from './support.js';

let receiver: OtlpReceiver;
const dir = tempDir();
let seq = 0;
const spoolDir = () => join(dir.path, `spool-${++seq}`);
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});
afterEach(() => {
  receiver.setBehaviour(undefined);
});

const COUNT = 40;
const BOUND = 1000;
const logsOnly = (fault: ReturnType<NonNullable<Parameters<OtlpReceiver['setBehaviour']>[0]>>) =>
  ({ signal }: { signal: string | undefined }) => (signal === 'logs' ? fault : undefined);

async function timedShutdown(telemetry: ReturnType<typeof startFaultTelemetry>) {
  const started = performance.now();
  const result = await telemetry.shutdown();
  return { result, ms: performance.now() - started };
}

describe('HTTP retries honour Retry-After', () => {
  it('503 with Retry-After: 1 → waits at least 1 s, then every event arrives once', async () => {
    const prefix = 'retry-503';
    receiver.setBehaviour(({ signal, attempt }) => (signal === 'logs' && attempt === 1 ? { status: 503, retryAfter: 1 } : undefined));
    const telemetry = startFaultTelemetry(faultConfig({ target: receiver, spoolDir: spoolDir(), shutdownMs: 3000 }));
    emitNumbered(telemetry, prefix, COUNT);
    await telemetry.forceFlush();
    const attempts = receiver.requests.filter((r) => r.signal === 'logs');
    expect(attempts.map((r) => r.outcome)).toEqual(['fault', 'accepted']);
    const waited = attempts[1]!.receivedAt - attempts[0]!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(990);
    const { ms } = await timedShutdown(telemetry);
    const t = tally(receiver, prefix, COUNT);
    report('HTTP 503 + Retry-After: 1', { ...t, requests: attempts.length, retryWaitMs: Math.round(waited), shutdownMs: Math.round(ms) }, [telemetry.deliveryStats()]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
    expect(telemetry.deliveryStats()).toMatchObject({ exported: COUNT, retries: 1, spooled: 0 });
  });

  it('a storm of 429s (8 in a row) → backoff with jitter, then every event arrives once', async () => {
    const prefix = 'storm-429';
    receiver.reset();
    receiver.setBehaviour(({ signal, attempt }) => (signal === 'logs' && attempt <= 8 ? { status: 429 } : undefined));
    const telemetry = startFaultTelemetry(faultConfig({ target: receiver, spoolDir: spoolDir(), shutdownMs: 3000 }), {
      delivery: { retry: { initialBackoffMs: 20, maxBackoffMs: 200, budgetMs: 10_000, maxAttempts: 12 } },
    });
    emitNumbered(telemetry, prefix, COUNT);
    await telemetry.forceFlush();
    const { ms } = await timedShutdown(telemetry);
    const attempts = receiver.requests.filter((r) => r.signal === 'logs');
    const t = tally(receiver, prefix, COUNT);
    report('HTTP 429 storm (8 consecutive)', { ...t, requests: attempts.length, shutdownMs: Math.round(ms) }, [telemetry.deliveryStats()]);
    expect(attempts.length).toBe(9);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });

  it('a 429 storm longer than the retry budget → the batch is spooled, the next start sends it once', async () => {
    const prefix = 'storm-429-long';
    const spool = spoolDir();
    receiver.reset();
    receiver.setBehaviour(logsOnly({ status: 429, retryAfter: 0 }));
    const config = faultConfig({ target: receiver, spoolDir: spool, shutdownMs: BOUND });
    const first = startFaultTelemetry(config, { delivery: { retry: { initialBackoffMs: 10, maxBackoffMs: 50, budgetMs: 300 } } });
    emitNumbered(first, prefix, COUNT);
    await first.forceFlush();
    const { ms } = await timedShutdown(first);
    expect(first.deliveryStats().spooled).toBe(COUNT);
    receiver.setBehaviour(undefined);
    const second = startFaultTelemetry(config);
    await receiver.waitFor(() => tally(receiver, prefix, COUNT).received === COUNT);
    await second.shutdown();
    const t = tally(receiver, prefix, COUNT);
    report('HTTP 429 storm beyond the retry budget → spool → next start', { ...t, shutdownMs: Math.round(ms) }, [first.deliveryStats(), second.deliveryStats()]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });
});

describe.each<Transport>(['http-proto', 'grpc'])('connection reset mid-request (%s)', (transport) => {
  it('is retried; every event arrives once', async () => {
    const prefix = `reset-${transport}`;
    receiver.reset();
    receiver.setBehaviour(({ signal, attempt }) => (signal === 'logs' && attempt <= 2 ? { reset: true } : undefined));
    const telemetry = startFaultTelemetry(faultConfig({ transport, target: receiver, spoolDir: spoolDir(), shutdownMs: 3000 }));
    emitNumbered(telemetry, prefix, COUNT);
    await telemetry.forceFlush();
    const { ms } = await timedShutdown(telemetry);
    const t = tally(receiver, prefix, COUNT);
    const outcomes = receiver.requests.filter((r) => r.signal === 'logs').map((r) => r.outcome);
    report(`connection reset ×2 (${transport})`, { ...t, requests: outcomes.length, shutdownMs: Math.round(ms) }, [telemetry.deliveryStats()]);
    expect(outcomes.slice(0, 2)).toEqual(['reset', 'reset']);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });
});

describe('gRPC status codes', () => {
  it.each([
    ['UNAVAILABLE', GrpcStatus.UNAVAILABLE],
    ['RESOURCE_EXHAUSTED', GrpcStatus.RESOURCE_EXHAUSTED],
    ['DEADLINE_EXCEEDED', GrpcStatus.DEADLINE_EXCEEDED],
    ['ABORTED', GrpcStatus.ABORTED],
  ])('%s is retried', async (name, code) => {
    const prefix = `grpc-${name}`;
    receiver.reset();
    receiver.setBehaviour(({ signal, attempt }) => (signal === 'logs' && attempt <= 2 ? { grpcStatus: code } : undefined));
    const telemetry = startFaultTelemetry(faultConfig({ transport: 'grpc', target: receiver, spoolDir: spoolDir() }));
    emitNumbered(telemetry, prefix, COUNT);
    await telemetry.forceFlush();
    await telemetry.shutdown();
    const t = tally(receiver, prefix, COUNT);
    report(`gRPC ${name} ×2`, { ...t, requests: receiver.requests.filter((r) => r.signal === 'logs').length }, [telemetry.deliveryStats()]);
    expect(receiver.requests.filter((r) => r.signal === 'logs')).toHaveLength(3);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });

  it.each([
    ['UNAUTHENTICATED', GrpcStatus.UNAUTHENTICATED],
    ['PERMISSION_DENIED', GrpcStatus.PERMISSION_DENIED],
  ])('%s is not retried: the batch is spooled for a run with working credentials', async (name, code) => {
    const prefix = `grpc-${name}`;
    receiver.reset();
    receiver.setBehaviour(logsOnly({ grpcStatus: code }));
    const telemetry = startFaultTelemetry(faultConfig({ transport: 'grpc', target: receiver, spoolDir: spoolDir() }));
    emitNumbered(telemetry, prefix, COUNT);
    await telemetry.forceFlush();
    await telemetry.shutdown();
    expect(receiver.requests.filter((r) => r.signal === 'logs')).toHaveLength(1);
    expect(telemetry.deliveryStats()).toMatchObject({ exported: 0, spooled: COUNT, retries: 0 });
    report(`gRPC ${name}: not retried, spooled for a run with working credentials`, { ...tally(receiver, prefix, COUNT), requests: 1 }, [telemetry.deliveryStats()]);
  });

  it('INVALID_ARGUMENT (and HTTP 400) is not retried and not spooled: dropped, counted as rejected', async () => {
    receiver.reset();
    receiver.setBehaviour(logsOnly({ grpcStatus: GrpcStatus.INVALID_ARGUMENT }));
    const grpc = startFaultTelemetry(faultConfig({ transport: 'grpc', target: receiver, spoolDir: spoolDir() }));
    emitNumbered(grpc, 'grpc-invalid', COUNT);
    await grpc.forceFlush();
    await grpc.shutdown();
    expect(grpc.deliveryStats()).toMatchObject({ spooled: 0, retries: 0, dropped: { rejected: COUNT, total: COUNT } });

    receiver.setBehaviour(logsOnly({ status: 400 }));
    const http = startFaultTelemetry(faultConfig({ target: receiver, spoolDir: spoolDir() }));
    emitNumbered(http, 'http-400', COUNT);
    await http.forceFlush();
    await http.shutdown();
    expect(http.deliveryStats()).toMatchObject({ spooled: 0, retries: 0, dropped: { rejected: COUNT, total: COUNT } });
    report('HTTP 400 / gRPC INVALID_ARGUMENT: not retried, not spooled, dropped as rejected', { sent: 2 * COUNT, received: 0, lost: 2 * COUNT, duplicated: 0 }, [grpc.deliveryStats(), http.deliveryStats()]);
  });
});

describe.each<Transport>(['http-proto', 'http-json', 'grpc'])('the shutdown bound (%s)', (transport) => {
  it('holds against a refused port, and the spooled events reach the next start once', async () => {
    const prefix = `refused-${transport}`;
    const spool = spoolDir();
    const port = await closedPort();
    const down = faultConfig({ transport, target: `http://127.0.0.1:${port}`, spoolDir: spool, shutdownMs: BOUND });
    const first = startFaultTelemetry(down);
    emitNumbered(first, prefix, COUNT);
    const { ms, result } = await timedShutdown(first);
    expect(result.delivery?.spooled).toBe(COUNT);
    const up = faultConfig({ transport, target: receiver, spoolDir: spool, shutdownMs: BOUND });
    const second = startFaultTelemetry(up);
    await receiver.waitFor(() => tally(receiver, prefix, COUNT).received === COUNT);
    await second.shutdown();
    const t = tally(receiver, prefix, COUNT);
    report(`collector refusing connections (${transport}); next start replays`, { ...t, shutdownMs: Math.round(ms), completed: result.completed }, [first.deliveryStats(), second.deliveryStats()]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });

  it('holds against a black hole, and the spooled events reach the next start once', async () => {
    const prefix = `blackhole-${transport}`;
    const spool = spoolDir();
    receiver.setBehaviour(logsOnly({ blackHole: true }));
    const config = faultConfig({ transport, target: receiver, spoolDir: spool, shutdownMs: BOUND });
    const first = startFaultTelemetry(config, { delivery: { exportTimeoutMs: 5_000 } });
    emitNumbered(first, prefix, COUNT);
    const { ms, result } = await timedShutdown(first);
    expect(result.completed).toBe(false);
    expect(result.delivery?.spooled).toBe(COUNT);
    receiver.setBehaviour(undefined);
    const second = startFaultTelemetry(config);
    await receiver.waitFor(() => tally(receiver, prefix, COUNT).received === COUNT);
    await second.shutdown();
    const t = tally(receiver, prefix, COUNT);
    report(`collector black-holed (${transport}); next start replays`, { ...t, shutdownMs: Math.round(ms), completed: result.completed }, [first.deliveryStats(), second.deliveryStats()]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });
});
