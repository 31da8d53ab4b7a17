/**
 * A spool that cannot take the data (read-only, replaced by a file, full) and a queue that overflows:
 * the host keeps running, every loss is counted (stats, self-metric, one stderr line).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitNumbered, faultConfig, receivedIds, report, startFaultTelemetry, tally, tempDir } from './support.js';

let receiver: OtlpReceiver;
let refused: string;
const dir = tempDir();
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  refused = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

const COUNT = 20;

function droppedMetric(reason: string): number {
  let total = 0;
  for (const metric of receiver.metrics()) {
    if (metric.name !== 'codex_otel.dropped_records' || metric.kind !== 'sum') continue;
    for (const point of metric.points) {
      if (point.attributes.some((a) => a.key === 'reason' && a.type === 'string' && a.value === reason)) total += Number(point.value);
    }
  }
  return total;
}

describe('an unwritable spool', () => {
  it('read-only (its parent is a file): no throw, the loss is counted, warned once, and on the self-metric', async () => {
    const blocker = join(dir.path, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const warnings: string[] = [];
    const config = faultConfig({ target: refused, spoolDir: join(blocker, 'spool'), shutdownMs: 1500 });
    // The metrics go to the live receiver, the logs to a refused port.
    config.metricsExporter = { kind: 'otlp-http', endpoint: receiver.metricsUrl, protocol: 'binary', headers: {} };
    const telemetry = startFaultTelemetry(config, { delivery: { retry: { maxAttempts: 1 } } }, warnings);
    expect(() => emitNumbered(telemetry, 'ro', COUNT)).not.toThrow();
    await telemetry.forceFlush();
    emitNumbered(telemetry, 'ro2', COUNT);
    const result = await telemetry.shutdown();
    expect(result.delivery?.dropped).toMatchObject({ spool_unwritable: 2 * COUNT, total: 2 * COUNT });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/dropped \(spool_unwritable: .*not-a-folder\/spool: ENOTDIR\)/);
    await receiver.waitFor(() => droppedMetric('spool_unwritable') === 2 * COUNT);
    report('spool folder read-only (parent is a file)', { sent: 2 * COUNT, received: 0, lost: 2 * COUNT, duplicated: 0, counted: result.delivery?.dropped.total }, [result.delivery!]);
  });

  it('a spool folder replaced by a file mid-run: the host keeps running, the loss is counted', async () => {
    const spoolDir = join(dir.path, 'replaced');
    mkdirSync(spoolDir);
    const telemetry = startFaultTelemetry(faultConfig({ target: refused, spoolDir, shutdownMs: 1500 }), { delivery: { retry: { maxAttempts: 1 } } });
    emitNumbered(telemetry, 'replaced-a', COUNT);
    await telemetry.forceFlush();
    expect(telemetry.deliveryStats().spooled).toBe(COUNT);
    rmSync(spoolDir, { recursive: true });
    writeFileSync(spoolDir, 'now a file');
    emitNumbered(telemetry, 'replaced-b', COUNT);
    const result = await telemetry.shutdown();
    expect(result.delivery).toMatchObject({ spooled: COUNT, dropped: { spool_unwritable: COUNT, total: COUNT } });
    report('spool folder replaced by a file mid-run', { sent: 2 * COUNT, received: 0, duplicated: 0, spooled: COUNT, lost: COUNT, counted: result.delivery?.dropped.total }, [result.delivery!]);
  });
});

describe('a full spool', () => {
  it('a batch larger than max_bytes is dropped and counted; the host keeps running', async () => {
    const spoolDir = join(dir.path, 'tiny');
    const telemetry = startFaultTelemetry(faultConfig({ target: refused, spoolDir, spoolMaxBytes: 1024, shutdownMs: 1500 }), { delivery: { retry: { maxAttempts: 1 } } });
    emitNumbered(telemetry, 'tiny', COUNT);
    const result = await telemetry.shutdown();
    expect(result.delivery).toMatchObject({ spooled: 0, dropped: { spool_full: COUNT, total: COUNT } });
    expect(existsSync(spoolDir) ? readdirSync(spoolDir) : []).toEqual([]);
    report('spool full (max_bytes = 1024, batch larger)', { sent: COUNT, received: 0, duplicated: 0, lost: COUNT, counted: result.delivery?.dropped.total }, [result.delivery!]);
  });

  it('over the cap, the oldest batches are dropped first (counted); the newest are kept and sent later', async () => {
    const spoolDir = join(dir.path, 'capped');
    const config = faultConfig({ target: refused, spoolDir, spoolMaxBytes: 6 * 1024, batchSize: 2, shutdownMs: 1500 });
    const telemetry = startFaultTelemetry(config, { delivery: { retry: { maxAttempts: 1 } } });
    for (let wave = 0; wave < 10; wave++) {
      emitNumbered(telemetry, 'capped', 2, wave * 2);
      await telemetry.forceFlush();
    }
    const result = await telemetry.shutdown();
    const kept = result.delivery!.spooled - result.delivery!.dropped.spool_full;
    expect(result.delivery!.dropped.spool_full).toBeGreaterThan(0);
    expect(result.delivery!.dropped.total).toBe(result.delivery!.dropped.spool_full);

    const up = faultConfig({ target: receiver, spoolDir, spoolMaxBytes: 6 * 1024, shutdownMs: 1500 });
    const next = startFaultTelemetry(up);
    await receiver.waitFor(() => tally(receiver, 'capped', 20).received === kept);
    await next.shutdown();
    const ids = [...receivedIds(receiver, 'capped').keys()].map((id) => Number(id.split('-')[1])).sort((a, b) => a - b);
    // The survivors are the newest: a contiguous tail of the sequence.
    expect(ids).toEqual(Array.from({ length: kept }, (_, i) => 20 - kept + i));
    const t = tally(receiver, 'capped', 20);
    report('spool over its cap: oldest dropped first; next start replays', { ...t, droppedOldest: result.delivery!.dropped.spool_full }, [result.delivery!, next.deliveryStats()]);
    expect(t.lost).toBe(result.delivery!.dropped.spool_full);
    expect(t.duplicated).toBe(0);
  });
});

describe('a full queue', () => {
  it('drops and counts (stats, self-metric, one warning) and never blocks the caller', async () => {
    const prefix = 'queue';
    const warnings: string[] = [];
    const config = faultConfig({ target: receiver, queueSize: 10, batchSize: 10, delayMs: 1000, shutdownMs: 2000, metrics: true });
    const telemetry = startFaultTelemetry(config, {}, warnings);
    const started = performance.now();
    emitNumbered(telemetry, prefix, 100);
    const emitMs = performance.now() - started;
    const result = await telemetry.shutdown();
    expect(result.delivery?.dropped).toMatchObject({ queue_full: 90, total: 90 });
    expect(warnings).toEqual([expect.stringContaining('90 log record(s) dropped (queue_full: queue of 10 records or 33554432 bytes full)')]);
    await receiver.waitFor(() => droppedMetric('queue_full') === 90);
    const t = tally(receiver, prefix, 100);
    report('queue full (log_queue_size = 10, 100 emitted at once)', { ...t, counted: result.delivery?.dropped.queue_full, emitMs: Number(emitMs.toFixed(2)) }, [result.delivery!]);
    expect(t).toEqual({ sent: 100, received: 10, lost: 90, duplicated: 0 });
  });
});
