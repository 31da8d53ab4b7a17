/**
 * `codex-otel simulate`: reproducible by seed, covers every event and shape of the contract, and its
 * summary agrees with what arrives in the file output and at a real OTLP receiver.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, EVENT_NAMES } from '../../../src/events/catalog.js';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { formatSummary, type SimulateSummary } from '../../../src/cli/simulate/simulate.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
}

function captureIo(isTty = false): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), env: {}, isTty };
}

type Value = string | number | boolean;
interface FileRecord { name: string; attributes: Record<string, Value>; types: Record<string, string> }

/** Reads the OTLP/JSON lines of logs.jsonl into records with plain attributes (and their OTLP value types). */
function readLogs(dir: string): FileRecord[] {
  const records: FileRecord[] = [];
  for (const line of readFileSync(join(dir, 'logs.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const request = JSON.parse(line) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes: Array<{ key: string; value: Record<string, Value> }> }> }> }> };
    for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
      const attributes: Record<string, Value> = {};
      const types: Record<string, string> = {};
      for (const { key, value } of lr.attributes) {
        const [type, v] = Object.entries(value)[0]!;
        attributes[key] = v!;
        types[key] = type;
      }
      records.push({ name: String(attributes['event.name']), attributes, types });
    }
  }
  return records;
}

function countMetricPoints(dir: string): number {
  let points = 0;
  for (const line of readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const request = JSON.parse(line) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<Record<string, { dataPoints?: unknown[] }>> }> }> };
    for (const rm of request.resourceMetrics) for (const sm of rm.scopeMetrics) for (const metric of sm.metrics) {
      for (const data of Object.values(metric)) if (data && typeof data === 'object' && Array.isArray(data.dataPoints)) points += data.dataPoints.length;
    }
  }
  return points;
}

/** What must not depend on the clock: everything but timestamps and measured durations. */
function stable(records: FileRecord[]): string[] {
  return records.map((r) => {
    const { ['event.timestamp']: _t, duration_ms: _d, ['codex_otel.record_id']: _id, ...rest } = r.attributes;
    return JSON.stringify(rest);
  });
}

let root: string;

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
let counter = 0;
const freshDir = () => join(root, `run-${counter++}`);

