/**
 * Spans have the delivery of log records: when the collector is down past the retry budget, or at the
 * shutdown bound, the batch goes to the spool and the next start sends it, as the same request (the same
 * trace and span ids, attributes, status, resource and scope: the same bytes on the wire). A process
 * killed mid-export leaves its spans written ahead, scrubbed. Real SDK export, real receivers, real
 * protobuf decoding; counts, never wall-clock bounds.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText, type Telemetry } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { generateSecretCorpus } from '../support/generated-secret-corpus.js';
import { attrMap } from '../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedRequest } from '../support/otlp-receiver.js';
import { faultToml, report, runChild, startFaultTelemetry, tempDir, writeConfig, type FaultConfig, type Transport } from './support.js';

let receiver: OtlpReceiver;
const dir = tempDir('codex-otel-span-spool-');
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => {
  await receiver?.close();
  dir.remove();
});
afterEach(() => {
  receiver.setBehaviour(undefined);
  receiver.reset();
});

const TRANSPORTS: Transport[] = ['http-proto', 'http-json', 'grpc'];

/** The fault config with `trace_exporter` on the same transport and receiver as the logs. */
function spanToml(c: FaultConfig & { transport: Transport }): string {
  const target = typeof c.target === 'string' ? c.target : c.transport === 'grpc' ? c.target.grpcUrl : c.target.httpUrl;
  const traces = c.transport === 'grpc'
    ? `{ otlp-grpc = { endpoint = "${target}" } }`
    : `{ otlp-http = { endpoint = "${target}/v1/traces", protocol = "${c.transport === 'http-json' ? 'json' : 'binary'}" } }`;
  return faultToml(c).replace('[otel.codex_otel]', `trace_exporter = ${traces}\n[otel.codex_otel]`);
}

