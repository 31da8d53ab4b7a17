/**
 * Spans on the wire: exported by the real SDK exporters over OTLP/HTTP protobuf, OTLP/HTTP JSON and
 * OTLP/gRPC, decoded by the real receivers with the real trace protos. Log records emitted inside a span
 * carry its ids (flags 1); `codex.sse_event` carries none; a denied tool call is an aborted span.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instrumentSseStream, timeApiRequest, timeToolCall, type Telemetry } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { attrMap, type ReceivedLogRecord, type ReceivedSpan } from '../support/otlp-model.js';
import { configToml, loadTestConfig, SESSION, startTestTelemetry } from './scenario.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(() => receiver.close());
afterEach(() => receiver.reset());

const TRANSPORTS = {
  'OTLP/HTTP protobuf': () => ({
    logs: `{ otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "binary" } }`,
    traces: `{ otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "binary" } }`,
    encoding: 'protobuf',
  }),
  'OTLP/HTTP JSON': () => ({
    logs: `{ otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "json" } }`,
    traces: `{ otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "json" } }`,
    encoding: 'json',
  }),
  'OTLP/gRPC': () => ({
    logs: `{ otlp-grpc = { endpoint = "${receiver.grpcUrl}" } }`,
    traces: `{ otlp-grpc = { endpoint = "${receiver.grpcUrl}" } }`,
    encoding: 'protobuf',
  }),
} as const;

function telemetryFor(transport: keyof typeof TRANSPORTS, extra = ''): Telemetry {
  const t = TRANSPORTS[transport]();
  return startTestTelemetry(loadTestConfig(configToml(t.logs, '"none"', `trace_exporter = ${t.traces}\n${extra}`)));
}

/** One turn through the helpers: an API attempt, an SSE stream with usage, an approved call, a denied call. */
async function helperTurn(telemetry: Telemetry): Promise<void> {
  const session = telemetry.startSession(SESSION);
  session.userPrompt('list the files');
  await timeApiRequest(session, { attempt: 0, endpoint: '/responses' }, async () => ({ status: 200 }));
  async function* events() {
    yield { type: 'response.created' };
    yield { type: 'response.completed', usage: { input: 1200, cached: 200, output: 40, reasoning: 8, total: 1240 } };
  }
  for await (const event of instrumentSseStream(session, events(), {
    kind: (e) => e.type,
    usage: (e) => (e.usage ? { inputTokens: e.usage.input, cachedTokens: e.usage.cached, outputTokens: e.usage.output, reasoningTokens: e.usage.reasoning, totalTokens: e.usage.total } : undefined),
  })) void event;
  session.toolDecision({ toolName: 'exec_command', callId: 'call_ok', decision: 'approved', source: 'User' });
  await timeToolCall(session, { toolName: 'exec_command', callId: 'call_ok', arguments: '{"cmd":"ls"}' }, async () => 'a\nb');
  session.toolDecision({ toolName: 'exec_command', callId: 'call_denied', decision: 'denied', source: 'User' });
  session.turn({ e2eDurationMs: 12 });
}

const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
const byCall = (spans: ReceivedSpan[], callId: string) => spans.find((s) => attrMap(s.attributes)['call_id']?.value === callId);
const event = (logs: ReceivedLogRecord[], name: string, callId?: string) => logs.find((r) => {
  const a = attrMap(r.attributes);
  return a['event.name']?.value === name && (callId === undefined || a['call_id']?.value === callId);
});

