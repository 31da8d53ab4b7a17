/**
 * Values (not shapes: those are proven against the real binary in test/conformance) of the 0.169
 * behaviours a caller relies on: the preview size from `[otel.tool_result] max_bytes`,
 * `output_truncated`, `tool_result_seq`, decisions sent as given, asked approvals counted with the
 * decision and the handler name, token usage per turn.
 */
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../../src/index.js';

function setup(otel = '') {
  const parsed = parseConfigText(`[otel]\n${otel}`, { env: {} });
  if (!parsed.config) throw new Error(JSON.stringify(parsed.errors));
  const logs = new InMemoryLogRecordExporter();
  const metrics = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  const telemetry = createTelemetry(parsed.config, { diagnostics: false, logExporters: [logs], metricExporters: [metrics] });
  const records = async () => {
    await telemetry.forceFlush();
    return logs.getFinishedLogRecords().map((r): Record<string, unknown> => ({ ...r.attributes }));
  };
  const points = async (name: string) => {
    await telemetry.shutdown();
    return metrics.getMetrics().flatMap((rm) => rm.scopeMetrics).flatMap((sm) => sm.metrics)
      .filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>);
  };
  return { telemetry, records, points };
}

describe('codex.tool_result (Codex 0.169)', () => {
  it('cuts the preview at [otel.tool_result] max_bytes and says so in output_truncated', async () => {
    const { telemetry, records } = setup('[otel.tool_result]\nmax_bytes = 8');
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    session.toolResult({ toolName: 'exec_command', callId: 'a', arguments: '{}', durationMs: 1, success: true, output: 'héllo world' });
    session.toolResult({ toolName: 'exec_command', callId: 'b', arguments: '{}', durationMs: 1, success: true, output: 'short' });
    const [cut, whole] = await records();
    expect(cut).toMatchObject({ output: 'héllo w\n[... telemetry preview truncated ...]', output_truncated: true });
    expect(whole).toMatchObject({ output: 'short', output_truncated: false });
    await telemetry.shutdown();
  });

  it('says output_truncated from the preview actually sent, which is cut after scrubbing', async () => {
    const { telemetry, records } = setup('[otel.tool_result]\nmax_bytes = 40');
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    // 46 bytes raw, but the scrubbed text fits in 40: nothing is cut.
    const output = 'token ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0001';
    expect(Buffer.byteLength(output)).toBeGreaterThan(40);
    session.toolResult({ toolName: 'exec_command', callId: 'a', arguments: '{}', durationMs: 1, success: true, output });
    const [result] = await records();
    expect(result).toMatchObject({ output: 'token [REDACTED:github_token]', output_truncated: false });
    await telemetry.shutdown();
  });

  it('says output_truncated from the cut itself, not from how the text ends', async () => {
    const { telemetry, records } = setup('[otel.tool_result]\nmax_bytes = 100');
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    // Fits whole, yet ends like a cut preview (a tool that prints our notice, or an output fed back).
    const output = 'log\n[... telemetry preview truncated ...]';
    session.toolResult({ toolName: 'exec_command', callId: 'a', arguments: '{}', durationMs: 1, success: true, output });
    const [result] = await records();
    expect(result).toMatchObject({ output, output_truncated: false });
    await telemetry.shutdown();
  });

  it('says output_truncated, with the notice, when the output is longer than any string we send (a max_bytes past 32 KiB)', async () => {
    const { telemetry, records } = setup('[otel.tool_result]\nmax_bytes = 100000');
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    session.toolResult({ toolName: 'exec_command', callId: 'a', arguments: '{}', durationMs: 1, success: true, output: 'a'.repeat(150_000) });
    session.toolResult({ toolName: 'exec_command', callId: 'b', arguments: '{}', durationMs: 1, success: true, output: 'b'.repeat(50_000) });
    for (const result of await records()) {
      expect(result['output_truncated']).toBe(true);
      expect(String(result['output']).endsWith('\n[... telemetry preview truncated ...]')).toBe(true);
    }
    await telemetry.shutdown();
  });

  it('counts each tool call in its own series when the tools or the sessions alternate', async () => {
    const { telemetry, points } = setup();
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    for (const toolName of ['shell', 'apply_patch', 'shell', 'shell', 'apply_patch', 'web_search', 'shell']) {
      session.toolResult({ toolName, callId: 'x', arguments: '', durationMs: 1, success: toolName !== 'web_search', output: '' });
    }
    // Two sessions of different models, the same tool, one after the other: a series per session.
    const other = telemetry.startSession({ conversationId: 'c-2', model: 'o3' });
    for (const s of [session, other, other, session, other]) s.toolResult({ toolName: 'grep', callId: 'y', arguments: '', durationMs: 1, success: true, output: '' });
    const calls = await points('codex.tool.call');
    const counts = Object.fromEntries(calls.map((p) => [`${String(p.attributes['tool'])}/${String(p.attributes['success'])}/${String(p.attributes['model'])}`, p.value]));
    expect(counts).toEqual({ 'shell/true/gpt-5': 4, 'apply_patch/true/gpt-5': 2, 'web_search/false/gpt-5': 1, 'grep/true/gpt-5': 2, 'grep/true/o3': 3 });
  });

  it('numbers results from 1 across the sessions of one telemetry, with Codex defaults for namespace and agent', async () => {
    const { telemetry, records } = setup();
    const one = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    const two = telemetry.startSession({ conversationId: 'c-2', model: 'gpt-5' });
    for (const session of [one, two, one]) session.toolResult({ toolName: 'exec_command', callId: 'x', arguments: '', durationMs: 0, success: true, output: '' });
    const results = await records();
    expect(results.map((r) => r['tool_result_seq'])).toEqual([1, 2, 3]);
    expect(results[0]).toMatchObject({ tool_namespace: 'functions', agent_name: '/root' });
    await telemetry.shutdown();
  });
});