function spanConfig(c: FaultConfig & { transport: Transport }) {
  const parsed = parseConfigText(spanToml(c), { env: {}, baseDir: process.cwd() });
  if (!parsed.config) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

/** A turn with `count` denied tool calls: `count` aborted tool spans and the turn span. */
function denials(telemetry: Telemetry, prefix: string, count: number): number {
  const session = telemetry.startSession({ conversationId: `conv-${prefix}`, model: 'gpt-5' });
  const turn = session.startTurn({ turnId: `turn-${prefix}` });
  for (let i = 0; i < count; i++) session.toolCallAborted({ toolName: 'exec_command', callId: `${prefix}-${i}` });
  turn.end();
  return count + 1;
}

const traceRequests = (outcome: ReceivedRequest['outcome']) => receiver.requests.filter((r) => r.signal === 'traces' && r.outcome === outcome);
const spanIds = (requests: readonly ReceivedRequest[]) => requests.flatMap((r) => r.spans.map((s) => `${s.traceId}/${s.spanId}`));

describe.each(TRANSPORTS)('spans, %s', (transport) => {
  it('collector down past the retry budget: spans spooled; the next start sends the very same requests', async () => {
    const prefix = `span-down-${transport}`;
    const spoolDir = join(dir.path, prefix);
    receiver.setBehaviour(({ signal }) => (signal === 'traces' ? { status: 503, message: 'down' } : undefined));
    const first = startFaultTelemetry(spanConfig({ transport, target: receiver, spoolDir, shutdownMs: 10_000 }), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const emitted = denials(first, prefix, 12);
    const firstResult = await first.shutdown();
    const refused = traceRequests('fault');
    expect(firstResult.delivery!.spans).toMatchObject({ emitted, spooled: emitted, pendingInSpool: emitted, inMemory: 0, exported: 0 });
    expect(readdirSync(spoolDir).filter((name) => name.startsWith('traces-')).length).toBe(refused.length);

    receiver.setBehaviour(undefined);
    const second = startFaultTelemetry(spanConfig({ transport, target: receiver, spoolDir }));
    await receiver.waitFor(() => traceRequests('accepted').length >= refused.length && spanIds(traceRequests('accepted')).length >= emitted, 20_000);
    const secondResult = await second.shutdown();
    const accepted = traceRequests('accepted');
    // The same requests, byte for byte: the spool kept every field of every span, and its resource and scope.
    const bodies = (requests: readonly ReceivedRequest[]) => requests.map((r) => r.body.toString('base64')).sort();
    expect(bodies(accepted)).toEqual(bodies(refused));
    expect(new Set(spanIds(accepted)).size).toBe(emitted);
    const tools = receiver.spans().filter((s) => s.name === 'exec_command');
    expect(tools.map((s) => attrMap(s.attributes)['call_id']?.value).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `${prefix}-${i}`).sort());
    expect(tools.every((s) => attrMap(s.attributes)['aborted']?.value === true)).toBe(true);
    expect(secondResult.delivery!.spans).toMatchObject({ replayed: emitted, exported: emitted, pendingInSpool: -emitted });
    expect(readdirSync(spoolDir).filter((name) => name.startsWith('traces-'))).toEqual([]);
    report(`spans: collector down (${transport}); the next start sends the same bytes`, { sent: emitted, received: new Set(spanIds(accepted)).size, duplicated: spanIds(accepted).length - new Set(spanIds(accepted)).size, requests: refused.length }, [firstResult.delivery!.spans, secondResult.delivery!.spans]);
  }, 60_000);
});

describe.each(['http-proto', 'grpc'] as const)('spans, collector back within the run, %s', (transport) => {
  it('the first batch that gets through ends the outage and the spooled spans follow; nothing is left', async () => {
    const prefix = `span-back-${transport}`;
    const spoolDir = join(dir.path, prefix);
    let down = true;
    receiver.setBehaviour(({ signal }) => (signal === 'traces' && down ? { status: 503 } : undefined));
    const telemetry = startFaultTelemetry(spanConfig({ transport, target: receiver, spoolDir, shutdownMs: 10_000 }), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const during = denials(telemetry, `${prefix}-a`, 10);
    await telemetry.forceFlush();
    expect(telemetry.deliveryStats().spans).toMatchObject({ emitted: during, spooled: during, pendingInSpool: during, inMemory: 0 });
    down = false;
    const after = denials(telemetry, `${prefix}-b`, 5);
    await receiver.waitFor(() => new Set(spanIds(traceRequests('accepted'))).size >= during + after, 20_000);
    const result = await telemetry.shutdown();
    const received = spanIds(traceRequests('accepted'));
    expect(new Set(received).size).toBe(during + after);
    expect(result.delivery!.spans).toMatchObject({ emitted: during + after, exported: during + after, replayed: during, pendingInSpool: 0, inMemory: 0 });
    expect(readdirSync(spoolDir).filter((name) => name.startsWith('traces-'))).toEqual([]);
    report(`spans: trace endpoint down, then back within the run (${transport})`, { sent: during + after, received: new Set(received).size, duplicated: received.length - new Set(received).size, spooled: during, replayed: result.delivery!.spans.replayed }, [result.delivery!.spans]);
  }, 60_000);
});

describe.each(['http-proto', 'grpc'] as const)('spans at the shutdown bound, %s', (transport) => {
  it('a black-holed trace endpoint: shutdown returns at its bound and spools what was pending; the next start sends it', async () => {
    const prefix = `span-hole-${transport}`;
    const spoolDir = join(dir.path, prefix);
    receiver.setBehaviour(({ signal }) => (signal === 'traces' ? { blackHole: true } : undefined));
    const first = startFaultTelemetry(spanConfig({ transport, target: receiver, spoolDir, shutdownMs: 800 }), { delivery: { replayOnStart: false } });
    const emitted = denials(first, prefix, 8);
    const sent = receiver.waitFor(() => traceRequests('blackHole').length > 0, 20_000);
    void first.forceFlush();
    await sent;
    const started = performance.now();
    const result = await first.shutdown();
    const shutdownMs = Math.round(performance.now() - started);
    expect(result.completed).toBe(false);
    expect(result.delivery!.spans).toMatchObject({ emitted, spooled: emitted, pendingInSpool: emitted, inMemory: 0 });
    const holed = spanIds(traceRequests('blackHole'));

    receiver.setBehaviour(undefined);
    const second = startFaultTelemetry(spanConfig({ transport, target: receiver, spoolDir }));
    await receiver.waitFor(() => spanIds(traceRequests('accepted')).length >= emitted, 20_000);
    const next = await second.shutdown();
    const received = spanIds(traceRequests('accepted'));
    expect(new Set(received)).toEqual(new Set(holed));
    expect(received.length).toBe(emitted);
    report(`spans: trace endpoint black-holed at the shutdown bound (${transport}); next start replays`, { sent: emitted, received: new Set(received).size, duplicated: received.length - new Set(received).size, shutdownMs, completed: result.completed }, [result.delivery!.spans, next.delivery!.spans]);
  }, 60_000);
});

describe('spans and the disk', () => {
  const corpus = generateSecretCorpus();
  const needles = [...new Set(corpus.planted.flatMap((s) => s.needles.flatMap((n) => [n, JSON.stringify(n).slice(1, -1)])))].map((n) => Buffer.from(n));
  const leaksIn = (buffers: Array<{ name: string; bytes: Buffer }>) => buffers.flatMap(({ name, bytes }) => needles.filter((n) => bytes.includes(n)).map((n) => `${name}: ${n.toString().slice(0, 24)}`));
  const spoolFiles = (spoolDir: string) => readdirSync(spoolDir).map((name) => ({ name, bytes: readFileSync(join(spoolDir, name)) }));

  it('SIGKILL mid-export: spans written ahead are scrubbed on disk, and the next start sends them', async () => {
    const prefix = 'span-kill';
    const spoolDir = join(dir.path, prefix);
    const errorsFile = join(dir.path, 'span-kill-errors.json');
    writeFileSync(errorsFile, JSON.stringify(corpus.planted.map((s) => s.texts.cut)));
    const config = writeConfig(dir.path, spanToml({ transport: 'http-proto', target: receiver, spoolDir, shutdownMs: 1000, delayMs: 50 }), 'span-kill.toml');
    receiver.setBehaviour(() => ({ blackHole: true }));
    const run = runChild(config, { mode: 'sigkill', spans: true, prefix, count: 5, errorsFile, waitMs: 400 });
    await run.waitForLine('emitted', 20_000);
    await receiver.waitFor(() => traceRequests('blackHole').length > 0, 20_000);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    const onDisk = spoolFiles(spoolDir);
    const spanFiles = onDisk.filter((f) => f.name.startsWith('traces-'));
    expect(spanFiles.length).toBeGreaterThan(0);
    expect(leaksIn(onDisk)).toEqual([]);
    // Scrubbed, not emptied: the status messages carry the markers.
    expect(spanFiles.map((f) => f.bytes.toString('utf8')).join('\n')).toContain('[REDACTED:');
    const left = spanFiles.reduce((n, f) => n + Number(/-n(\d+)\.jsonl/.exec(f.name)?.[1] ?? 0), 0);
    // A retry of the same batch (an export timeout on a very slow machine) would hold the same spans again.
    const holed = [...new Set(spanIds(traceRequests('blackHole')))];
    expect(left).toBe(holed.length);

    receiver.setBehaviour(undefined);
    const next = startFaultTelemetry(parseConfigText(readFileSync(config, 'utf8'), { env: {}, baseDir: process.cwd() }).config!);
    await receiver.waitFor(() => spanIds(traceRequests('accepted')).length >= left, 20_000);
    const result = await next.shutdown();
    const received = spanIds(traceRequests('accepted'));
    expect(new Set(received)).toEqual(new Set(holed));
    expect(leaksIn(traceRequests('accepted').map((r) => ({ name: `request ${r.id}`, bytes: r.body })))).toEqual([]);
    const killed = { emitted: left, exported: 0, pendingInSpool: left, dropped: { total: 0 } };
    report('spans: SIGKILL mid-export (secrets in status messages), next run replays', { sent: left, received: new Set(received).size, duplicated: received.length - new Set(received).size }, [killed, result.delivery!.spans]);
  }, 60_000);

  it('collector down: spans reach the spool and the traces file scrubbed, never raw', async () => {
    const prefix = 'span-disk';
    const spoolDir = join(dir.path, prefix);
    const fileDir = join(dir.path, `${prefix}-file`);
    const toml = `${spanToml({ transport: 'http-proto', target: receiver, spoolDir, shutdownMs: 30_000, batchSize: 64, delayMs: 10 })}file = { directory = "${fileDir}" }\n`;
    const parsed = parseConfigText(toml, { env: {}, baseDir: process.cwd() });
    expect(parsed.errors).toEqual([]);
    receiver.setBehaviour(() => ({ status: 503 }));
    const telemetry = startFaultTelemetry(parsed.config!, { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const session = telemetry.startSession({ conversationId: prefix, model: 'gpt-5' });
    const turn = session.startTurn();
    for (const secret of corpus.planted) session.apiRequest({ attempt: 0, durationMs: 1, status: 500, error: secret.texts.cut });
    const tool = session.startToolCall({ toolName: 'exec_command', callId: `${prefix}-1` });
    tool.end({ error: corpus.planted[0]!.texts.cut });
    turn.end();
    // A crash now: the spans are in memory only, and whatever the disk holds already must be clean.
    const before = [...(readdirSync(dir.path).includes(prefix) ? spoolFiles(spoolDir) : [])];
    expect(leaksIn(before)).toEqual([]);
    const result = await telemetry.shutdown();
    expect(result.delivery!.spans.spooled).toBeGreaterThan(corpus.planted.length);
    const spooled = spoolFiles(spoolDir).filter((f) => f.name.startsWith('traces-'));
    const files = readdirSync(fileDir).map((name) => ({ name, bytes: readFileSync(join(fileDir, name)) }));
    expect(spooled.length).toBeGreaterThan(0);
    expect(files.some((f) => f.name.startsWith('traces'))).toBe(true);
    expect(leaksIn(spooled)).toEqual([]);
    expect(leaksIn(files)).toEqual([]);
    // What the collector was offered is what was spooled: scrubbed too.
    expect(leaksIn(traceRequests('fault').map((r) => ({ name: `request ${r.id}`, bytes: r.body })))).toEqual([]);
    expect(spooled.map((f) => f.bytes.toString('utf8')).join('\n')).toContain('[REDACTED:');
  }, 60_000);

  it('codex-otel flush sends spooled spans (and their log records) through the configured exporters', async () => {
    const prefix = 'span-flush';
    const spoolDir = join(dir.path, prefix);
    receiver.setBehaviour(() => ({ status: 503 }));
    const down = startFaultTelemetry(spanConfig({ transport: 'http-proto', target: receiver, spoolDir }), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    const session = down.startSession({ conversationId: `conv-${prefix}`, model: 'gpt-5' });
    const turn = session.startTurn();
    for (let i = 0; i < 6; i++) session.toolResult({ toolName: 'shell', callId: `${prefix}-${i}`, arguments: 'ls', durationMs: 1, success: true, output: 'ok' });
    turn.end();
    const spooled = (await down.shutdown()).delivery!;
    expect(spooled.spans.spooled).toBeGreaterThan(6);
    expect(spooled.spooled).toBe(6);
    const refused = traceRequests('fault');

    receiver.setBehaviour(undefined);
    const lines: string[] = [];
    const io: CliIo = { out: (l) => lines.push(l), err: () => undefined, env: {}, isTty: false };
    const config = writeConfig(dir.path, spanToml({ transport: 'http-proto', target: receiver, spoolDir }), 'span-flush.toml');
    expect(await main(['flush', '--config', config, '--json'], io)).toBe(0);
    const summary = JSON.parse(lines.join('\n')) as { sent: { records: number }; spans: { sent: { records: number }; remaining: { files: number } }; ledger: { spans: { replayed: number } } };
    expect(summary.sent.records).toBe(6);
    expect(summary.spans.sent.records).toBe(spooled.spans.spooled);
    expect(summary.spans.remaining.files).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
    const accepted = traceRequests('accepted');
    expect(accepted.map((r) => r.body.toString('base64')).sort()).toEqual(refused.map((r) => r.body.toString('base64')).sort());
    // The log records still point at the spans they were emitted in.
    const spanSet = new Set(receiver.spans().map((s) => s.spanId));
    const toolLogs = receiver.logs().filter((l) => attrMap(l.attributes)['call_id']?.value?.toString().startsWith(prefix));
    expect(toolLogs).toHaveLength(6);
    expect(toolLogs.every((l) => spanSet.has(l.spanId))).toBe(true);
    const flushLedger = summary.ledger.spans as unknown as { emitted: number; exported: number; pendingInSpool: number; dropped: { total: number } };
    report('spans: codex-otel flush (collector down, then up)', { sent: spooled.spans.spooled, received: spanSet.size, duplicated: 0 }, [spooled.spans, flushLedger]);
  }, 60_000);

  it('codex-otel flush without a trace exporter keeps the span batches and says why', async () => {
    const prefix = 'span-stranded';
    const spoolDir = join(dir.path, prefix);
    receiver.setBehaviour(({ signal }) => (signal === 'traces' ? { status: 503 } : undefined));
    const down = startFaultTelemetry(spanConfig({ transport: 'http-proto', target: receiver, spoolDir }), { delivery: { retry: { maxAttempts: 1 }, replayOnStart: false } });
    denials(down, prefix, 3);
    expect((await down.shutdown()).delivery!.spans.pendingInSpool).toBe(4);
    const lines: string[] = [];
    const io: CliIo = { out: (l) => lines.push(l), err: () => undefined, env: {}, isTty: false };
    const config = writeConfig(dir.path, faultToml({ target: receiver, spoolDir }), 'span-stranded.toml');
    expect(await main(['flush', '--config', config, '--json'], io)).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ ok: true, nothingToDo: expect.stringContaining('no trace_exporter is configured') });
    expect(readdirSync(spoolDir).filter((name) => name.startsWith('traces-'))).toHaveLength(1);
  }, 60_000);
});