describe.each(Object.keys(TRANSPORTS) as Array<keyof typeof TRANSPORTS>)('%s', (transport) => {
  it('exports the turn, model request, attempt, response and tool spans, and log records carry their ids', async () => {
    const telemetry = telemetryFor(transport);
    await helperTurn(telemetry);
    await telemetry.shutdown();
    const spans = await receiver.waitFor(() => receiver.spans().length >= 6 && receiver.spans());
    const logs = await receiver.waitFor(() => receiver.logs().length >= 6 && receiver.logs());
    expect(receiver.errors()).toEqual([]);
    expect(spans.every((s) => s.encoding === TRANSPORTS[transport]().encoding)).toBe(true);

    const [turn] = named(spans, 'session_task.turn');
    const [request] = named(spans, 'model_client.stream_responses_api');
    const [attempt] = named(spans, 'responses.stream_request');
    const [response] = named(spans, 'handle_responses');
    const ok = byCall(spans, 'call_ok')!;
    const denied = byCall(spans, 'call_denied')!;
    for (const span of [turn, request, attempt, response, ok, denied]) expect(span).toBeDefined();
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(turn!.parentSpanId).toBe('');
    expect(request!.parentSpanId).toBe(turn!.spanId);
    expect(attempt!.parentSpanId).toBe(request!.spanId);
    expect(response!.parentSpanId).toBe(request!.spanId);
    expect(ok.parentSpanId).toBe(turn!.spanId);
    expect(spans.every((s) => s.kind === 1)).toBe(true);
    expect(turn!.scope.name).toBe('codex_cli_rs');

    const turnAttrs = attrMap(turn!.attributes);
    expect(turnAttrs['turn.id']?.type).toBe('string');
    expect(turnAttrs['thread.id']).toEqual({ type: 'string', value: SESSION.conversationId });
    expect(turnAttrs['codex.turn.token_usage.input_tokens']).toEqual({ type: 'int', value: '1200' });
    expect(turnAttrs['codex.turn.token_usage.non_cached_input_tokens']).toEqual({ type: 'int', value: '1000' });
    expect(turnAttrs['codex.turn.token_usage.total_tokens']).toEqual({ type: 'int', value: '1240' });
    const responseAttrs = attrMap(response!.attributes);
    expect(responseAttrs['gen_ai.usage.input_tokens']).toEqual({ type: 'int', value: '1200' });
    expect(responseAttrs['gen_ai.usage.cache_read.input_tokens']).toEqual({ type: 'int', value: '200' });
    expect(responseAttrs['codex.response.receive_wait_ms']?.type).toBe('double');
    expect(attrMap(request!.attributes)).toMatchObject({
      'api.path': { type: 'string', value: '/responses' }, 'http.method': { type: 'string', value: 'POST' },
      model: { type: 'string', value: SESSION.model }, transport: { type: 'string', value: 'responses_http' },
      wire_api: { type: 'string', value: 'responses' },
    });
    expect(ok.name).toBe('exec_command');
    expect(attrMap(ok.attributes)).toMatchObject({
      aborted: { type: 'bool', value: false }, tool_name: { type: 'string', value: 'exec_command' },
      'conversation.id': { type: 'string', value: SESSION.conversationId }, 'turn.id': turnAttrs['turn.id'],
    });

    // Log records inside a span carry its ids with flags 1 (sampled); SSE events carry none.
    const expectIn = (record: ReceivedLogRecord | undefined, span: ReceivedSpan) => {
      expect(record).toBeDefined();
      expect({ traceId: record!.traceId, spanId: record!.spanId, flags: record!.flags }).toEqual({ traceId: span.traceId, spanId: span.spanId, flags: 1 });
    };
    expectIn(event(logs, 'codex.user_prompt'), turn!);
    expectIn(event(logs, 'codex.api_request'), attempt!);
    expectIn(event(logs, 'codex.tool_decision', 'call_ok'), ok);
    expectIn(event(logs, 'codex.tool_result', 'call_ok'), ok);
    expectIn(event(logs, 'codex.tool_decision', 'call_denied'), denied);
    const sse = logs.filter((r) => attrMap(r.attributes)['event.name']?.value === 'codex.sse_event');
    expect(sse.length).toBeGreaterThanOrEqual(2);
    for (const record of sse) expect({ traceId: record.traceId, spanId: record.spanId, flags: record.flags }).toEqual({ traceId: '', spanId: '', flags: 0 });
  });

  it('a denied tool call yields an aborted span, with or without a decision event', async () => {
    const telemetry = telemetryFor(transport);
    const session = telemetry.startSession(SESSION);
    const turn = session.startTurn({ turnId: 'turn-deny' });
    session.toolDecision({ toolName: 'exec_command', callId: 'call_denied', decision: 'denied', source: 'User' });
    session.toolCallAborted({ toolName: 'exec_command', callId: 'call_tui_deny' });
    session.startToolCall({ toolName: 'apply_patch', callId: 'call_never_ran' });
    turn.end();
    await telemetry.shutdown();
    const spans = await receiver.waitFor(() => receiver.spans().length >= 4 && receiver.spans());
    for (const callId of ['call_denied', 'call_tui_deny', 'call_never_ran']) {
      const span = byCall(spans, callId);
      expect(span, callId).toBeDefined();
      expect(attrMap(span!.attributes)['aborted'], callId).toEqual({ type: 'bool', value: true });
      expect(attrMap(span!.attributes)['turn.id'], callId).toEqual({ type: 'string', value: 'turn-deny' });
    }
    expect(byCall(spans, 'call_never_ran')!.name).toBe('apply_patch');
    // The session's common attributes ride on tool spans: the audit record derived from an aborted span says who.
    expect(attrMap(byCall(spans, 'call_tui_deny')!.attributes)).toMatchObject({
      originator: { type: 'string', value: 'codex_cli_rs' }, 'user.email': { type: 'string', value: SESSION.email },
      'user.account_id': { type: 'string', value: SESSION.accountId }, model: { type: 'string', value: SESSION.model },
      'app.version': { type: 'string', value: '0.42.0' }, 'terminal.type': { type: 'string', value: SESSION.terminalType },
    });
  });

  it('timeToolCall after a denial: one span per call id (the aborted one), and the rejection record carries its ids', async () => {
    const telemetry = telemetryFor(transport);
    const session = telemetry.startSession(SESSION);
    const turn = session.startTurn({ turnId: 'turn-reject' });
    session.toolDecision({ toolName: 'exec_command', callId: 'call_rejected', decision: 'denied', source: 'User' });
    const output = await timeToolCall(session, { toolName: 'exec_command', callId: 'call_rejected', arguments: '{"cmd":"rm -rf x"}', successOf: () => false },
      async () => 'exec command rejected by user');
    expect(output).toBe('exec command rejected by user');
    // A thrown rejection (e.g. the caller's own "denied" error) lands in the denied span the same way.
    session.toolDecision({ toolName: 'exec_command', callId: 'call_thrown', decision: 'abort', source: 'User' });
    await expect(timeToolCall(session, { toolName: 'exec_command', callId: 'call_thrown', arguments: '{}' }, async () => { throw new Error('aborted by user'); }))
      .rejects.toThrow('aborted by user');
    turn.end();
    await telemetry.shutdown();
    const logs = await receiver.waitFor(() => receiver.logs().filter((r) => attrMap(r.attributes)['event.name']?.value === 'codex.tool_result').length >= 2 && receiver.logs());
    const spans = await receiver.waitFor(() => receiver.spans().some((s) => s.name === 'session_task.turn') && receiver.spans());
    expect(receiver.errors()).toEqual([]);
    for (const callId of ['call_rejected', 'call_thrown']) {
      const tools = spans.filter((s) => attrMap(s.attributes)['call_id']?.value === callId);
      expect(tools, callId).toHaveLength(1);
      expect(attrMap(tools[0]!.attributes)['aborted'], callId).toEqual({ type: 'bool', value: true });
      for (const name of ['codex.tool_decision', 'codex.tool_result']) {
        const record = event(logs, name, callId);
        expect(record, `${name} ${callId}`).toBeDefined();
        expect({ traceId: record!.traceId, spanId: record!.spanId }, `${name} ${callId}`).toEqual({ traceId: tools[0]!.traceId, spanId: tools[0]!.spanId });
      }
      expect(attrMap(event(logs, 'codex.tool_result', callId)!.attributes)['success'], callId).toEqual({ type: 'string', value: 'false' });
    }
  });
});

