/**
 * At-least-once, said out loud: when the host ends before a slow collector answers, the batch in flight
 * is spooled at the shutdown bound; the collector then processes the request it already had, and the
 * next run sends the spooled copy again. Every record of that batch arrives twice, each copy with the
 * same `codex_otel.record_id`, and `codex-otel audit` counts it once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { DeliveryStatsSnapshot } from '../../src/export/delivery/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { faultToml, report, runChild, tempDir, writeConfig } from './support.js';

const COUNT = 40;
let receiver: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => {
  // The first logs request is answered after 15 s: long after the child's 800 ms bound, even on a loaded machine
  // (a late success before the child exits would remove the spooled copy: no duplicate to show).
  receiver = await startOtlpReceiver({ behaviour: (r) => (r.signal === 'logs' && r.attempt === 1 ? { delayMs: 15_000 } : undefined) });
});
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

/**
 * Requests the collector took into its pipeline: answered, or read in full and still being answered
 * (the delayed one: its client is gone, but an OTLP receiver hands the data on before it answers).
 */
function processed(receiver: OtlpReceiver) {
  return receiver.requests.filter((r) => r.signal === 'logs' && (r.outcome === 'accepted' || (r.outcome === 'pending' && r.fault?.delayMs !== undefined)));
}

function arrivals(receiver: OtlpReceiver, prefix: string) {
  const seen = new Map<string, { count: number; ids: Set<string> }>();
  for (const record of processed(receiver).flatMap((r) => r.logs)) {
    const call = record.attributes.find((x) => x.key === 'call_id')?.value;
    if (typeof call !== 'string' || !call.startsWith(`${prefix}-`)) continue;
    const id = String(record.attributes.find((x) => x.key === 'codex_otel.record_id')?.value);
    const entry = seen.get(call) ?? { count: 0, ids: new Set<string>() };
    entry.count++;
    entry.ids.add(id);
    seen.set(call, entry);
  }
  return seen;
}

function statsOf(stdout: string[]): DeliveryStatsSnapshot {
  const line = stdout.find((l) => l.startsWith('stats '));
  if (!line) throw new Error(`child printed no stats: ${stdout.join('|')}`);
  return JSON.parse(line.slice(6)) as DeliveryStatsSnapshot;
}

describe('the process ends before a slow collector answers', () => {
  it('the batch arrives twice with the same record ids; audit counts each record once', async () => {
    const prefix = 'dup';
    const spoolDir = join(dir.path, 'spool');
    const config = writeConfig(dir.path, faultToml({ transport: 'http-json', target: receiver, spoolDir, shutdownMs: 800 }), 'slow.toml');
    const first = runChild(config, { mode: 'shutdown', prefix, count: COUNT, delivery: { exportTimeoutMs: 10_000 } });
    expect((await first.exited).code).toBe(0);
    const a = statsOf(first.stdout);
    expect(a).toMatchObject({ emitted: COUNT, exported: 0, spooled: COUNT, pendingInSpool: COUNT, inMemory: 0, dropped: { total: 0 } });

    // The collector had the whole request before the child gave up on it; the next run sends the spooled copy.
    expect(arrivals(receiver, prefix).size).toBe(COUNT);
    const next = runChild(config, { mode: 'replay', expect: COUNT, waitMs: 15_000 });
    expect((await next.exited).code).toBe(0);
    const b = statsOf(next.stdout);
    expect(b).toMatchObject({ exported: COUNT, replayed: COUNT, pendingInSpool: -COUNT, dropped: { total: 0 } });
    // The ledger counts acknowledged deliveries: across both processes it balances, and cannot see the duplicate.
    expect(a.emitted + b.emitted).toBe(a.exported + b.exported + (a.pendingInSpool + b.pendingInSpool) + a.dropped.total + b.dropped.total);

    const seen = arrivals(receiver, prefix);
    let duplicated = 0;
    for (const { count } of seen.values()) duplicated += count - 1;
    const t = { sent: COUNT, received: seen.size, lost: COUNT - seen.size, duplicated };
    report('the host ends before a slow collector answers (15 s, bound 800 ms); the next run replays', t, [a, b]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: COUNT });
    // Both copies of each record carry the same id.
    for (const { ids } of seen.values()) expect(ids.size).toBe(1);

    // What the collector received, as OTLP/JSON lines (the wire bodies are JSON): audit drops the copies.
    const file = join(dir.path, 'received.jsonl');
    const bodies = processed(receiver).map((r) => r.body.toString('utf8'));
    writeFileSync(file, `${bodies.join('\n')}\n`);
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, isTty: false };
    expect(await main(['audit', file, '--format', 'json'], io)).toBe(0);
    expect(err).toEqual([`audit: skipped ${COUNT} duplicate record(s) (same codex_otel.record_id, delivered more than once)`]);
    const auditReport = JSON.parse(out.join('\n')) as { events: number };
    expect(auditReport.events).toBe(COUNT);
  });
});