async function simulate(...args: string[]): Promise<{ code: number; summary: SimulateSummary; io: Captured }> {
  const io = captureIo();
  const code = await main(['simulate', '--json', ...args], io);
  const summary = JSON.parse(io.stdout.join('\n')) as SimulateSummary;
  return { code, summary, io };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'codex-otel-simulate-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('codex-otel simulate', () => {
  let dir: string;
  let run: { code: number; summary: SimulateSummary };
  let records: FileRecord[];

  beforeAll(async () => {
    dir = freshDir();
    run = await simulate('--out', dir, '--seed', '7');
    records = readLogs(dir);
  });

  it('exports everything it emitted into the file output, and says so', () => {
    const { summary } = run;
    expect(run.code).toBe(0);
    expect(summary.sessions).toBe(5);
    expect(summary.events.total).toBeGreaterThan(300);
    expect(records).toHaveLength(summary.events.total);
    // One set of numbers: the pipeline's own ledger, one destination (the file) here.
    expect(summary.delivery).toMatchObject({ exported: summary.events.total, spooled: 0, dropped: { total: 0 } });
    expect(summary.destinations.map((d) => d.signal)).toEqual(['logs', 'metrics']);
    const byName: Record<string, number> = {};
    for (const r of records) byName[r.name] = (byName[r.name] ?? 0) + 1;
    expect(byName).toEqual(summary.events.byName);
    expect(countMetricPoints(dir)).toBeGreaterThan(0);
    expect(summary.shutdown).toMatchObject({ completed: true, boundMs: 2000 });
  });

  it('covers every event name and every shape of the contract', () => {
    expect(Object.keys(run.summary.events.byShape).sort()).toEqual(Object.keys(CATALOG).sort());
    expect(new Set(records.map((r) => r.name))).toEqual(new Set(EVENT_NAMES));
    const sse = records.filter((r) => r.name === 'codex.sse_event').map((r) => r.attributes);
    // the four shapes, told apart on the wire
    expect(sse.some((a) => a['event.kind'] === 'response.output_text.delta' && 'duration_ms' in a && !('error.message' in a))).toBe(true);
    expect(sse.some((a) => 'error.message' in a && 'duration_ms' in a && a['event.kind'] !== 'response.completed')).toBe(true);
    expect(sse.some((a) => 'error.message' in a && 'duration_ms' in a && !('event.kind' in a))).toBe(true);
    expect(sse.some((a) => a['event.kind'] === 'response.completed' && 'input_token_count' in a && !('duration_ms' in a))).toBe(true);
    expect(sse.some((a) => a['event.kind'] === 'response.completed' && 'error.message' in a && !('duration_ms' in a))).toBe(true);
  });

  it('has the cases the issue asks for', () => {
    const of = (name: string) => records.filter((r) => r.name === name).map((r) => r.attributes);
    const api = of('codex.api_request');
    expect(api.some((a) => a['http.response.status_code'] === 429)).toBe(true);
    expect(api.some((a) => a['http.response.status_code'] === 500)).toBe(true);
    expect(api.some((a) => Number(a['attempt']) >= 2 && a['http.response.status_code'] === 200)).toBe(true);
    const decisions = of('codex.tool_decision');
    expect(new Set(decisions.map((a) => a['source']))).toEqual(new Set(['Config', 'User', 'AutomatedReviewer']));
    for (const decision of ['approved', 'denied', 'approved_for_session', 'abort', 'timed_out']) {
      expect(decisions.map((a) => a['decision'])).toContain(decision);
    }
    const sandbox = of('codex.sandbox_outcome');
    expect(sandbox.some((a) => a['outcome'] === 'denied')).toBe(true);
    expect(sandbox.some((a) => a['outcome'] === 'escalated' && Number(a['escalated_duration_ms']) > 0)).toBe(true);
    const results = of('codex.tool_result');
    expect(results.some((a) => a['mcp_server'] !== '' && a['mcp_server_origin'] !== '')).toBe(true);
    expect(results.some((a) => a['success'] === 'false')).toBe(true);
    expect(results.every((a) => !/sk-proj-[0-9a-f]{40}/.test(String(a['arguments'])))).toBe(true);
    expect(of('codex.conversation_starts').some((a) => a['sandbox_policy'] === 'danger-full-access' && a['approval_policy'] === 'never')).toBe(true);
    expect(of('codex.websocket_connect').map((a) => a['success'])).toEqual(expect.arrayContaining(['true', 'false']));
    expect(of('codex.websocket_request').length).toBeGreaterThan(0);
    // Codex 0.169 logs no codex.websocket_event records (only its metrics remain).
    expect(of('codex.websocket_event')).toEqual([]);
    expect(of('codex.user_prompt').every((a) => a['prompt'] === '[REDACTED]' && Number(a['prompt_length']) > 0)).toBe(true);
  });

  it('keeps the contract types (str-num as strings, ints as ints)', () => {
    const completed = records.find((r) => r.name === 'codex.sse_event' && 'input_token_count' in r.attributes)!;
    expect(completed.types).toMatchObject({ input_token_count: 'stringValue', cached_token_count: 'intValue', tool_token_count: 'stringValue' });
    const api = records.find((r) => r.name === 'codex.api_request')!;
    expect(api.types).toMatchObject({ duration_ms: 'stringValue', attempt: 'intValue', 'auth.header_attached': 'boolValue' });
  });

  it('is reproducible: the same seed gives the same events and values, another seed does not', async () => {
    const again = freshDir();
    await simulate('--out', again, '--seed', '7');
    expect(stable(readLogs(again))).toEqual(stable(records));
    const other = freshDir();
    await simulate('--out', other, '--seed', '8');
    expect(stable(readLogs(other))).not.toEqual(stable(records));
  });

  it('replaces only the files it writes by default; --append keeps them', async () => {
    const target = freshDir();
    await simulate('--out', target, '--sessions', '1', '--seed', '5');
    writeFileSync(join(target, 'notes.txt'), 'keep me');
    writeFileSync(join(target, 'logs.3.jsonl'), 'old rotated file\n');
    const { summary } = await simulate('--out', target, '--sessions', '1', '--seed', '5');
    expect(summary.replaced).toEqual(['logs.3.jsonl', 'logs.jsonl', 'metrics.jsonl']);
    expect(readLogs(target)).toHaveLength(summary.events.total);
    expect(existsSync(join(target, 'notes.txt'))).toBe(true);
    expect(existsSync(join(target, 'logs.3.jsonl'))).toBe(false);
    const appended = await simulate('--out', target, '--sessions', '1', '--seed', '5', '--append');
    expect(appended.summary.replaced).toBeUndefined();
    expect(readLogs(target)).toHaveLength(2 * summary.events.total);
  });

  it('draws fresh ids every run unless --seed is given, and says how to repeat the run', async () => {
    const first = freshDir();
    const a = await simulate('--out', first, '--sessions', '1');
    const second = freshDir();
    const b = await simulate('--out', second, '--sessions', '1');
    expect(a.summary.seedGiven).toBe(false);
    const ids = (dir: string) => new Set(readLogs(dir).map((r) => String(r.attributes['conversation.id'])));
    const shared = [...ids(first)].filter((id) => ids(second).has(id));
    expect(shared).toEqual([]);
    const again = freshDir();
    const c = await simulate('--out', again, '--sessions', '1', '--seed', String(a.summary.seed));
    expect(c.summary.seedGiven).toBe(true);
    expect(ids(again)).toEqual(ids(first));
    expect(b.summary.seed).not.toBe(a.summary.seed);
  });

  it('prints a readable summary by default', async () => {
    const io = captureIo();
    const code = await main(['simulate', '--out', freshDir(), '--sessions', '3'], io);
    expect(code).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/^simulated 3 conversation\(s\), seed \d+: [\d,]+ events in/m);
    expect(text).toMatch(/^fresh ids for this run; `--seed \d+` repeats it$/m);
    expect(text).toMatch(/codex\.sse_event +[\d,]+ +\(chunk [\d,]+, chunk failed [\d,]+, completed [\d,]+, completed failed [\d,]+\)/);
    expect(text).toMatch(/^ {2}logs +file .*logs\.jsonl$/m);
    expect(text).toMatch(/^ {2}exported +[\d,]+$/m);
    expect(text).toMatch(/^ {2}dropped +0$/m);
    expect(text).toMatch(/^shutdown: \d+ ms \(bound 2000 ms\)$/m);
    // One line per number: never "0 dropped" and "591 dropped" side by side.
    expect(text.match(/dropped/g)).toHaveLength(1);
  });

  it('rejects bad options with exit 2', async () => {
    const io = captureIo();
    expect(await main(['simulate', '--sessions', 'zero', '--out', freshDir()], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('--sessions must be an integer');
    expect(await main(['simulate', '--endpoint', 'ftp://x', '--out', freshDir()], captureIo())).toBe(2);
  });
});

