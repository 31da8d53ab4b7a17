/**
 * `codex-otel simulate --endpoint` sends the library's spans beside logs and metrics, as an agent with
 * `trace_exporter` set does: a real OTLP receiver decodes them, and every expectation is derived from the
 * records simulate sent (call ids, decisions, prompts, completions), never from counts written here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import type { SimulateSummary } from '../../../src/cli/simulate/simulate.js';
import { isDenial } from '../../../src/events/decisions.js';
import { spansFromJson } from '../../support/otlp-convert-spans.js';
import { attrMap, type ReceivedLogRecord, type ReceivedSpan } from '../../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';

let root: string;
let receiver: OtlpReceiver;
let counter = 0;
const freshDir = () => join(root, `run-${counter++}`);

async function simulate(...args: string[]): Promise<{ code: number; summary: SimulateSummary }> {
  const io: CliIo = { out: (line) => stdout.push(line), err: () => {}, env: {}, isTty: false };
  const stdout: string[] = [];
  const code = await main(['simulate', '--json', ...args], io);
  return { code, summary: JSON.parse(stdout.join('\n')) as SimulateSummary };
}

const attr = (item: { attributes: ReceivedSpan['attributes'] }, key: string) => attrMap(item.attributes)[key]?.value;
const TOOL_SPAN = (s: ReceivedSpan) => attr(s, 'call_id') !== undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'codex-otel-simulate-traces-'));
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('simulate --endpoint sends spans', () => {
  let summary: SimulateSummary;
  let dir: string;
  let spans: ReceivedSpan[];
  let logs: ReceivedLogRecord[];

  beforeAll(async () => {
    receiver.reset();
    dir = freshDir();
    const run = await simulate('--endpoint', receiver.httpUrl, '--out', dir, '--seed', '7');
    expect(run.code).toBe(0);
    summary = run.summary;
    logs = await receiver.waitFor(() => receiver.logs().length >= summary.events.total && receiver.logs(), 30_000);
    // Every span is in the file output too: wait until the receiver has as many.
    const inFile = readFileSync(join(dir, 'traces.jsonl'), 'utf8').trim().split('\n').flatMap((line) => spansFromJson(JSON.parse(line))).length;
    spans = await receiver.waitFor(() => receiver.spans().length >= inFile && receiver.spans(), 30_000);
    expect(spans).toHaveLength(inFile);
    // The pipeline's own account of spans: every one reached both destinations (the receiver and the file).
    expect(summary.delivery.spans).toMatchObject({ emitted: 2 * inFile, exported: 2 * inFile, spooled: 0, dropped: { total: 0 } });
  });

  it('to /v1/traces over OTLP/HTTP protobuf, beside logs and metrics, and into traces.jsonl of the file output', () => {
    expect(summary.destinations.filter((d) => d.signal === 'traces').map((d) => d.target))
      .toEqual([`otlp-http ${receiver.httpUrl}/v1/traces`, `file ${join(dir, 'traces.jsonl')}`]);
    expect(receiver.requests.filter((r) => r.signal === 'traces').every((r) => r.path === '/v1/traces' && r.encoding === 'protobuf')).toBe(true);
    expect(receiver.errors()).toEqual([]);
    expect(new Set(spans.map((s) => s.resource['service.name']?.value))).toEqual(new Set(['codex_otel_simulate']));
  });

  it('one turn span per prompt, one handle_responses per completed response, request and attempt spans for the HTTP and websocket transports', () => {
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(named('session_task.turn')).toHaveLength(summary.events.byName['codex.user_prompt']!);
    expect(named('handle_responses')).toHaveLength(summary.events.byShape['sseCompleted']!);
    expect(named('responses.stream_request')).toHaveLength(summary.events.byName['codex.api_request']!);
    expect(named('model_client.stream_responses_api').length).toBeGreaterThan(0);
    // Over the websocket, one model request per turn carries an attempt span per request.
    expect(named('responses_websocket.stream_request')).toHaveLength(summary.events.byName['codex.websocket_request']!);
    expect(named('model_client.stream_responses_websocket').length).toBeGreaterThan(0);
    expect(named('model_client.websocket_connection')).toHaveLength(summary.events.byName['codex.websocket_connect']!);
    const turns = new Set(named('session_task.turn').map((s) => s.spanId));
    for (const s of spans.filter(TOOL_SPAN)) expect(turns.has(s.parentSpanId), s.name).toBe(true);
  });

  it('one tool span per call; aborted exactly for the denials (by the shared definition) and the TUI denial that has no record', () => {
    const toolSpans = spans.filter(TOOL_SPAN);
    const callIds = toolSpans.map((s) => String(attr(s, 'call_id')));
    expect(new Set(callIds).size).toBe(callIds.length);
    const records = logs.filter((r) => ['codex.tool_decision', 'codex.tool_result'].includes(String(attr(r, 'event.name'))));
    const recordCalls = new Set(records.map((r) => String(attr(r, 'call_id'))));
    const denied = new Set(records.filter((r) => attr(r, 'event.name') === 'codex.tool_decision' && isDenial(String(attr(r, 'decision')))).map((r) => String(attr(r, 'call_id'))));
    const spanOnly = callIds.filter((id) => !recordCalls.has(id));
    expect(spanOnly).toHaveLength(1);
    expect([...recordCalls].every((id) => callIds.includes(id))).toBe(true);
    const aborted = toolSpans.filter((s) => attr(s, 'aborted') === true).map((s) => String(attr(s, 'call_id'))).sort();
    expect(aborted).toEqual([...denied, ...spanOnly].sort());
    expect(toolSpans.find((s) => attr(s, 'call_id') === spanOnly[0])).toMatchObject({ name: 'shell' });
  });

  it('records of a call carry its span ids (also the rejection of a denied call); codex.sse_event and what precedes the first turn carry none', () => {
    const bySpan = new Map(spans.map((s) => [s.spanId, s]));
    for (const r of logs) {
      const name = String(attr(r, 'event.name'));
      if (name === 'codex.sse_event' || name === 'codex.conversation_starts' || name === 'codex.startup_phase') {
        expect({ traceId: r.traceId, spanId: r.spanId }).toEqual({ traceId: '', spanId: '' });
        continue;
      }
      const span = bySpan.get(r.spanId);
      expect(span, `${name} in an exported span`).toBeDefined();
      expect(span!.traceId).toBe(r.traceId);
      if (name === 'codex.tool_decision' || name === 'codex.tool_result' || name === 'codex.sandbox_outcome') expect(attr(span!, 'call_id'), name).toBe(attr(r, 'call_id'));
      if (name === 'codex.api_request') expect(span!.name).toBe('responses.stream_request');
      if (name === 'codex.user_prompt') expect(span!.name).toBe('session_task.turn');
    }
  });
});

describe('simulate --no-traces', () => {
  it('sends no spans and writes no traces.jsonl; a later run replaces the traces.jsonl of an earlier one', async () => {
    const dir = freshDir();
    await simulate('--endpoint', receiver.httpUrl, '--out', dir, '--sessions', '1', '--seed', '3');
    expect(existsSync(join(dir, 'traces.jsonl'))).toBe(true);
    receiver.reset();
    const { code, summary } = await simulate('--endpoint', receiver.httpUrl, '--out', dir, '--sessions', '1', '--seed', '3', '--no-traces');
    expect(code).toBe(0);
    expect(summary.replaced).toContain('traces.jsonl');
    expect(summary.destinations.map((d) => d.signal)).not.toContain('traces');
    expect(summary.delivery.spans.emitted).toBe(0);
    await receiver.waitFor(() => receiver.logs().length >= summary.events.total, 30_000);
    expect(receiver.requests.filter((r) => r.signal === 'traces')).toEqual([]);
    expect(existsSync(join(dir, 'traces.jsonl'))).toBe(false);
    // without spans, records carry no ids
    expect(receiver.logs().every((r) => r.spanId === '')).toBe(true);

    // The same for a file-only run (`--out` without `--endpoint`) reusing the folder of a run with spans.
    await simulate('--endpoint', receiver.httpUrl, '--out', dir, '--sessions', '1', '--seed', '3');
    expect(existsSync(join(dir, 'traces.jsonl'))).toBe(true);
    const fileOnly = await simulate('--out', dir, '--sessions', '1', '--seed', '3', '--no-traces');
    expect(fileOnly.code).toBe(0);
    expect(fileOnly.summary.replaced).toContain('traces.jsonl');
    expect(existsSync(join(dir, 'traces.jsonl'))).toBe(false);
  });
});

describe('simulate --config: spans over the trace_exporter the config chooses, like logs and metrics', () => {
  const configFor = (name: string, lines: string[]) => {
    const path = join(root, `${name}.toml`);
    writeFileSync(path, ['[otel]', ...lines, '[otel.codex_otel]', 'shutdown_timeout_ms = 30000'].join('\n'));
    return path;
  };

  it.each([
    ['OTLP/HTTP JSON', () => [`exporter = { otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "json" } }`, `trace_exporter = { otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "json" } }`], 'json', '/v1/traces'],
    ['OTLP/gRPC', () => [`exporter = { otlp-grpc = { endpoint = "${receiver.grpcUrl}" } }`, `trace_exporter = { otlp-grpc = { endpoint = "${receiver.grpcUrl}" } }`], 'protobuf', '/opentelemetry.proto.collector.trace.v1.TraceService/Export'],
  ] as const)('%s', async (name, lines, encoding, path) => {
    receiver.reset();
    const { code, summary } = await simulate('--config', configFor(name.replace(/\W/g, '-'), lines()), '--sessions', '1', '--seed', '4');
    expect(code).toBe(0);
    expect(summary.destinations.filter((d) => d.signal === 'traces').map((d) => d.target.split(' ')[0])).toEqual([name === 'OTLP/gRPC' ? 'otlp-grpc' : 'otlp-http']);
    const spans = await receiver.waitFor(() => receiver.spans().some((s) => attr(s, 'aborted') === true) && receiver.spans(), 30_000);
    expect(receiver.requests.filter((r) => r.signal === 'traces').every((r) => r.encoding === encoding && r.path === path)).toBe(true);
    expect(spans.filter((s) => s.name === 'session_task.turn').length).toBeGreaterThan(0);
    const logs = await receiver.waitFor(() => receiver.logs().length >= summary.events.total && receiver.logs(), 30_000);
    const spanIds = new Set(spans.map((s) => s.spanId));
    expect(logs.filter((r) => r.spanId !== '').every((r) => spanIds.has(r.spanId))).toBe(true);
    expect(receiver.errors()).toEqual([]);
  });

  it('--no-traces turns the configured trace_exporter off; --out turns it off with the other network exporters', async () => {
    const config = configFor('json-traces', [`exporter = { otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "json" } }`, `trace_exporter = { otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "json" } }`]);
    receiver.reset();
    const off = await simulate('--config', config, '--sessions', '1', '--seed', '4', '--no-traces');
    await receiver.waitFor(() => receiver.logs().length >= off.summary.events.total, 30_000);
    expect(off.summary.destinations.map((d) => d.signal)).toEqual(['logs']);
    const dir = freshDir();
    const out = await simulate('--config', config, '--sessions', '1', '--seed', '4', '--out', dir);
    expect(out.summary.destinations.map((d) => d.target.split(' ')[0])).toEqual(['file', 'file']);
    expect(existsSync(join(dir, 'traces.jsonl'))).toBe(false);
    expect(receiver.requests.filter((r) => r.signal === 'traces')).toEqual([]);
  });
});
