/**
 * A denial emitted by this library, on the native stack: the library sends the codex.tool_decision
 * record and ends the tool span with aborted = true; a TUI-style denial (toolCallAborted) sends only the
 * span, as Codex 0.169 does. Our spanaudit connector in the real collector derives an audit record from
 * each aborted span, so the SIEM file holds the decision and the derived record of the first call and
 * only the derived record of the second; counted by distinct call_id — as the dashboards and the
 * burst alert count — that is two denials, and Prometheus counts two aborted tool calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { eventually, promQuery, readSiemFile, startNativeStack, type NativeStack } from '../support/native-stack.js';

const CONVERSATION = '0199c0de-0000-7000-8000-00000000d001';
const DENIED = 'call_lib_denied';
const TUI_DENIED = 'call_lib_tui_denied';
const APPROVED = 'call_lib_approved';

let stack: NativeStack;
let lokiStandIn: OtlpReceiver;

beforeAll(async () => {
  lokiStandIn = await startOtlpReceiver();
  stack = await startNativeStack({ env: { collector: { LOKI_OTLP_ENDPOINT: lokiStandIn.httpUrl } } });
  const base = stack.endpoints.otlpHttp!;
  const toml = [
    '[otel]', 'environment = "e2e-library-denial"',
    `exporter = { otlp-http = { endpoint = "${base}/v1/logs", protocol = "binary" } }`,
    `trace_exporter = { otlp-http = { endpoint = "${base}/v1/traces", protocol = "binary" } }`,
    `metrics_exporter = { otlp-http = { endpoint = "${base}/v1/metrics", protocol = "binary" } }`,
  ].join('\n');
  const parsed = parseConfigText(toml, { env: {}, baseDir: process.cwd() });
  if (!parsed.config) throw new Error(JSON.stringify(parsed.errors));
  const telemetry = createTelemetry(parsed.config, { originator: 'e2e_agent', appVersion: '1.0.0', env: {}, diagnostics: false });
  const session = telemetry.startSession({ conversationId: CONVERSATION, model: 'gpt-5-codex', email: 'dana@example.com' });
  session.userPrompt('clean the build folder');
  session.toolDecision({ toolName: 'exec_command', callId: APPROVED, decision: 'approved', source: 'User' });
  session.toolResult({ toolName: 'exec_command', callId: APPROVED, arguments: '{"cmd":"ls"}', durationMs: 3, success: true, output: 'build\n' });
  session.toolDecision({ toolName: 'exec_command', callId: DENIED, decision: 'denied', source: 'User' });
  session.toolCallAborted({ toolName: 'exec_command', callId: TUI_DENIED });
  session.turn({ e2eDurationMs: 40 });
  await telemetry.shutdown();
});

afterAll(async () => {
  await stack?.stop();
  await lokiStandIn?.close();
});

const decisionsOf = (callId: string) => readSiemFile(stack.endpoints.siemFile!)
  .filter((r) => r.attributes['event.name'] === 'codex.tool_decision' && r.attributes['call_id'] === callId);

describe('a denial emitted by this library, through the real collector', () => {
  it('reaches the SIEM file as the decision and as the record derived from its aborted span', async () => {
    const both = await eventually(async () => {
      const r = decisionsOf(DENIED);
      return r.length >= 2 ? r : undefined;
    }, 'decision + derived record of the denied call');
    expect(both).toHaveLength(2);
    expect(both.map((r) => [r.attributes['decision'], r.attributes['codex_otel.derived_from'] ?? null]).sort())
      .toEqual([['abort', 'span'], ['denied', null]]);
    const derived = both.find((r) => r.attributes['codex_otel.derived_from'] === 'span')!;
    // The library's tool span carries the session's common attributes, so the derived record says who.
    expect(derived.attributes).toMatchObject({ 'conversation.id': CONVERSATION, originator: 'e2e_agent', 'user.email': 'dana@example.com' });
  });

  it('a TUI-style denial (span only) arrives once, as a derived record; the approved call derives nothing', async () => {
    const tui = await eventually(async () => {
      const r = decisionsOf(TUI_DENIED);
      return r.length >= 1 ? r : undefined;
    }, 'derived record of the span-only denial');
    expect(tui).toHaveLength(1);
    expect(tui[0]!.attributes).toMatchObject({ decision: 'abort', source: 'User', 'codex_otel.derived_from': 'span' });
    expect(decisionsOf(APPROVED).map((r) => r.attributes['decision'])).toEqual(['approved']);
  });

  it('counted by distinct call_id, as the dashboards and the burst alert count, it is two denials, also towards Loki', async () => {
    const DENIAL = /^(denied|denied_.+|abort|timed_out)$/;
    const toLoki = await lokiStandIn.waitFor(() => {
      const calls = lokiStandIn.logs()
        .filter((l) => l.attributes.some((a) => a.key === 'event.name' && a.value === 'codex.tool_decision'))
        .filter((l) => l.attributes.some((a) => a.key === 'decision' && DENIAL.test(String(a.value))))
        .map((l) => String(l.attributes.find((a) => a.key === 'call_id')?.value));
      return calls.length >= 3 ? calls : undefined;
    }, 90_000);
    expect(toLoki).toHaveLength(3);
    expect(new Set(toLoki)).toEqual(new Set([DENIED, TUI_DENIED]));
  });

  it('Prometheus counts two aborted tool calls', async () => {
    const rows = await eventually(async () => {
      const r = await promQuery(stack.endpoints.prometheus!, 'sum(codex_otel_tool_call_aborted_total{deployment_environment="e2e-library-denial"})');
      return r.length > 0 && r[0]!.value >= 2 ? r : undefined;
    }, 'codex_otel_tool_call_aborted_total in Prometheus');
    expect(rows[0]!.value).toBe(2);
  });
});