describe('span_attributes and tracestate', () => {
  it('puts span_attributes on every span and the configured tracestate into propagated headers', async () => {
    const telemetry = telemetryFor('OTLP/HTTP protobuf', 'span_attributes = { "deployment.team" = "payments" }\ntracestate = { acme = { tenant = "t1" } }\n');
    const session = telemetry.startSession(SESSION);
    const turn = session.startTurn();
    const headers = turn.traceHeaders();
    let attemptHeaders: Record<string, string> = {};
    await timeApiRequest(session, { attempt: 0, endpoint: '/responses' }, async ({ traceHeaders }) => {
      attemptHeaders = traceHeaders;
      return { status: 200 };
    });
    session.toolCallAborted({ toolName: 'exec_command', callId: 'c' });
    turn.end({ inputTokens: 1, outputTokens: 1, totalTokens: 2 });
    await telemetry.shutdown();
    const spans = await receiver.waitFor(() => receiver.spans().length >= 4 && receiver.spans());
    for (const span of spans) expect(attrMap(span.attributes)['deployment.team']).toEqual({ type: 'string', value: 'payments' });
    const [turnSpan] = named(spans, 'session_task.turn');
    expect(headers['traceparent']).toBe(`00-${turnSpan!.traceId}-${turnSpan!.spanId}-01`);
    expect(headers['tracestate']).toBe('acme=tenant:t1');
    const [attempt] = named(spans, 'responses.stream_request');
    expect(attemptHeaders).toEqual({ traceparent: `00-${attempt!.traceId}-${attempt!.spanId}-01`, tracestate: 'acme=tenant:t1' });
  });
});
