/**
 * `codex-otel simulate`: reproducible by seed, covers every event and shape of the contract, and its
 * summary agrees with what arrives in the file output and at a real OTLP receiver.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, EVENT_NAMES } from '../../../src/events/catalog.js';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import type { SimulateSummary } from '../../../src/cli/simulate/simulate.js';
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
    const { ['event.timestamp']: _t, duration_ms: _d, ...rest } = r.attributes;
    return JSON.stringify(rest);
  });
}

let root: string;
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
    const logs = summary.exporters.find((e) => e.signal === 'logs')!;
    expect(logs).toMatchObject({ exported: summary.events.total, failed: 0, dropped: 0 });
    const byName: Record<string, number> = {};
    for (const r of records) byName[r.name] = (byName[r.name] ?? 0) + 1;
    expect(byName).toEqual(summary.events.byName);
    const metrics = summary.exporters.find((e) => e.signal === 'metrics')!;
    expect(metrics.exported).toBeGreaterThan(0);
    expect(metrics.exported).toBe(countMetricPoints(dir));
    expect(summary.shutdown.completed).toBe(true);
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

  it('--fresh removes only the files it writes', async () => {
    const target = freshDir();
    await simulate('--out', target, '--sessions', '1');
    writeFileSync(join(target, 'notes.txt'), 'keep me');
    writeFileSync(join(target, 'logs.3.jsonl'), 'old rotated file\n');
    await simulate('--out', target, '--sessions', '1');
    const twice = readLogs(target).length;
    const { summary } = await simulate('--out', target, '--sessions', '1', '--fresh');
    expect(readLogs(target)).toHaveLength(summary.events.total);
    expect(twice).toBe(2 * summary.events.total);
    expect(existsSync(join(target, 'notes.txt'))).toBe(true);
    expect(existsSync(join(target, 'logs.3.jsonl'))).toBe(false);
  });

  it('prints a readable summary by default', async () => {
    const io = captureIo();
    const code = await main(['simulate', '--out', freshDir(), '--sessions', '3'], io);
    expect(code).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/^simulated 3 conversation\(s\), seed 1: [\d,]+ events in/m);
    expect(text).toMatch(/codex\.sse_event +[\d,]+ +\(chunk [\d,]+, chunk failed [\d,]+, completed [\d,]+, completed failed [\d,]+\)/);
    expect(text).toMatch(/logs +[\d,]+ records exported, 0 failed, 0 dropped/);
    expect(text).toMatch(/metrics +[\d,]+ data points exported, 0 failed/);
    expect(text).toMatch(/^shutdown: \d+ ms$/m);
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

  it('--endpoint sends logs and metrics over OTLP/HTTP; the summary matches what arrives', async () => {
    const dir = freshDir();
    const { code, summary } = await simulate('--endpoint', receiver.httpUrl, '--out', dir, '--sessions', '3');
    expect(code).toBe(0);
    const logs = await receiver.waitFor(() => receiver.logs().length >= summary.events.total && receiver.logs());
    expect(logs).toHaveLength(summary.events.total);
    const network = summary.exporters.filter((e) => e.target.startsWith('otlp-http'));
    expect(network.map((e) => e.signal).sort()).toEqual(['logs', 'metrics']);
    const points = receiver.metrics().reduce((sum, metric) => sum + metric.points.length, 0);
    expect(points).toBe(network.find((e) => e.signal === 'metrics')!.exported);
    expect(receiver.errors()).toEqual([]);
    // the file output beside it got the same records
    expect(readLogs(dir)).toHaveLength(summary.events.total);
    const service = logs[0]!.resource['service.name'];
    expect(service).toEqual({ type: 'string', value: 'codex_otel_simulate' });
  });

  it('counts export failures and exits 1', async () => {
    const failing = await startOtlpReceiver({ behaviour: () => ({ status: 400 }) });
    try {
      const { code, summary } = await simulate('--endpoint', failing.httpUrl, '--sessions', '1', '--out', freshDir());
      const network = summary.exporters.find((e) => e.signal === 'logs' && e.target.startsWith('otlp-http'))!;
      expect(network.failed).toBe(summary.events.total);
      expect(network.exported).toBe(0);
      expect(network.firstError).toBeTruthy();
      expect(code).toBe(1);
    } finally {
      await failing.close();
    }
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
    const logs = summary.exporters.find((e) => e.signal === 'logs')!;
    expect(logs.dropped).toBeGreaterThan(0);
    expect(logs.exported + logs.failed + logs.dropped!).toBe(summary.events.total);
    await receiver.waitFor(() => receiver.logs().length >= logs.exported);
    expect(receiver.logs()).toHaveLength(logs.exported);
    expect(code).toBe(1);
  });
});

describe('sustained load', () => {
  it('--rate with --duration paces the events and keeps starting conversations', async () => {
    const io = captureIo(true);
    const started = performance.now();
    const code = await main(['simulate', '--json', '--out', freshDir(), '--rate', '400', '--duration', '1.5'], io);
    const elapsed = performance.now() - started;
    const summary = JSON.parse(io.stdout.join('\n')) as SimulateSummary;
    expect(code).toBe(0);
    expect(elapsed).toBeGreaterThan(1400);
    expect(summary.runMs).toBeLessThan(4000);
    expect(summary.events.total).toBeGreaterThan(400 * 1.5 * 0.6);
    expect(summary.events.total).toBeLessThan(400 * 1.5 * 1.3 + 50);
    expect(summary.sessions).toBeGreaterThanOrEqual(1);
    // a progress bar redrawn in place on a terminal
    expect(io.stderr.length).toBeGreaterThan(2);
    expect(io.stderr.slice(1).every((line) => line.startsWith('\x1b[1A\x1b[2Ksimulate ['))).toBe(true);
    expect(io.stderr.at(-1)).toMatch(/100%/);
  });
});
