/**
 * A collector that answers after 10 s. The real 10 s delay runs once, in both tests at the same time
 * (describe.concurrent), in this file of its own so the other fault files run beside it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitNumbered, faultConfig, receivedIds, report, startFaultTelemetry, tally, tempDir } from './support.js';

const SLOW_MS = 10_000;
const COUNT = 30;
let slow: OtlpReceiver;
let healthy: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => {
  slow = await startOtlpReceiver({ behaviour: ({ signal }) => (signal === 'logs' ? { delayMs: SLOW_MS } : undefined) });
  healthy = await startOtlpReceiver();
});
afterAll(async () => {
  await Promise.all([slow?.close(), healthy?.close()]);
  dir.remove();
});

describe.concurrent('a collector that answers after 10 s', () => {
  it('shutdown returns within its bound; the batch is spooled, and removed again when the late answer is a success', async () => {
    const prefix = 'slow-bound';
    const spoolDir = join(dir.path, 'spool-bound');
    const telemetry = startFaultTelemetry(faultConfig({ target: slow, spoolDir, shutdownMs: 1000 }), { delivery: { exportTimeoutMs: 15_000 } });
    emitNumbered(telemetry, prefix, COUNT);
    const started = performance.now();
    const result = await telemetry.shutdown();
    const shutdownMs = performance.now() - started;
    expect(result).toMatchObject({ completed: false, delivery: { spooled: COUNT } });
    // The host keeps running: the answer comes at 10 s, accepted; the spooled copy is discarded.
    await slow.waitFor(() => tally(slow, prefix, COUNT).received === COUNT, SLOW_MS + 3_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Spooled at the bound, then taken out of the spool again as exported: nothing left pending.
    expect(telemetry.deliveryStats()).toMatchObject({ emitted: COUNT, spooled: COUNT, pendingInSpool: 0, exported: COUNT, inMemory: 0, dropped: { total: 0 } });
    // A next start finds nothing to resend: no duplicate.
    const next = startFaultTelemetry(faultConfig({ target: healthy, spoolDir }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await next.shutdown();
    const seen = new Map<string, number>();
    for (const receiver of [slow, healthy]) for (const [id, n] of receivedIds(receiver, prefix)) seen.set(id, (seen.get(id) ?? 0) + n);
    const arrivals = [...seen.values()].reduce((a, b) => a + b, 0);
    const t = { sent: COUNT, received: seen.size, lost: COUNT - seen.size, duplicated: arrivals - seen.size };
    report('collector answers after 10 s (shutdown bound 1 s, host keeps running)', { ...t, shutdownMs: Math.round(shutdownMs) }, [telemetry.deliveryStats(), next.deliveryStats()]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });

  it('with an export timeout above 10 s, the slow answer is a success: delivered once, no retry', async () => {
    const prefix = 'slow-wait';
    const telemetry = startFaultTelemetry(faultConfig({ target: slow, spoolDir: join(dir.path, 'spool-wait'), shutdownMs: 1000 }), { delivery: { exportTimeoutMs: 15_000 } });
    emitNumbered(telemetry, prefix, COUNT);
    const started = performance.now();
    await telemetry.forceFlush();
    const flushMs = performance.now() - started;
    expect(flushMs).toBeGreaterThanOrEqual(SLOW_MS - 100);
    const shutdown = await telemetry.shutdown();
    expect(shutdown.completed).toBe(true);
    const t = tally(slow, prefix, COUNT);
    report('collector answers after 10 s (export timeout 15 s)', { ...t, flushMs: Math.round(flushMs), retries: telemetry.deliveryStats().retries }, [telemetry.deliveryStats()]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
    expect(telemetry.deliveryStats().retries).toBe(0);
  });
});
