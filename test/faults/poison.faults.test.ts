/**
 * No poison batch: a receiver behind a body limit (HTTP 413 like a proxy's, gRPC RESOURCE_EXHAUSTED from
 * grpc-js's max_receive_message_length) never blocks delivery. Batches are cut by estimated bytes up front,
 * a batch answered "too large" is split down to one record, a single record too large alone is dropped
 * and counted (`too_large`), and replay (`flush`) splits and goes on with the other batches.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import {
  emitNumbered, expectLedgerBalanced, faultConfig, faultToml, report, startFaultTelemetry, tally, tempDir, writeConfig, type LedgerView, type Transport,
} from './support.js';

const LIMIT = 200_000;
const COUNT = 1024;
/** Tool output of ~1.9 KB (under the 2 KiB preview cap): 1,024 of them are a ~2 MB batch. */
const output = (i: number) => `${i} ${'x'.repeat(1900)}`;

let limited: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => { limited = await startOtlpReceiver({ maxRequestBytes: LIMIT }); });
afterAll(async () => {
  await limited?.close();
  dir.remove();
});

function tooLargeAnswers(receiver: OtlpReceiver, transport: Transport): number {
  if (transport === 'grpc') return Number.NaN; // refused inside grpc-js, before the receiver sees it
  return receiver.requests.filter((r) => r.transport === 'http' && r.answeredStatus === 413).length;
}

describe.each<Transport>(['http-proto', 'http-json', 'grpc'])('a receiver with a 200 kB request limit (%s)', (transport) => {
  it('one batch of 1,024 large records: split until it passes, every record arrives once, nothing blocked', async () => {
    const prefix = `poison-${transport}`;
    // The byte cap is set above the limit, so the receiver's "too large" answer has to do the work.
    const config = faultConfig({ transport, target: limited, batchSize: COUNT, batchMaxBytes: 8 * 1024 * 1024, shutdownMs: 20_000, delayMs: 10 });
    const telemetry = startFaultTelemetry(config);
    emitNumbered(telemetry, prefix, COUNT, 0, output);
    emitNumbered(telemetry, `tail-${transport}`, 10);
    const result = await telemetry.shutdown();
    const t = tally(limited, prefix, COUNT);
    const after = tally(limited, `tail-${transport}`, 10);
    const splits = tooLargeAnswers(limited, transport);
    report(`one 1,024-record batch (~2 MB) behind a 200 kB limit (${transport})`, { ...t, ...(transport === 'grpc' ? {} : { tooLargeAnswers: splits }) }, [result.delivery!]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
    expect(after.received).toBe(10);
    // HTTP: the 413s are on record. gRPC: grpc-js refuses the message before any handler runs, so the
    // proof is below: 2 MB arrived, and no accepted request was over 200 kB.
    if (transport !== 'grpc') expect(splits).toBeGreaterThan(0);
    expect(result.delivery).toMatchObject({ exported: COUNT + 10, pendingInSpool: 0, dropped: { total: 0 } });
    expectLedgerBalanced(result.delivery!);
    // No request the receiver accepted was over its limit.
    for (const r of limited.requests) if (r.outcome === 'accepted') expect(r.wireBody.length).toBeLessThanOrEqual(LIMIT);
  });
});

describe.each<Transport>(['http-proto', 'http-json'])('a receiver with a 1 MiB request limit, default batch bytes (%s)', (transport) => {
  it('batches are cut by bytes up front: no request is refused', async () => {
    const proxy = await startOtlpReceiver({ maxRequestBytes: 1024 * 1024 });
    try {
      const prefix = `bytes-${transport}`;
      const telemetry = startFaultTelemetry(faultConfig({ transport, target: proxy, batchSize: COUNT, shutdownMs: 20_000, delayMs: 10 }));
      emitNumbered(telemetry, prefix, COUNT, 0, output);
      const result = await telemetry.shutdown();
      const t = tally(proxy, prefix, COUNT);
      const refused = proxy.requests.filter((r) => r.answeredStatus === 413).length;
      report(`1,024 records (~2 MB) behind a 1 MiB limit, default log_batch_max_bytes (${transport})`, { ...t, tooLargeAnswers: refused }, [result.delivery!]);
      expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
      expect(refused).toBe(0);
      expect(proxy.requests.filter((r) => r.signal === 'logs').length).toBeGreaterThan(1);
      expectLedgerBalanced(result.delivery!);
    } finally {
      await proxy.close();
    }
  });
});

describe('a single record larger than the receiver accepts', () => {
  it('is dropped and counted as too_large; the records around it arrive', async () => {
    const small = await startOtlpReceiver({ maxRequestBytes: 4000 });
    try {
      const prefix = 'single-too-large';
      const warnings: string[] = [];
      const telemetry = startFaultTelemetry(faultConfig({ target: small, batchSize: 8, shutdownMs: 10_000 }), {}, warnings);
      // Record 3 carries 2 KiB of output and an 8 KB argument string: over 4 kB alone.
      const session = telemetry.startSession({ conversationId: `conv-${prefix}`, model: 'gpt-5' });
      for (let i = 0; i < 8; i++) {
        session.toolResult({ toolName: 'shell', callId: `${prefix}-${i}`, arguments: i === 3 ? 'y'.repeat(8000) : 'ls', durationMs: i, success: true, output: 'ok' });
      }
      const result = await telemetry.shutdown();
      const t = tally(small, prefix, 8);
      report('one record larger than the receiver limit (4 kB, HTTP)', { ...t, counted: result.delivery?.dropped.too_large }, [result.delivery!]);
      expect(t).toEqual({ sent: 8, received: 7, lost: 1, duplicated: 0 });
      expect(result.delivery?.dropped).toMatchObject({ too_large: 1, total: 1 });
      expect(warnings).toEqual([expect.stringContaining('1 log record(s) dropped (too_large: HTTP 413)')]);
      expectLedgerBalanced(result.delivery!);
    } finally {
      await small.close();
    }
  });
});

describe('replaying a spool with a poison batch', () => {
  it('flush splits the large batch, sends the batches behind it, exits 0', async () => {
    const prefix = 'poison-flush';
    const spoolDir = join(dir.path, 'spool-flush');
    const down = startFaultTelemetry(faultConfig({ target: `http://127.0.0.1:${await closedPort()}`, spoolDir, batchSize: COUNT, batchMaxBytes: 8 * 1024 * 1024, shutdownMs: 10_000 }), { delivery: { retry: { maxAttempts: 1 } } });
    emitNumbered(down, prefix, COUNT, 0, output);
    await down.forceFlush();
    emitNumbered(down, `behind-flush`, 20);
    const spooled = await down.shutdown();
    expect(spooled.delivery).toMatchObject({ spooled: COUNT + 20, pendingInSpool: COUNT + 20 });
    expect(readdirSync(spoolDir)).toHaveLength(2);

    const lines: string[] = [];
    const io: CliIo = { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {}, isTty: false };
    const config = writeConfig(dir.path, faultToml({ target: limited, spoolDir }), 'flush-limited.toml');
    expect(await main(['flush', '--config', config, '--json'], io)).toBe(0);
    const summary = JSON.parse(lines.join('\n')) as { sent: { records: number }; remaining: { records: number } };
    expect(summary).toMatchObject({ sent: { records: COUNT + 20 }, remaining: { records: 0 } });
    const t = tally(limited, prefix, COUNT);
    report('flush of a spool whose first batch is ~2 MB, behind a 200 kB limit', t, [spooled.delivery!, (summary as unknown as { ledger: LedgerView }).ledger]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
    expect(tally(limited, `behind-flush`, 20).received).toBe(20);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
