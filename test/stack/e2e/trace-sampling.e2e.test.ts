/**
 * The trace sampling policy on the real collector (collector/config.yaml, traces/tools and
 * traces/sampled): tool-call spans always reach Tempo and always feed the spanaudit connector; the
 * other spans reach Tempo at CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE percent (default 100).
 *
 * Sent: the real Codex 0.169.0 spans of every capture scenario (the TUI denial's aborted
 * exec_command span among them) and a session of this library (an approved call, a denied call, a
 * TUI-style denial). Tempo cannot be built here (AGPL modules), so the project's OTLP receiver
 * stands at Tempo's endpoint; Loki likewise.
 *
 * Synchronisation without sleeps: the OTLP/HTTP receiver answers after the pipelines have handled
 * the request up to the exporters' queues, so once every send has returned, the sampler's own
 * decision counter is final; what is still in flight is the exporter queue to Tempo and the SIEM
 * file, which are waited for by content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../../src/index.js';
import type { ReceivedSpan } from '../../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { telemetrySamples, telemetrySum } from '../support/collector-telemetry.js';
import { eventually, readSiemFile, startNativeStack, type NativeStack } from '../support/native-stack.js';
import { captureScenarios, readCapture, replayCaptures } from '../support/otlp-json.js';

const CONVERSATION = '0199c0de-0000-7000-8000-00000000e5a1';
const LIBRARY_CALLS = { approved: 'call_sampling_approved', denied: 'call_sampling_denied', tuiDenied: 'call_sampling_tui_denied' };
/** Spans of a turn and of a model request (contract §4), the ones sampling may drop. */
const TURN_AND_MODEL_SPANS = ['session_task.turn', 'model_client.stream_responses_api', 'model_client.stream_responses_websocket', 'responses.stream_request', 'handle_responses'];

interface SentSpan { spanId: string; name: string; tool: boolean; callId?: string; aborted: boolean }

/** Codex's spans as sent; a tool span has `call_id` and `tool_name` (what spanaudit reads); `aborted` is its last value. */
function captureSpans(): SentSpan[] {
  const out: SentSpan[] = [];
  for (const scenario of captureScenarios()) {
    for (const doc of readCapture(scenario, 'traces')) for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
      const attrs: any[] = s.attributes ?? [];
      const keys = new Set(attrs.map((a) => a.key));
      const aborted = attrs.filter((a) => a.key === 'aborted').map((a) => a.value.boolValue).pop() === true;
      out.push({ spanId: s.spanId, name: s.name, tool: keys.has('call_id') && keys.has('tool_name'), callId: attrs.find((a) => a.key === 'call_id')?.value.stringValue, aborted });
    }
  }
  return out;
}

const attr = (span: ReceivedSpan, key: string) => span.attributes.find((a) => a.key === key)?.value;
const isTool = (span: ReceivedSpan) => attr(span, 'call_id') !== undefined && attr(span, 'tool_name') !== undefined;

/** One stack at the given percentage, fed with the captures and a library session. */
function stackAt(percentage: string | undefined) {
  const ctx = {} as { stack: NativeStack; tempo: OtlpReceiver; loki: OtlpReceiver; sent: SentSpan[]; accepted: number };
  beforeAll(async () => {
    ctx.loki = await startOtlpReceiver();
    ctx.tempo = await startOtlpReceiver();
    ctx.stack = await startNativeStack({ env: { collector: {
      LOKI_OTLP_ENDPOINT: ctx.loki.httpUrl, TEMPO_OTLP_GRPC_ENDPOINT: new URL(ctx.tempo.grpcUrl).host,
      ...(percentage === undefined ? {} : { CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE: percentage }),
    } } });
    const base = ctx.stack.endpoints.otlpHttp!;
    const parsed = parseConfigText([
      '[otel]', 'environment = "e2e-trace-sampling"',
      `exporter = { otlp-http = { endpoint = "${base}/v1/logs", protocol = "binary" } }`,
      `trace_exporter = { otlp-http = { endpoint = "${base}/v1/traces", protocol = "binary" } }`,
    ].join('\n'), { env: {}, baseDir: process.cwd() });
    if (!parsed.config) throw new Error(JSON.stringify(parsed.errors));
    const telemetry = createTelemetry(parsed.config, { originator: 'e2e_agent', appVersion: '1.0.0', env: {}, diagnostics: false });
    const session = telemetry.startSession({ conversationId: CONVERSATION, model: 'gpt-5-codex', email: 'dana@example.com' });
    session.userPrompt('tidy the repository');
    session.toolDecision({ toolName: 'exec_command', callId: LIBRARY_CALLS.approved, decision: 'approved', source: 'User' });
    session.toolResult({ toolName: 'exec_command', callId: LIBRARY_CALLS.approved, arguments: '{"cmd":"git status"}', durationMs: 4, success: true, output: 'clean\n' });
    session.toolDecision({ toolName: 'exec_command', callId: LIBRARY_CALLS.denied, decision: 'denied', source: 'User' });
    session.toolCallAborted({ toolName: 'exec_command', callId: LIBRARY_CALLS.tuiDenied });
    session.turn({ e2eDurationMs: 30 });
    await telemetry.shutdown();
    await replayCaptures(base, ['traces']);
    ctx.sent = captureSpans();
    ctx.accepted = await telemetrySum(ctx.stack.endpoints.collectorTelemetry!, 'otelcol_receiver_accepted_spans_total');
  }, 240_000);
  afterAll(async () => {
    await ctx.stack?.stop();
    await ctx.tempo?.close();
    await ctx.loki?.close();
  });
  return ctx;
}

