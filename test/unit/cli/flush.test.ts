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
import { parseConfigText, type Telemetry } from '../../../src/index.js';
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

/** A config with a logs and/or a trace exporter (OTLP/HTTP protobuf) and a spool; the other signals off. */
function signalsToml(c: { logs?: string; traces?: string; spoolDir: string }): string {
  return [
    '[otel]',
    `exporter = ${c.logs ? `{ otlp-http = { endpoint = "${c.logs}", protocol = "binary" } }` : '"none"'}`,
    `trace_exporter = ${c.traces ? `{ otlp-http = { endpoint = "${c.traces}", protocol = "binary" } }` : '"none"'}`,
    '[otel.codex_otel]',
    'shutdown_timeout_ms = 1000',
    'log_schedule_delay_ms = 50',
    `spool = { directory = "${c.spoolDir}", max_bytes = ${64 * 1024 * 1024} }`,
  ].join('\n') + '\n';
}

function tomlConfig(toml: string) {
  const parsed = parseConfigText(toml, { env: {}, baseDir: process.cwd() });
  if (!parsed.config) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

/** A turn with `count` calls denied by their decision: `count` aborted tool spans and the turn span (returns the span count). */
function deniedCalls(telemetry: Telemetry, prefix: string, count: number): number {
  const session = telemetry.startSession({ conversationId: `conv-${prefix}`, model: 'gpt-5' });
  const turn = session.startTurn({ turnId: `turn-${prefix}` });
  for (let i = 0; i < count; i++) session.toolDecision({ toolName: 'exec_command', callId: `${prefix}-${i}`, decision: 'denied', source: 'User' });
  turn.end();
  return count + 1;
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

  it('--json has one block per configured signal, each with its endpoint and counts; only a trace exporter: no logs endpoint anywhere', async () => {
    const spoolDir = join(dir.path, 'traces-only');
    const down = `http://127.0.0.1:${await closedPort()}`;
    const spooling = startFaultTelemetry(tomlConfig(signalsToml({ traces: `${down}/v1/traces`, spoolDir })), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const spooled = deniedCalls(spooling, 'traces-only', 3);
    expect((await spooling.shutdown()).delivery!.spans.pendingInSpool).toBe(spooled);

    const batches = readdirSync(spoolDir).length;
    receiver.reset();
    const io = capture();
    const config = writeConfig(dir.path, signalsToml({ traces: receiver.tracesUrl, spoolDir }), 'traces-only.toml');
    expect(await main(['flush', '--config', config, '--json'], io)).toBe(0);
    const summary = JSON.parse(io.lines.join('\n')) as Record<string, unknown>;
    expect(summary).not.toHaveProperty('endpoint');
    expect(summary).not.toHaveProperty('logs');
    expect(summary['spans']).toEqual({
      endpoint: receiver.tracesUrl,
      before: { files: batches, records: spooled },
      sent: { records: spooled, batches },
      failed: { records: 0, batches: 0 },
      dropped: 0,
      remaining: { files: 0, records: 0 },
    });
    // The top-level counts are the log records' (none here), never the spans'.
    expect(summary).toMatchObject({ ok: true, before: { records: 0 }, sent: { records: 0, batches: 0 } });
    const received = await receiver.waitFor(() => receiver.spans().length >= spooled && receiver.spans());
    expect(received).toHaveLength(spooled);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('--json with both exporters: logs and spans blocks with their own endpoints; the documented top level mirrors the logs block', async () => {
    const spoolDir = join(dir.path, 'both');
    const down = `http://127.0.0.1:${await closedPort()}`;
    const spooling = startFaultTelemetry(tomlConfig(signalsToml({ logs: `${down}/v1/logs`, traces: `${down}/v1/traces`, spoolDir })), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const spans = deniedCalls(spooling, 'both', 2);
    const stats = (await spooling.shutdown()).delivery!;
    expect(stats.spans.pendingInSpool).toBe(spans);
    const records = stats.pendingInSpool;
    expect(records).toBeGreaterThan(0);

    receiver.reset();
    const io = capture();
    const config = writeConfig(dir.path, signalsToml({ logs: receiver.logsUrl, traces: receiver.tracesUrl, spoolDir }), 'both.toml');
    expect(await main(['flush', '--config', config, '--json'], io)).toBe(0);
    const summary = JSON.parse(io.lines.join('\n')) as Record<string, Record<string, unknown>>;
    expect(summary['logs']).toMatchObject({ endpoint: receiver.logsUrl, before: { records: records }, sent: { records: records }, remaining: { files: 0, records: 0 } });
    expect(summary['spans']).toMatchObject({ endpoint: receiver.tracesUrl, before: { records: spans }, sent: { records: spans }, remaining: { files: 0, records: 0 } });
    const { endpoint, before, sent, failed, dropped, remaining } = summary as Record<string, unknown>;
    expect({ endpoint, before, sent, failed, dropped, remaining }).toEqual(summary['logs']);
    await receiver.waitFor(() => receiver.logs().length >= records && receiver.spans().length >= spans);
    expect(readdirSync(spoolDir)).toEqual([]);

    // The text output names each signal's endpoint beside its own counts.
    const text = capture();
    const respooling = startFaultTelemetry(tomlConfig(signalsToml({ logs: `${down}/v1/logs`, traces: `${down}/v1/traces`, spoolDir })), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const textSpans = deniedCalls(respooling, 'both-text', 1);
    await respooling.shutdown();
    expect(await main(['flush', '--config', config], text)).toBe(0);
    expect(text.lines.some((line) => line.startsWith(`sent ${textSpans} span(s) in `) && line.endsWith(` to ${receiver.tracesUrl}`))).toBe(true);
    expect(text.lines.some((line) => line.startsWith('sent ') && line.includes('record(s)') && line.endsWith(` to ${receiver.logsUrl}`))).toBe(true);
  });

  it('a logs endpoint that never answers does not use up the time limit of the spans: they are sent, exit 1 for the logs', async () => {
    const spoolDir = join(dir.path, 'logs-hang');
    const down = `http://127.0.0.1:${await closedPort()}`;
    // Three runs, so several span batches: the old sequential flush gave the spans what the logs left of
    // the limit, which was enough to start one batch and no more.
    let spans = 0;
    let records = 0;
    for (let run = 0; run < 3; run++) {
      const spooling = startFaultTelemetry(tomlConfig(signalsToml({ logs: `${down}/v1/logs`, traces: `${down}/v1/traces`, spoolDir })), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
      spans += deniedCalls(spooling, `logs-hang-${run}`, 2);
      records += (await spooling.shutdown()).delivery!.pendingInSpool;
    }
    expect(readdirSync(spoolDir).filter((name) => name.startsWith('traces-')).length).toBeGreaterThanOrEqual(3);
    expect(records).toBeGreaterThan(0);

    receiver.reset();
    receiver.setBehaviour((request) => (request.signal === 'logs' ? { blackHole: true } : undefined));
    try {
      const io = capture();
      const config = writeConfig(dir.path, signalsToml({ logs: receiver.logsUrl, traces: receiver.tracesUrl, spoolDir }), 'logs-hang.toml');
      expect(await main(['flush', '--config', config, '--json', '--time-limit', '2000'], io)).toBe(1);
      const summary = JSON.parse(io.lines.join('\n')) as Record<string, Record<string, unknown>>;
      expect(summary['spans']).toMatchObject({ sent: { records: spans }, failed: { records: 0, batches: 0 }, remaining: { files: 0, records: 0 } });
      expect(summary['logs']).toMatchObject({ sent: { records: 0 }, remaining: { records } });
      expect(receiver.spans()).toHaveLength(spans);
    } finally {
      receiver.setBehaviour(undefined);
    }
  }, 60_000);

  it('a usage error with --json is JSON too (exit 2)', async () => {
    const io = capture();
    expect(await main(['flush', '--no-such-flag', '--json'], io)).toBe(2);
    expect(JSON.parse(io.lines.join('\n'))).toMatchObject({ ok: false, error: expect.stringContaining('--no-such-flag') });
  });
});
