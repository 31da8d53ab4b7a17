/**
 * Span conformance against the real Codex 0.169 binary: for every span we emit, each attribute key
 * Codex puts on the corresponding span in the captures (test/fixtures/codex-0.169.0/<scenario>/traces.json,
 * recorded from the binary) is on ours with the same OTLP value type, and the span kind is the same.
 * Keys and types come from the capture files; only the tracing library's defaults are ignored.
 *
 * Correspondence: the same span name (a tool span is named after its tool); for `handle_responses`,
 * which Codex opens for every SSE event, the spans of the completed response (those with token usage).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentSseStream, timeApiRequest, timeToolCall } from '../../src/index.js';
import { spansFromJson } from '../support/otlp-convert-spans.js';
import type { ReceivedSpan } from '../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { configToml, loadTestConfig, SESSION, startTestTelemetry } from '../wire/scenario.js';

const CAPTURES = path.join(import.meta.dirname, '..', 'fixtures', 'codex-0.169.0');

/** The `tracing` crate's own fields on every span: not part of what Codex records. */
const isTracingDefault = (key: string) => key === 'busy_ns' || key === 'idle_ns' || key === 'target' || key.startsWith('code.') || key.startsWith('thread.');

function captureSpans(): ReceivedSpan[] {
  return readdirSync(CAPTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const file = path.join(CAPTURES, entry.name, 'traces.json');
      try {
        return spansFromJson(JSON.parse(readFileSync(file, 'utf8')));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    });
}

const corresponds = (ours: ReceivedSpan) => (codex: ReceivedSpan) =>
  codex.name === ours.name && (ours.name !== 'handle_responses' || codex.attributes.some((a) => a.key === 'gen_ai.usage.input_tokens'));

/** key -> OTLP value types over every corresponding Codex span. */
function codexKeyTypes(spans: ReceivedSpan[]): Map<string, Set<string>> {
  const types = new Map<string, Set<string>>();
  for (const span of spans) {
    for (const attribute of span.attributes) {
      if (isTracingDefault(attribute.key)) continue;
      if (!types.has(attribute.key)) types.set(attribute.key, new Set());
      types.get(attribute.key)!.add(attribute.type);
    }
  }
  return types;
}

let receiver: OtlpReceiver;
let ours: ReceivedSpan[];
const codex = captureSpans();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const telemetry = startTestTelemetry(loadTestConfig(configToml('"none"', '"none"',
    `trace_exporter = { otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "json" } }\n`)));
  // The exec-tool-call scenario of the captures, through the helpers: one attempt, one stream, one command.
  const session = telemetry.startSession(SESSION);
  session.userPrompt('run ls');
  await timeApiRequest(session, { attempt: 0, endpoint: '/responses' }, async () => ({ status: 200 }));
  async function* events() {
    yield { type: 'response.output_item.done' };
    yield { type: 'response.completed' };
  }
  for await (const event of instrumentSseStream(session, events(), {
    kind: (e) => e.type,
    usage: (e) => (e.type === 'response.completed' ? { inputTokens: 2400, cachedTokens: 400, outputTokens: 80, reasoningTokens: 16, totalTokens: 2480 } : undefined),
  })) void event;
  session.toolDecision({ toolName: 'exec_command', callId: 'call_exec_1', decision: 'approved', source: 'Config' });
  await timeToolCall(session, { toolName: 'exec_command', callId: 'call_exec_1', arguments: '{"cmd":"ls"}' }, async () => 'ok');
  session.turn({ e2eDurationMs: 5 });
  // The websocket scenario, through the session methods only.
  const ws = telemetry.startSession(SESSION);
  ws.startTurn();
  ws.websocketConnect({ durationMs: 4, success: true, endpoint: '/responses' });
  ws.websocketRequest({ durationMs: 30, success: true });
  ws.sseEventCompleted({ inputTokens: 10, outputTokens: 2, totalTokens: 12 });
  ws.turn({ e2eDurationMs: 40 });
  await telemetry.shutdown();
  ours = await receiver.waitFor(() => receiver.spans().length >= 10 && receiver.spans());
});
afterAll(() => receiver?.close());

describe('spans conform to the real Codex 0.169 captures', () => {
  it('the captures are there and have every span kind we emit', () => {
    expect(codex.length).toBeGreaterThan(0);
    for (const span of ours) expect(codex.filter(corresponds(span)).length, `no ${span.name} span in the captures`).toBeGreaterThan(0);
  });

  it('each span we emit has every key Codex puts on it, with the same value type and span kind', () => {
    const names = [...new Set(ours.map((s) => s.name))].sort();
    expect(names).toEqual([
      'exec_command', 'handle_responses', 'model_client.stream_responses_api', 'model_client.stream_responses_websocket',
      'model_client.websocket_connection', 'responses.stream_request', 'responses_websocket.stream_request', 'session_task.turn',
    ]);
    for (const name of names) {
      const mine = ours.find((s) => s.name === name)!;
      const theirs = codex.filter(corresponds(mine));
      const expected = codexKeyTypes(theirs);
      const actual = new Map(mine.attributes.map((a) => [a.key, a.type]));
      const missing = [...expected.keys()].filter((key) => !actual.has(key));
      expect(missing, `${name}: keys Codex sends that we do not`).toEqual([]);
      for (const [key, types] of expected) expect([...types], `${name}.${key}: Codex's type`).toContain(actual.get(key));
      expect(new Set(theirs.map((s) => s.kind)), `${name}: span kind`).toEqual(new Set([mine.kind]));
    }
  });

  it('a TUI denial in the captures is an aborted exec_command span, with the type ours has', () => {
    const denied = codex.filter((s) => s.name === 'exec_command' && s.attributes.some((a) => a.key === 'aborted' && a.value === true));
    expect(denied.length).toBeGreaterThan(0);
    expect([...codexKeyTypes(denied).get('aborted')!]).toEqual(['bool']);
  });
});