/** The sampler's decisions so far: spans it kept and dropped. */
async function decisions(telemetryUrl: string): Promise<{ kept: number; dropped: number }> {
  const samples = await telemetrySamples(telemetryUrl, 'otelcol_processor_probabilistic_sampler_count_traces_sampled_total');
  const sum = (sampled: string) => samples.filter((s) => s.labels.sampled === sampled).reduce((n, s) => n + s.value, 0);
  return { kept: sum('true'), dropped: sum('false') };
}

const derivedCallIds = (stack: NativeStack) => readSiemFile(stack.endpoints.siemFile!)
  .filter((r) => r.attributes['event.name'] === 'codex.tool_decision' && r.attributes['codex_otel.derived_from'] === 'span')
  .map((r) => String(r.attributes['call_id']));

/** Every tool span sent: Codex's by span id, the library's by call id (one tool span per call). */
function expectEveryToolSpan(received: ReceivedSpan[], sent: SentSpan[]): void {
  const ids = new Set(received.map((s) => s.spanId));
  const missing = sent.filter((s) => s.tool && !ids.has(s.spanId)).map((s) => `${s.name} ${s.spanId}`);
  expect(missing).toEqual([]);
  const libraryCalls = received.filter(isTool).map((s) => String(attr(s, 'call_id'))).filter((c) => c.startsWith('call_sampling_'));
  expect(libraryCalls.sort()).toEqual(Object.values(LIBRARY_CALLS).sort());
}

describe('CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE=0: only tool spans reach Tempo', () => {
  const ctx = stackAt('0');

  it('the sampler dropped every non-tool span and kept none (its own counter, final once the sends returned)', async () => {
    const codexTools = ctx.sent.filter((s) => s.tool).length;
    expect(codexTools).toBeGreaterThanOrEqual(10);
    const { kept, dropped } = await decisions(ctx.stack.endpoints.collectorTelemetry!);
    expect(kept).toBe(0);
    // Everything the collector accepted, less the tool spans (Codex's and one per library call).
    expect(dropped).toBe(ctx.accepted - codexTools - Object.keys(LIBRARY_CALLS).length);
    expect(dropped).toBeGreaterThan(4000);
  });

  it('every tool span — the aborted TUI denial of Codex and of the library included — reaches the Tempo endpoint, and nothing else', async () => {
    const toolCount = ctx.sent.filter((s) => s.tool).length + Object.keys(LIBRARY_CALLS).length;
    const received = await eventually(async () => (ctx.tempo.spans().length >= toolCount ? ctx.tempo.spans() : undefined), `${toolCount} tool spans at the Tempo endpoint`);
    expectEveryToolSpan(received, ctx.sent);
    expect(received.filter((s) => !isTool(s)).map((s) => s.name)).toEqual([]);
    expect(received).toHaveLength(toolCount);
    const abortedDeny = ctx.sent.find((s) => s.aborted && s.callId === 'call_tui_deny')!;
    expect(received.map((s) => s.spanId)).toContain(abortedDeny.spanId);
    for (const name of TURN_AND_MODEL_SPANS) expect(received.map((s) => s.name), name).not.toContain(name);
  });

  it('the spanaudit records of the aborted spans reach the SIEM file (the connector sees every span)', async () => {
    const want = [...ctx.sent.filter((s) => s.aborted).map((s) => s.callId!), LIBRARY_CALLS.denied, LIBRARY_CALLS.tuiDenied].sort();
    expect(want).toContain('call_tui_deny');
    const found = await eventually(async () => {
      const ids = derivedCallIds(ctx.stack);
      return want.every((c) => ids.includes(c)) ? ids : undefined;
    }, 'derived records in the SIEM file');
    expect(found.sort()).toEqual(want);
  });
});

describe('default sampling (100 %): every span reaches Tempo', () => {
  const ctx = stackAt(undefined);

  it('every span the collector accepted reaches the Tempo endpoint, turn and model-request spans included', async () => {
    const received = await eventually(async () => (ctx.tempo.spans().length >= ctx.accepted ? ctx.tempo.spans() : undefined), `${ctx.accepted} spans at the Tempo endpoint`);
    expect(received).toHaveLength(ctx.accepted);
    const ids = new Set(received.map((s) => s.spanId));
    expect(ctx.sent.filter((s) => !ids.has(s.spanId)).map((s) => `${s.name} ${s.spanId}`)).toEqual([]);
    expectEveryToolSpan(received, ctx.sent);
    const names = new Set(received.map((s) => s.name));
    for (const name of TURN_AND_MODEL_SPANS) expect(names.has(name), name).toBe(true);
    const { kept, dropped } = await decisions(ctx.stack.endpoints.collectorTelemetry!);
    expect(dropped).toBe(0);
    expect(kept).toBe(received.filter((s) => !isTool(s)).length);
  });

  it('the spanaudit records of the aborted spans reach the SIEM file', async () => {
    const want = [...ctx.sent.filter((s) => s.aborted).map((s) => s.callId!), LIBRARY_CALLS.denied, LIBRARY_CALLS.tuiDenied].sort();
    const found = await eventually(async () => {
      const ids = derivedCallIds(ctx.stack);
      return want.every((c) => ids.includes(c)) ? ids : undefined;
    }, 'derived records in the SIEM file');
    expect(found.sort()).toEqual(want);
  });
});