describe('simulate against a real OTLP receiver', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('--endpoint sends logs, metrics and spans over OTLP/HTTP; the summary matches what arrives', async () => {
    const dir = freshDir();
    const { code, summary } = await simulate('--endpoint', receiver.httpUrl, '--out', dir, '--sessions', '3');
    expect(code).toBe(0);
    const logs = await receiver.waitFor(() => receiver.logs().length >= summary.events.total && receiver.logs());
    expect(logs).toHaveLength(summary.events.total);
    const network = summary.destinations.filter((e) => e.target.startsWith('otlp-http'));
    expect(network.map((e) => e.signal).sort()).toEqual(['logs', 'metrics', 'traces']);
    // Two log destinations (the receiver and the file): each record is counted once per destination.
    expect(summary.delivery).toMatchObject({ exported: 2 * summary.events.total, spooled: 0, dropped: { total: 0 } });
    expect(summary.unreachable).toEqual([]);
    expect(receiver.metrics().reduce((sum, metric) => sum + metric.points.length, 0)).toBeGreaterThan(0);
    expect(receiver.errors()).toEqual([]);
    // the file output beside it got the same records
    expect(readLogs(dir)).toHaveLength(summary.events.total);
    const service = logs[0]!.resource['service.name'];
    expect(service).toEqual({ type: 'string', value: 'codex_otel_simulate' });
  });

  it('spans are part of the delivery: a trace endpoint that drops every span is a loss, shown and exit 1', async () => {
    const tracesRejected = await startOtlpReceiver({ behaviour: ({ signal }) => (signal === 'traces' ? { status: 400 } : undefined) });
    try {
      const config = join(root, 'traces-rejected.toml');
      writeFileSync(config, [
        '[otel]',
        `exporter = { otlp-http = { endpoint = "${tracesRejected.logsUrl}", protocol = "binary" } }`,
        `trace_exporter = { otlp-http = { endpoint = "${tracesRejected.tracesUrl}", protocol = "binary" } }`,
        '',
      ].join('\n'));
      const io = captureIo();
      const code = await main(['simulate', '--json', '--config', config, '--sessions', '2'], io);
      const summary = JSON.parse(io.stdout.join('\n')) as SimulateSummary & { ok: boolean };
      // Every log record got through; every span was refused as invalid (400: dropped and counted).
      expect(summary.delivery).toMatchObject({ exported: summary.events.total, dropped: { total: 0 } });
      expect(summary.delivery.spans.emitted).toBeGreaterThan(0);
      expect(summary.delivery.spans.dropped).toMatchObject({ rejected: summary.delivery.spans.emitted, total: summary.delivery.spans.emitted });
      expect(summary.ok).toBe(false);
      expect(code).toBe(1);
      expect(summary.destinations.filter((d) => d.signal === 'traces').map((d) => d.target)).toEqual([`otlp-http ${tracesRejected.tracesUrl}`]);
      // The text summary has a block of its own for spans, with the drops by reason.
      const text = formatSummary(summary);
      const spansAt = text.indexOf('delivery of spans (telemetry.deliveryStats().spans)');
      expect(spansAt).toBeGreaterThan(0);
      const dropped = text.slice(spansAt).find((line) => line.trimStart().startsWith('dropped'));
      expect(dropped).toContain(`(rejected ${summary.delivery.spans.emitted.toLocaleString('en-US')})`);
    } finally {
      await tracesRejected.close();
    }
  });

  it('counts export failures and exits 1', async () => {
    const failing = await startOtlpReceiver({ behaviour: () => ({ status: 400 }) });
    try {
      const { code, summary } = await simulate('--endpoint', failing.httpUrl, '--sessions', '1', '--out', freshDir());
      // The file got every record; the collector rejected every one (400: not retried, dropped and counted).
      expect(summary.delivery.exported).toBe(summary.events.total);
      expect(summary.delivery.dropped.rejected).toBe(summary.events.total);
      expect(code).toBe(1);
    } finally {
      await failing.close();
    }
  });

  it('a collector that is not running: the hint at once, the 2 s shutdown bound, every loss counted, exit 1', async () => {
    const port = await closedPort();
    const io = captureIo();
    const code = await main(['simulate', '--json', '--endpoint', `http://127.0.0.1:${port}`, '--out', freshDir(), '--sessions', '1'], io);
    const summary = JSON.parse(io.stdout.join('\n')) as SimulateSummary & { ok: boolean };
    expect(code).toBe(1);
    expect(summary.ok).toBe(false);
    expect(io.stderr.join('\n')).toContain(`nothing answers at 127.0.0.1:${port} (ECONNREFUSED): is the collector running? try \`npm run stack:up\` or \`docker compose up\``);
    expect(summary.unreachable.map((u) => u.address)).toEqual([`127.0.0.1:${port}`]);
    expect(summary.shutdown.boundMs).toBe(2000);
    // the file got every record; what the collector never got is counted as dropped, not spooled into the user's spool
    expect(summary.delivery.exported).toBe(summary.events.total);
    expect(summary.delivery.spooled).toBe(0);
    expect(summary.delivery.dropped.total).toBe(summary.events.total);
  });

  it('counts drops when the batch queue overflows (emitted = exported + failed + dropped)', async () => {
    const config = join(root, 'tiny-queue.toml');
    writeFileSync(config, [
      '[otel]',
      `exporter = { otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "binary" } }`,
      '[otel.codex_otel]',
      'log_queue_size = 16',
      'log_batch_size = 8',
      'log_schedule_delay_ms = 60000',
    ].join('\n'));
    receiver.reset();
    const { code, summary } = await simulate('--config', config, '--sessions', '2');
    expect(summary.delivery.dropped.queue_full).toBeGreaterThan(0);
    expect(summary.delivery.exported + summary.delivery.dropped.total).toBe(summary.events.total);
    await receiver.waitFor(() => receiver.logs().length >= summary.delivery.exported);
    expect(receiver.logs()).toHaveLength(summary.delivery.exported);
    expect(code).toBe(1);
  });
});

