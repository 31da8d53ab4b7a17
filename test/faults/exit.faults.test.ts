/**
 * Bounded exit in real child processes (the built package, test/faults/fixtures/child.mjs): every way a
 * host ends — natural end, exit helper, SIGINT, SIGTERM, uncaught exception, SIGKILL — with a real
 * receiver in this process.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { readdirSync } from 'node:fs';
import { childLedger, faultToml, report, runChild, tally, tempDir, writeConfig } from './support.js';

const BOUND_MS = 1000;
const COUNT = 25;

let receiver: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

function configFor(name: string, extra: { spool?: boolean } = {}): string {
  const spoolDir = join(dir.path, `spool-${name}`);
  return writeConfig(dir.path, faultToml({ target: receiver, shutdownMs: BOUND_MS, delayMs: 5000, ...(extra.spool === false ? {} : { spoolDir }) }), `${name}.toml`);
}

describe.concurrent('every way out delivers the last events within the bound', () => {
  const cases = [
    { mode: 'natural', code: 0, signal: undefined },
    { mode: 'exit', code: 3, signal: undefined },
    { mode: 'sigint', code: 130, signal: 'SIGINT' as const },
    { mode: 'sigterm', code: 143, signal: 'SIGTERM' as const },
    { mode: 'uncaught', code: 1, signal: undefined },
  ];
  it.each(cases)('$mode → exit code $code', async ({ mode, code, signal }) => {
    const prefix = `exit-${mode}`;
    // log_schedule_delay_ms = 5000: nothing is exported before the exit path runs.
    const run = runChild(configFor(mode), { mode, prefix, count: COUNT, code });
    await run.waitForLine('emitted');
    const trigger = performance.now();
    if (signal) run.child.kill(signal);
    const exit = await run.exited;
    const afterTrigger = performance.now() - trigger;
    expect(exit.code, run.stderr.join('')).toBe(code);
    if (mode === 'uncaught') expect(run.stderr.join('')).toContain('boom from the host');
    const t = tally(receiver, prefix, COUNT);
    report(`exit: ${mode}`, { ...t, exitCode: exit.code, exitAfterTriggerMs: Math.round(afterTrigger) }, [childLedger(run)]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });
});

describe('a dead collector at exit', () => {
  it('black hole: the natural end still exits within the bound; the next run sends the spooled events once', async () => {
    const prefix = 'exit-blackhole';
    const config = configFor('blackhole');
    receiver.setBehaviour(({ path }) => (path === '/v1/logs' ? { blackHole: true } : undefined));
    const run = runChild(config, { mode: 'natural', prefix, count: COUNT });
    await run.waitForLine('emitted');
    const trigger = performance.now();
    const exit = await run.exited;
    const afterTrigger = performance.now() - trigger;
    expect(exit.code, run.stderr.join('')).toBe(0);
    expect(tally(receiver, prefix, COUNT).received).toBe(0);

    receiver.setBehaviour(undefined);
    const next = runChild(config, { mode: 'replay', expect: COUNT, waitMs: 5000 });
    await next.waitForLine('done');
    expect((await next.exited).code).toBe(0);
    const t = tally(receiver, prefix, COUNT);
    report('collector black-holed at exit (natural end), next run replays', { ...t, exitAfterTriggerMs: Math.round(afterTrigger) }, [childLedger(run), childLedger(next)]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });

  it('SIGKILL mid-export: the batch written ahead is sent by the next run', async () => {
    const prefix = 'exit-sigkill';
    const config = writeConfig(dir.path, faultToml({ target: receiver, shutdownMs: BOUND_MS, delayMs: 50, spoolDir: join(dir.path, 'spool-sigkill') }), 'sigkill.toml');
    receiver.setBehaviour(({ path }) => (path === '/v1/logs' ? { blackHole: true } : undefined));
    // waitMs: the batch leaves the queue (50 ms) and its export hangs on the black hole.
    const run = runChild(config, { mode: 'sigkill', prefix, count: COUNT, waitMs: 400 });
    await run.waitForLine('emitted');
    await receiver.waitFor(() => receiver.requests.some((r) => r.outcome === 'blackHole'));
    run.child.kill('SIGKILL');
    const exit = await run.exited;
    expect(exit.signal).toBe('SIGKILL');
    // A killed process leaves no ledger: what it left is its write-ahead batch on disk.
    const left = readdirSync(join(dir.path, 'spool-sigkill')).reduce((n, name) => n + Number(/-n(\d+)\.jsonl/.exec(name)?.[1] ?? 0), 0);
    expect(left).toBe(COUNT);

    receiver.setBehaviour(undefined);
    const next = runChild(config, { mode: 'replay', expect: COUNT, waitMs: 5000 });
    await next.waitForLine('done');
    const t = tally(receiver, prefix, COUNT);
    expect((await next.exited).code).toBe(0);
    const killed = { emitted: COUNT, exported: 0, pendingInSpool: left, dropped: { total: 0 } };
    report('SIGKILL mid-export, next run replays', t, [killed, childLedger(next)]);
    expect(t).toEqual({ sent: COUNT, received: COUNT, lost: 0, duplicated: 0 });
  });
});
