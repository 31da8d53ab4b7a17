/**
 * A collector that is down, then up; two processes draining one spool at the same time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import {
  childLedger, emitNumbered, faultConfig, faultToml, report, runChild, startFaultTelemetry, startForwarder, tally, tempDir, writeConfig,
  type Transport,
} from './support.js';

let receiver: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

const WAVE = 30;

describe.each<Transport>(['http-proto', 'grpc'])('collector down at start, then up (%s)', (transport) => {
  it('every event arrives, through the spool, none twice', async () => {
    const prefix = `outage-${transport}`;
    const target = new URL(transport === 'grpc' ? receiver.grpcUrl : receiver.httpUrl);
    const forwarder = await startForwarder(Number(target.port));
    try {
      const spoolDir = join(dir.path, `spool-outage-${transport}`);
      const telemetry = startFaultTelemetry(faultConfig({ transport, target: `http://127.0.0.1:${forwarder.port}`, spoolDir, shutdownMs: 2000, batchSize: 10 }), {
        delivery: { retry: { initialBackoffMs: 10, maxBackoffMs: 50, budgetMs: 200 } },
      });
      // Down: three batches fail, go to the spool.
      emitNumbered(telemetry, prefix, WAVE);
      await telemetry.forceFlush();
      expect(telemetry.deliveryStats().spooled).toBe(WAVE);
      expect(tally(receiver, prefix, 2 * WAVE).received).toBe(0);
      // Up: the next batch succeeds, ends the degraded mode and replays the spool in the background.
      await forwarder.up();
      emitNumbered(telemetry, prefix, WAVE, WAVE);
      await receiver.waitFor(() => tally(receiver, prefix, 2 * WAVE).received === 2 * WAVE, 10_000);
      const { completed } = await telemetry.shutdown();
      expect(completed).toBe(true);
      const t = tally(receiver, prefix, 2 * WAVE);
      const stats = telemetry.deliveryStats();
      report(`collector down at start, then up (${transport})`, { ...t, spooled: stats.spooled, replayed: stats.replayed }, [stats]);
      expect(t).toEqual({ sent: 2 * WAVE, received: 2 * WAVE, lost: 0, duplicated: 0 });
      // HTTP: the first batch after "up" succeeds. gRPC: the channel is still in its reconnect backoff, so
      // the second wave may go to the spool too; the probe replays it once the channel is ready.
      expect(stats.spooled).toBeGreaterThanOrEqual(WAVE);
      expect(stats.replayed).toBe(stats.spooled);
      expect(stats.exported).toBe(2 * WAVE);
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      await forwarder.close();
    }
  });
});

describe('two processes starting at the same time on one spool', () => {
  it('send every spooled batch exactly once between them', async () => {
    const prefix = 'race';
    const spoolDir = join(dir.path, 'spool-race');
    const total = 150;
    const port = await closedPort();
    // 30 batches of 5 in the spool, from a run whose collector refused connections.
    const down = startFaultTelemetry(faultConfig({ target: `http://127.0.0.1:${port}`, spoolDir, batchSize: 5, shutdownMs: 2000 }), {
      delivery: { retry: { maxAttempts: 1 } },
    });
    emitNumbered(down, prefix, total);
    await down.shutdown();
    expect(down.deliveryStats().spooled).toBe(total);
    expect(readdirSync(spoolDir)).toHaveLength(total / 5);

    const config = writeConfig(dir.path, faultToml({ target: receiver, spoolDir, shutdownMs: 2000 }), 'race.toml');
    const runs = [1, 2, 3].map(() => runChild(config, { mode: 'replay', idleMs: 400, waitMs: 8000 }));
    await Promise.all(runs.map((run) => run.waitForLine('done', 15_000)));
    const replayedBy = runs.map((run) => {
      const line = run.stdout.find((l) => l.startsWith('stats '));
      return (JSON.parse(line!.slice(6)) as { replayed: number }).replayed;
    });
    await Promise.all(runs.map((run) => run.exited));
    const t = tally(receiver, prefix, total);
    report('three processes replaying one spool at once', { ...t, replayedBy }, [down.deliveryStats(), ...runs.map((run) => childLedger(run))]);
    expect(t).toEqual({ sent: total, received: total, lost: 0, duplicated: 0 });
    expect(replayedBy.reduce((a, b) => a + b, 0)).toBe(total);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
