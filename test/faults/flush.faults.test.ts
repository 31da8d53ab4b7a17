/**
 * `codex-otel flush`: sends the spool through the configured exporter now and reports the counts.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitNumbered, faultConfig, faultToml, report, startFaultTelemetry, tally, tempDir, writeConfig, type LedgerView } from './support.js';

let receiver: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

function flushLedger(run: { lines: string[] }): LedgerView {
  return (JSON.parse(run.lines.join('\n')) as { ledger: LedgerView }).ledger;
}

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), env: {}, isTty: false };
}

describe('codex-otel flush', () => {
  it('sends every spooled batch once, removes it, reports the counts, exits 0', async () => {
    const prefix = 'flush';
    const spoolDir = join(dir.path, 'spool');
    const down = startFaultTelemetry(faultConfig({ target: `http://127.0.0.1:${await closedPort()}`, spoolDir, batchSize: 10 }), { delivery: { retry: { maxAttempts: 1 } } });
    emitNumbered(down, prefix, 35);
    await down.shutdown();
    expect(readdirSync(spoolDir)).toHaveLength(4);
    expect(statSync(spoolDir).mode & 0o777).toBe(0o700);
    // Files this project did not write: reported, never sent, left in place.
    const foreign = ['notes.txt', 'logs-1-2-3.jsonl'];
    for (const name of foreign) writeFileSync(join(spoolDir, name), '{"resourceLogs":[]}\n');

    // A collector that is still down: exit 1, nothing lost.
    const offline = writeConfig(dir.path, faultToml({ target: `http://127.0.0.1:${await closedPort()}`, spoolDir }), 'offline.toml');
    const first = io();
    expect(await main(['flush', '--config', offline, '--json', '--time-limit', '300'], first)).toBe(1);
    expect(JSON.parse(first.lines.join('\n'))).toMatchObject({ sent: { records: 0 }, failed: { records: 10, batches: 1 }, remaining: { files: 4, records: 35 } });

    const online = writeConfig(dir.path, faultToml({ target: receiver, spoolDir }), 'online.toml');
    const second = io();
    expect(await main(['flush', '--config', online], second)).toBe(0);

    expect(second.lines).toContain(`sent 35 record(s) in 4 batch(es) to ${receiver.logsUrl}`);
    expect(second.lines).toContain('remaining 0 record(s) in 0 batch(es)');
    expect(second.lines).toContain('left alone 2 file(s) not written by codex-otel: logs-1-2-3.jsonl, notes.txt');
    expect(readdirSync(spoolDir).sort()).toEqual([...foreign].sort());
    const t = tally(receiver, prefix, 35);
    // The ledgers: the run that spooled, then each flush (the text run's numbers are the ones it printed).
    const secondLedger = { emitted: 0, exported: 35, pendingInSpool: -35, dropped: { total: 0 } };
    expect(second.lines).toContain('dropped 0 record(s) (undecodable, or rejected by the collector as invalid)');
    report('codex-otel flush (collector down, then up)', t, [down.deliveryStats(), flushLedger(first), secondLedger]);
    expect(t).toEqual({ sent: 35, received: 35, lost: 0, duplicated: 0 });
  });
});