describe('codex.tool_decision (Codex 0.169)', () => {
  it('sends the decision as given and leaves source out when there is none', async () => {
    const { telemetry, records } = setup();
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    session.toolDecision({ toolName: 'exec_command', callId: 'a', decision: 'approved_with_amendment', source: 'User' });
    session.toolDecision({ toolName: 'exec_command', callId: 'b', decision: 'timed_out' });
    const [amended, timedOut] = await records();
    expect(amended).toMatchObject({ decision: 'approved_with_amendment', source: 'User', tool_namespace: 'functions' });
    expect(timedOut!['decision']).toBe('timed_out');
    expect('source' in timedOut!).toBe(false);
    await telemetry.shutdown();
  });

  it('counts asked approvals only, tagged with the decision and unified_exec for commands', async () => {
    const { telemetry, points } = setup();
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    session.toolDecision({ toolName: 'exec_command', callId: 'a', decision: 'approved', source: 'Config' });
    session.toolDecision({ toolName: 'exec_command', callId: 'b', decision: 'approved_for_session', source: 'User' });
    session.toolDecision({ toolName: 'apply_patch', callId: 'c', decision: 'denied', source: 'AutomatedReviewer' });
    const counted = (await points('codex.approval.requested')).map((p) => [p.attributes['tool'], p.attributes['approved'], p.value]);
    expect(counted).toEqual([['unified_exec', 'approved_for_session', 1], ['apply_patch', 'denied', 1]]);
  });
});

describe('codex.turn.token_usage (Codex 0.169)', () => {
  it('records the turn\'s sums once per token type at turn()', async () => {
    const { telemetry, points } = setup();
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    for (let i = 0; i < 2; i++) {
      session.sseEventCompleted({ inputTokens: 100, outputTokens: 10, cachedTokens: 40, cacheWriteTokens: 5, reasoningTokens: 3, totalTokens: 110 });
    }
    session.turn({ e2eDurationMs: 900 });
    const sums = Object.fromEntries((await points('codex.turn.token_usage')).map((p) => [p.attributes['token_type'], (p.value as { sum: number }).sum]));
    expect(sums).toEqual({ input: 200, cached_input: 80, cache_write_input: 10, output: 20, reasoning_output: 6, total: 220 });
  });
});
