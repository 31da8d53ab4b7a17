import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createTelemetry, defaultConfig, instrumentSseStream, timeApiRequest, timeToolCall } from '../../../src/index.js';

function setup() {
  const logs = new InMemoryLogRecordExporter();
  const telemetry = createTelemetry(defaultConfig(), { diagnostics: false, logExporters: [logs] });
  const session = telemetry.startSession({ conversationId: 'h-1', model: 'gpt-5' });
  const records = async () => {
    await telemetry.forceFlush();
    return logs.getFinishedLogRecords().map((r): Record<string, unknown> => ({ name: r.eventName, ...r.attributes }));
  };
  return { telemetry, session, records };
}

async function* sse(events: Array<{ type: string; usage?: { input: number; output: number; total: number } }>, closed: { value: boolean }) {
  try {
    for (const event of events) yield event;
  } finally {
    closed.value = true;
  }
}

const reader = {
  kind: (e: { type: string }) => e.type,
  usage: (e: { type: string; usage?: { input: number; output: number; total: number } }) =>
    (e.usage ? { inputTokens: e.usage.input, outputTokens: e.usage.output, totalTokens: e.usage.total } : undefined),
};

describe('instrumentSseStream', () => {
  it('records one codex.sse_event per chunk and the completion with its usage, passing events through', async () => {
    const { session, records, telemetry } = setup();
    const closed = { value: false };
    const seen: string[] = [];
    const stream = sse([{ type: 'response.output_text.delta' }, { type: 'response.output_text.delta' },
      { type: 'response.completed', usage: { input: 10, output: 4, total: 14 } }], closed);
    for await (const event of instrumentSseStream(session, stream, reader)) seen.push(event.type);
    expect(seen).toEqual(['response.output_text.delta', 'response.output_text.delta', 'response.completed']);
    const sseRecords = (await records()).filter((r) => r.name === 'codex.sse_event');
    // As Codex: the completed chunk, then its usage record.
    expect(sseRecords.map((r) => r['event.kind'])).toEqual(['response.output_text.delta', 'response.output_text.delta', 'response.completed', 'response.completed']);
    expect(sseRecords[2]).toMatchObject({ duration_ms: expect.any(String) });
    expect(sseRecords[3]).toMatchObject({ input_token_count: '10', output_token_count: '4', tool_token_count: '14' });
    expect(closed.value).toBe(true);
    await telemetry.shutdown();
  });

  it('closes the upstream stream when the consumer stops early', async () => {
    const { session, telemetry } = setup();
    const closed = { value: false };
    const stream = sse([{ type: 'a' }, { type: 'b' }, { type: 'c' }], closed);
    for await (const event of instrumentSseStream(session, stream, reader)) if (event.type === 'a') break;
    expect(closed.value).toBe(true);
    await telemetry.shutdown();
  });

  it('records a failed chunk when the stream throws, and rethrows', async () => {
    const { session, records, telemetry } = setup();
    async function* broken() { yield { type: 'a' }; throw new Error('stream reset'); }
    await expect((async () => { for await (const _ of instrumentSseStream(session, broken(), reader)) { /* consume */ } })()).rejects.toThrow('stream reset');
    const failed = (await records()).filter((r) => r['error.message'] === 'stream reset');
    expect(failed).toHaveLength(1);
    await telemetry.shutdown();
  });
});

describe('timeApiRequest', () => {
  it('reads the status of a fetch-like result when no statusOf is given', async () => {
    const { session, records, telemetry } = setup();
    await timeApiRequest(session, { attempt: 0, endpoint: '/responses' }, async () => ({ status: 200 }));
    await expect(timeApiRequest(session, { attempt: 1, endpoint: '/responses' }, async () => {
      throw Object.assign(new Error('too many requests'), { status: 429 });
    })).rejects.toThrow('too many requests');
    const api = (await records()).filter((r) => r.name === 'codex.api_request');
    expect(api.map((r) => [r['http.response.status_code'], r['error.message'], r.attempt])).toEqual([[200, undefined, 0], [429, 'too many requests', 1]]);
    await telemetry.shutdown();
  });
});

describe('timeToolCall', () => {
  it('records the output and success, and a thrown error as a failed call', async () => {
    const { session, records, telemetry } = setup();
    await timeToolCall(session, { toolName: 'shell', callId: 'c1', arguments: 'ls' }, async () => 'file.txt');
    await expect(timeToolCall(session, { toolName: 'shell', callId: 'c2', arguments: 'false' }, async () => {
      throw new Error('exit 1');
    })).rejects.toThrow('exit 1');
    const results = (await records()).filter((r) => r.name === 'codex.tool_result');
    expect(results.map((r) => [r.call_id, r.success, r.output])).toEqual([['c1', 'true', 'file.txt'], ['c2', 'false', 'exit 1']]);
    await telemetry.shutdown();
  });
});
