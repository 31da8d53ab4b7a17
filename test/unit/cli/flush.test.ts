/**
 * `codex-otel flush` as a command: the same exit codes and --json as every other command, a missing
 * config said to be missing, "nothing to do" always exit 0, a hint when nothing answers, and a progress
 * bar on a terminal over a spool of many batches.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { emitNumbered, faultConfig, faultToml, startFaultTelemetry, tempDir, writeConfig } from '../../faults/support.js';

let receiver: OtlpReceiver;
const dir = tempDir();
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});

function capture(isTty = false): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), env: {}, isTty };
}

function fakeTerminal(): Writable & { isTTY: true; columns: number; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer | string, _encoding, done) { chunks.push(String(chunk)); done(); } });
  return Object.assign(stream, { isTTY: true as const, columns: 120, text: () => chunks.join('') });
}

async function spoolOf(batches: number, name: string): Promise<string> {
  const spoolDir = join(dir.path, name);
  const down = startFaultTelemetry(faultConfig({ target: `http://127.0.0.1:${await closedPort()}`, spoolDir, batchSize: 5 }), { delivery: { retry: { maxAttempts: 1 } } });
  emitNumbered(down, name, batches * 5);
  await down.shutdown();
  return spoolDir;
}

describe('codex-otel flush, the command', () => {
  it('a missing config file: said to be missing, exit 2, JSON with --json', async () => {
    const io = capture();
    expect(await main(['flush', '--config', join(dir.path, 'nope.toml'), '--json'], io)).toBe(2);
    expect(JSON.parse(io.lines.join('\n'))).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining('does not exist') }] });
    expect(io.errors.join('\n')).toContain('the config file does not exist');
  });

  it('nothing to do is exit 0 in every case, and JSON with --json', async () => {
    const none = join(dir.path, 'none.toml');
    writeFileSync(none, '[otel]\nexporter = "none"\n');
    const a = capture();
    expect(await main(['flush', '--config', none, '--json'], a)).toBe(0);
    expect(JSON.parse(a.lines.join('\n'))).toMatchObject({ ok: true, nothingToDo: expect.stringContaining('no network logs or trace exporter') });
    const empty = writeConfig(dir.path, faultToml({ target: receiver, spoolDir: join(dir.path, 'empty-spool') }), 'empty.toml');
    const b = capture();
    expect(await main(['flush', '--config', empty, '--json'], b)).toBe(0);
    expect(JSON.parse(b.lines.join('\n'))).toMatchObject({ ok: true, nothingToDo: expect.stringContaining('is empty') });
    const c = capture();
    expect(await main(['flush', '--config', empty], c)).toBe(0);
    expect(c.lines.join('\n')).toMatch(/^codex-otel flush: nothing to do: /);
  });

  it('nothing answers: the hint, exit 1, the batches kept', async () => {
    const spoolDir = await spoolOf(2, 'down');
    const port = await closedPort();
    const config = writeConfig(dir.path, faultToml({ target: `http://127.0.0.1:${port}`, spoolDir }), 'down.toml');
    const io = capture();
    expect(await main(['flush', '--config', config, '--json', '--time-limit', '300'], io)).toBe(1);
    const summary = JSON.parse(io.lines.join('\n')) as { ok: boolean; hint: string; remaining: { files: number } };
    expect(summary.ok).toBe(false);
    expect(summary.hint).toContain('is the collector running? try `npm run stack:up` or `docker compose up`');
    expect(summary.remaining.files).toBe(2);
    expect(io.errors.join('\n')).toContain(`nothing answers at 127.0.0.1:${port}`);
  });

  it('draws a bar on a terminal while it sends a spool of many batches; stays quiet otherwise', async () => {
    const spoolDir = await spoolOf(12, 'many');
    const config = writeConfig(dir.path, faultToml({ target: receiver, spoolDir }), 'many.toml');
    const terminal = fakeTerminal();
    const io = { ...capture(true), progressStream: terminal };
    expect(await main(['flush', '--config', config], io)).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(terminal.text()).toMatch(/flush \[[█░]+\] 100% 12\/12 batches/);
    expect(io.errors).toEqual([]);

    const quietSpool = await spoolOf(3, 'quiet');
    const quiet = capture(false);
    expect(await main(['flush', '--config', writeConfig(dir.path, faultToml({ target: receiver, spoolDir: quietSpool }), 'quiet.toml')], quiet)).toBe(0);
    expect(quiet.errors).toEqual([]);
  });

  it('a usage error with --json is JSON too (exit 2)', async () => {
    const io = capture();
    expect(await main(['flush', '--no-such-flag', '--json'], io)).toBe(2);
    expect(JSON.parse(io.lines.join('\n'))).toMatchObject({ ok: false, error: expect.stringContaining('--no-such-flag') });
  });
});
