/**
 * Write-ahead means written: a spool on a real full filesystem. A full disk accepts part of a buffer
 * without an error (a short write) and then fails with ENOSPC; the spool must check the byte count,
 * remove the partial file, count the batch as `spool_full` (one stderr line) and never leave a cut file
 * under a ready name that the next run would drop as corrupt.
 *
 * Two real ways to fill a disk: a 68 KiB tmpfs (needs root, as CI runs; without root the test fails in
 * CI and is skipped elsewhere) and a per-file size limit (`prlimit --fsize`, any user: real short
 * writes, then EFBIG).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStats, Spool, type DeliveryStatsSnapshot } from '../../src/export/delivery/index.js';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { faultToml, report, runChild, tally, tempDir, writeConfig } from './support.js';

const READY = /^logs-\d{13}-\d+-\d+-n(\d+)\.jsonl$/;
const COUNT = 200;
const isRoot = process.getuid?.() === 0;
const hasPrlimit = (() => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let receiver: OtlpReceiver;
let refused: string;
const dir = tempDir();
const mounts: string[] = [];
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  refused = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(async () => {
  await receiver?.close();
  for (const mount of mounts) execFileSync('umount', [mount]);
  dir.remove();
});

function statsOf(stdout: string[]): DeliveryStatsSnapshot {
  const line = stdout.find((l) => l.startsWith('stats '));
  if (!line) throw new Error(`child printed no stats: ${stdout.join('|')}`);
  return JSON.parse(line.slice(6)) as DeliveryStatsSnapshot;
}

/** Every file of the spool is a complete ready batch: decodes to exactly the records its name says. */
function checkSpoolIntact(spoolDir: string): number {
  const names = readdirSync(spoolDir);
  expect(names.filter((name) => !READY.test(name))).toEqual([]); // no partial .tmp, no claim left behind
  const ledger = new DeliveryStats(() => undefined);
  const spool = new Spool({ directory: spoolDir, maxBytes: 1 << 30, stats: ledger });
  let records = 0;
  for (const name of names) {
    const batch = { path: join(spoolDir, name), readyName: name, count: Number(READY.exec(name)![1]) };
    const read = spool.read(batch);
    expect(read.length).toBe(batch.count);
    records += read.length;
  }
  expect(ledger.snapshot().dropped.total).toBe(0);
  return records;
}

async function fillAndReplay(name: string, spoolDir: string, wrapper: string[]): Promise<void> {
  const prefix = `full-${name}`;
  const config = writeConfig(dir.path, faultToml({ target: refused, spoolDir, batchSize: 20, shutdownMs: 10_000 }), `${prefix}.toml`);
  const run = runChild(config, { mode: 'shutdown', prefix, count: COUNT, outputBytes: 400, delivery: { retry: { maxAttempts: 1 } } }, wrapper);
  const exit = await run.exited;
  expect(exit.code, run.stderr.join('')).toBe(0);
  const stats = statsOf(run.stdout);

  // The ledger of the writing process, against the disk.
  const onDisk = checkSpoolIntact(spoolDir);
  expect(stats.emitted).toBe(COUNT);
  expect(stats.exported).toBe(0);
  expect(stats.dropped.spool_full).toBeGreaterThan(0);
  expect(stats.dropped.total).toBe(stats.dropped.spool_full);
  expect(stats.pendingInSpool).toBe(onDisk);
  expect(stats.emitted).toBe(stats.exported + stats.pendingInSpool + stats.dropped.total);
  const warnings = run.stderr.join('').split('\n').filter((line) => line.includes('dropped ('));
  expect(warnings).toHaveLength(1);
  // The partial write really happened (the disk took part of a batch without an error) and was caught.
  expect(warnings[0]).toMatch(/dropped \(spool_full: .*disk full \((ENOSPC|EFBIG) after a short write of \d+ of \d+ bytes\)/);

  // The next run sends every batch on disk: none is corrupt, none arrives twice.
  const up = writeConfig(dir.path, faultToml({ target: receiver, spoolDir, shutdownMs: 5000 }), `${prefix}-up.toml`);
  const replay = runChild(up, { mode: 'replay', expect: onDisk, waitMs: 20_000 });
  expect((await replay.exited).code).toBe(0);
  const replayStats = statsOf(replay.stdout);
  expect(replayStats).toMatchObject({ replayed: onDisk, exported: onDisk, pendingInSpool: 0 - onDisk || 0, dropped: { total: 0 } });
  const t = tally(receiver, prefix, COUNT);
  expect(t.duplicated).toBe(0);
  expect(t.received).toBe(onDisk);
  expect(readdirSync(spoolDir).filter((n) => READY.test(n))).toEqual([]);
  // Across both processes: emitted = exported + pending + dropped.
  expect(stats.emitted).toBe(stats.exported + replayStats.exported + 0 + stats.dropped.total + replayStats.dropped.total);
  report(`spool on a full disk (${name}); next run replays`, { ...t, counted: stats.dropped.spool_full, corrupt: 0 }, [stats, replayStats]);
}

describe('a spool on a full disk', () => {
  it.runIf(isRoot || process.env['CI'])('a 68 KiB tmpfs: short writes and ENOSPC remove the partial file and count spool_full', async () => {
    if (!isRoot) throw new Error('this test mounts a tmpfs and must run as root in CI');
    const mount = join(dir.path, 'tmpfs');
    mkdirSync(mount);
    // 17 pages, a prime: whatever a batch weighs (2 to 16 pages), the last one that starts gets only part of
    // its bytes written, without an error.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=68k,mode=0700', 'tmpfs', mount]);
    mounts.push(mount);
    await fillAndReplay('tmpfs 68 KiB', join(mount, 'spool'), []);
  });

  it.runIf(hasPrlimit)('a per-file size limit (prlimit --fsize): short writes, then EFBIG, counted as spool_full', async () => {
    const spoolDir = join(dir.path, 'fsize-spool');
    // Each batch of 20 records is larger than 16 KiB: every spool write is cut short.
    await fillAndReplay('prlimit --fsize 16 KiB', spoolDir, ['prlimit', `--fsize=${16 * 1024}`]);
    expect(existsSync(spoolDir)).toBe(true);
  });
});
