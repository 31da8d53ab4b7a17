/**
 * The no-op path (`trace_exporter = "none"`): no tracer, no span state, frozen handles, records without
 * ids; and the span bookkeeping never throws into the caller. Real SDK, in-memory exporters.
 */
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createTelemetry, defaultConfig, timeToolCall } from '../../../src/index.js';

const SESSION = { conversationId: 'conv-unit', model: 'gpt-5-codex' };

describe('trace_exporter = "none"', () => {
  it('creates no tracer and no span state; every span method is a no-op on a shared frozen handle', async () => {
    const logs = new InMemoryLogRecordExporter();
    const telemetry = createTelemetry(defaultConfig(), { logExporters: [logs], diagnostics: false });
    expect(telemetry.tracing).toBe(false);
    const session = telemetry.startSession(SESSION);
    expect(session.spans).toBeUndefined();
    const turn = session.startTurn({ turnId: 't' });
    expect(turn.recording).toBe(false);
    expect(Object.isFrozen(turn)).toBe(true);
    expect(session.startTurn()).toBe(turn);
    expect(turn.traceHeaders()).toEqual({});
    expect(session.startToolCall({ toolName: 'exec_command', callId: 'c' }).recording).toBe(false);
    expect(session.startModelRequest().recording).toBe(false);
    session.userPrompt('x');
    session.toolDecision({ toolName: 'exec_command', callId: 'c', decision: 'denied', source: 'User' });
    session.toolCallAborted({ toolName: 'exec_command', callId: 'c2' });
    await timeToolCall(session, { toolName: 'exec_command', callId: 'c3', arguments: '' }, async () => 'ok');
    turn.end({ inputTokens: 1 });
    await telemetry.forceFlush();
    const records = logs.getFinishedLogRecords();
    expect(records.length).toBe(3);
    for (const record of records) expect(record.spanContext).toBeUndefined();
    await telemetry.shutdown();
  });
});