describe('sustained load', () => {
  /** A terminal as cli-progress sees one: a TTY stream with columns, recording what is drawn. */
  function fakeTerminal(): Writable & { isTTY: true; columns: number; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({ write(chunk: Buffer | string, _encoding, done) { chunks.push(String(chunk)); done(); } });
    return Object.assign(stream, { isTTY: true as const, columns: 120, text: () => chunks.join('') });
  }

  it('--rate with --duration paces the events, keeps starting conversations, and draws a bar on a terminal', async () => {
    const terminal = fakeTerminal();
    const io = { ...captureIo(true), progressStream: terminal };
    const code = await main(['simulate', '--json', '--out', freshDir(), '--rate', '400', '--duration', '1.5'], io);
    const summary = JSON.parse(io.stdout.join('\n')) as SimulateSummary;
    expect(code).toBe(0);
    expect(summary.runMs).toBeGreaterThanOrEqual(1400);
    expect(summary.events.total).toBeGreaterThan(400 * 1.5 * 0.6);
    expect(summary.events.total).toBeLessThan(400 * 1.5 * 1.3 + 50);
    expect(summary.sessions).toBeGreaterThanOrEqual(1);
    // drawn by the progress library on the terminal stream, never on stdout, ending at the full duration
    const drawn = terminal.text();
    expect(drawn).toMatch(/simulate \[[█░]+\] \d+% \d+(\.\d+)?\/1\.5 s · \d+ conversations · [\d,]+ events/);
    expect(drawn).toMatch(/100% /);
    expect(io.stdout.join('\n')).not.toContain('simulate [');
  });

  it('stays quiet when not on a terminal', async () => {
    const io = captureIo(false);
    expect(await main(['simulate', '--json', '--out', freshDir(), '--duration', '0.5'], io)).toBe(0);
    expect(io.stderr).toEqual([]);
  });
});