describe('spans on', () => {
  function withSpans() {
    const spans = new InMemorySpanExporter();
    const logs = new InMemoryLogRecordExporter();
    const telemetry = createTelemetry(defaultConfig(), { logExporters: [logs], spanExporters: [spans], diagnostics: false });
    return { telemetry, spans, logs };
  }

  it('never throws on hostile input, and the session keeps working afterwards', async () => {
    const { telemetry, spans, logs } = withSpans();
    const session = telemetry.startSession(SESSION);
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
    expect(() => session.toolDecision(hostile as never)).not.toThrow();
    expect(() => session.toolResult(hostile as never)).not.toThrow();
    expect(() => session.startTurn(hostile as never)).not.toThrow();
    expect(() => session.startToolCall(hostile as never)).not.toThrow();
    expect(() => session.sseEventCompleted(hostile as never)).not.toThrow();
    expect(() => session.currentTurn.end(hostile as never)).not.toThrow();
    session.toolDecision({ toolName: 'exec_command', callId: 'after', decision: 'denied', source: 'User' });
    await telemetry.forceFlush();
    expect(spans.getFinishedSpans().find((s) => s.attributes['call_id'] === 'after')?.attributes['aborted']).toBe(true);
    expect(logs.getFinishedLogRecords().length).toBeGreaterThan(0);
    expect(spans.getFinishedSpans().length).toBeGreaterThan(0);
    await telemetry.shutdown();
  });

  it('a tool run that is aborted (AbortError) ends its span aborted; a failed run does not', async () => {
    const { telemetry, spans } = withSpans();
    const session = telemetry.startSession(SESSION);
    session.startTurn();
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    await expect(timeToolCall(session, { toolName: 'exec_command', callId: 'a', arguments: '' }, async () => { throw abort; })).rejects.toBe(abort);
    await expect(timeToolCall(session, { toolName: 'exec_command', callId: 'f', arguments: '' }, async () => { throw new Error('exit 1'); })).rejects.toThrow('exit 1');
    await telemetry.forceFlush();
    const byCall = (id: string) => spans.getFinishedSpans().find((s) => s.attributes['call_id'] === id)!;
    expect(byCall('a').attributes['aborted']).toBe(true);
    expect(byCall('f').attributes['aborted']).toBe(false);
    expect(byCall('f').status.code).toBe(2);
    await telemetry.shutdown();
  });

  it('a new turn ends the previous one, and its open tool calls end aborted', async () => {
    const { telemetry, spans } = withSpans();
    const session = telemetry.startSession(SESSION);
    session.startTurn({ turnId: 'first' });
    session.toolDecision({ toolName: 'exec_command', callId: 'pending', decision: 'approved', source: 'User' });
    session.startTurn({ turnId: 'second' });
    session.turn({ e2eDurationMs: 1 });
    await telemetry.forceFlush();
    const finished = spans.getFinishedSpans();
    expect(finished.filter((s) => s.name === 'session_task.turn').map((s) => s.attributes['turn.id'])).toEqual(['first', 'second']);
    expect(finished.find((s) => s.attributes['call_id'] === 'pending')!.attributes['aborted']).toBe(true);
    await telemetry.shutdown();
  });

  it('websocket transport: connection and request spans named as Codex\'s, each carrying its event', async () => {
    const { telemetry, spans, logs } = withSpans();
    const session = telemetry.startSession(SESSION);
    session.startTurn();
    session.websocketConnect({ durationMs: 4, success: true, endpoint: '/responses' });
    session.websocketRequest({ durationMs: 30, success: false, error: 'closed' });
    session.turn({ e2eDurationMs: 40 });
    await telemetry.forceFlush();
    const span = (name: string) => spans.getFinishedSpans().find((s) => s.name === name)!;
    const record = (name: string) => logs.getFinishedLogRecords().find((r) => r.attributes['event.name'] === name)!;
    expect(record('codex.websocket_connect').spanContext?.spanId).toBe(span('model_client.websocket_connection').spanContext().spanId);
    expect(record('codex.websocket_request').spanContext?.spanId).toBe(span('responses_websocket.stream_request').spanContext().spanId);
    expect(span('responses_websocket.stream_request').parentSpanContext?.spanId).toBe(span('model_client.stream_responses_websocket').spanContext().spanId);
    expect(span('responses_websocket.stream_request').status.code).toBe(2);
    await telemetry.shutdown();
  });

  it('each user prompt begins a turn, except the first of a turn the agent opened', async () => {
    const { telemetry, spans } = withSpans();
    const session = telemetry.startSession(SESSION);
    session.startTurn({ turnId: 'explicit' });
    session.userPrompt('one');
    session.userPrompt('two');
    session.userPrompt('three');
    session.turn({ e2eDurationMs: 1 });
    await telemetry.forceFlush();
    const turns = spans.getFinishedSpans().filter((s) => s.name === 'session_task.turn');
    expect(turns.length).toBe(3);
    expect(turns[0]!.attributes['turn.id']).toBe('explicit');
    await telemetry.shutdown();
  });

  it('shutdown ends what is still open, so it is exported: the turn, and its unfinished tool call as aborted', async () => {
    const kept: ReadableSpan[] = [];
    const exporter: SpanExporter = {
      export: (spans, done) => { kept.push(...spans); done({ code: 0 }); },
      shutdown: () => Promise.resolve(),
    };
    const telemetry = createTelemetry(defaultConfig(), { spanExporters: [exporter], diagnostics: false });
    const session = telemetry.startSession(SESSION);
    session.userPrompt('run it');
    session.toolDecision({ toolName: 'exec_command', callId: 'running', decision: 'approved', source: 'User' });
    await telemetry.shutdown();
    expect(kept.map((s) => s.name).sort()).toEqual(['exec_command', 'session_task.turn']);
    expect(kept.find((s) => s.name === 'exec_command')!.attributes['aborted']).toBe(true);
  });
});
