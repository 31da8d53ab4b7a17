import { describe, expect, it } from 'vitest';
import type { AuditRecord, PlainValue } from '../../../src/cli/audit/otlp-json.js';
import { AuditAggregator, buildAuditReport, type AuditReport } from '../../../src/cli/audit/report.js';
import { CODEX_SAMPLE, CONV_A, CONV_B, CONV_C, CONV_D, readAll } from './helpers.js';

async function sampleReport(filter = {}): Promise<AuditReport> {
  const { records } = await readAll(CODEX_SAMPLE);
  return buildAuditReport(records, { filter });
}

let serial = 0;
function record(name: string | null, attributes: Record<string, PlainValue>, time: number | null = 1_000): AuditRecord {
  return { name, time, attributes: { ...attributes }, resource: {}, scope: null, location: { file: 'mem', line: ++serial } };
}

describe('buildAuditReport on the real-Codex-shaped Collector sample', () => {
  it('counts events and conversations', async () => {
    const report = await sampleReport();
    expect(report.events).toBe(28);
    expect(report.conversations).toBe(4);
    expect(report.time_range).toEqual({ first: '2025-09-28T09:00:00.000Z', last: '2025-09-30T12:03:00.000Z' });
    expect(report.filtered_out).toBe(0);
  });

  it('groups decisions by tool × decision × source, older decision spellings as the current ones, sources as sent', async () => {
    const report = await sampleReport();
    expect(report.decisions).toEqual([
      { tool_name: 'shell', decision: 'approved', source: 'Config', count: 3 },
      { tool_name: 'apply_patch', decision: 'denied', source: 'User', count: 1 },
      { tool_name: 'create_issue', decision: 'approved', source: 'AutomatedReviewer', count: 1 },
      { tool_name: 'read_file', decision: 'denied', source: 'AutomatedReviewer', count: 1 },
      { tool_name: 'shell', decision: 'abort', source: 'User', count: 1 },
      { tool_name: 'shell', decision: 'approved', source: 'config', count: 1 },
      { tool_name: 'shell', decision: 'approved_for_session', source: 'User', count: 1 },
      { tool_name: 'shell', decision: 'denied', source: 'user', count: 1 },
      { tool_name: 'shell', decision: 'timed_out', source: 'User', count: 1 },
    ]);
  });

  it('lists every denial (denied, abort, timed_out) oldest first, a missing email as null', async () => {
    const report = await sampleReport();
    const row = (timestamp: string, conversation_id: string, user_email: string | null, originator: string, tool_name: string, call_id: string, decision: string, source: string) =>
      ({ timestamp, conversation_id, user_email, tool_name, call_id, decision, source, originator, label: decision, evidence: 'decision' });
    expect(report.denials).toEqual([
      row('2025-09-28T09:02:00.000Z', CONV_D, 'dave@example.com', 'codex_exec', 'shell', 'call_D2', 'denied', 'user'),
      row('2025-09-30T10:03:00.000Z', CONV_A, 'alice@example.com', 'codex_cli_rs', 'apply_patch', 'call_A3', 'denied', 'User'),
      row('2025-09-30T10:06:00.000Z', CONV_A, 'alice@example.com', 'codex_cli_rs', 'shell', 'call_A6', 'abort', 'User'),
      row('2025-09-30T11:02:00.000Z', CONV_B, 'bob@example.com', 'codex_cli_rs', 'shell', 'call_B2', 'timed_out', 'User'),
      row('2025-09-30T12:01:00.000Z', CONV_C, null, 'codex_cli_rs', 'read_file', 'call_C1', 'denied', 'AutomatedReviewer'),
    ]);
  });

  it('finds conversations in danger-full-access or with approval_policy never', async () => {
    const report = await sampleReport();
    expect(report.risky_conversations).toEqual([
      { conversation_id: CONV_B, sandbox_policy: 'danger-full-access', approval_policy: 'never', model: 'gpt-5', timestamp: '2025-09-30T11:00:00.000Z', user_email: 'bob@example.com' },
      { conversation_id: CONV_C, sandbox_policy: 'read-only', approval_policy: 'never', model: 'o4-mini', timestamp: '2025-09-30T12:00:00.000Z', user_email: null },
    ]);
  });

  it('counts tool failures from success "false" and boolean false', async () => {
    const report = await sampleReport();
    expect(report.tool_failures).toEqual([
      { tool_name: 'shell', count: 2, calls: 5 },
      { tool_name: 'read_file', count: 1, calls: 1 },
      { tool_name: 'search_code', count: 1, calls: 1 },
    ]);
  });

  it('lists MCP servers used (tool_result mcp_server) and configured (conversation_starts mcp_servers)', async () => {
    const report = await sampleReport();
    expect(report.mcp_servers).toEqual([
      { server: 'github', calls: 2, failures: 1, tools: [{ tool_name: 'create_issue', count: 1 }, { tool_name: 'search_code', count: 1 }], conversations_configured: 3 },
      { server: 'filesystem', calls: 1, failures: 1, tools: [{ tool_name: 'read_file', count: 1 }], conversations_configured: 1 },
    ]);
  });

  it('counts events by name and prompts (never their content)', async () => {
    const report = await sampleReport();
    expect(report.events_by_name).toEqual([
      { name: 'codex.tool_decision', count: 11 },
      { name: 'codex.tool_result', count: 8 },
      { name: 'codex.conversation_starts', count: 4 },
      { name: 'codex.user_prompt', count: 2 },
      { name: 'codex.api_request', count: 1 },
      { name: 'codex.sandbox_outcome', count: 1 },
      { name: 'codex.sse_event', count: 1 },
    ]);
    expect(report.prompts).toEqual({ count: 2, total_length: 49, average_length: 24.5 });
    expect(JSON.stringify(report)).not.toContain('[REDACTED]');
  });

  it('--since leaves out older events and counts them as filtered out', async () => {
    const report = await sampleReport({ since: Date.parse('2025-09-29T00:00:00Z') });
    expect(report.events).toBe(24);
    expect(report.conversations).toBe(3);
    expect(report.filtered_out).toBe(4);
    expect(report.denials.map((d) => d.call_id)).toEqual(['call_A3', 'call_A6', 'call_B2', 'call_C1']);
    expect(report.decisions.find((d) => d.source === 'config' || d.source === 'user')).toBeUndefined();
    expect(report.mcp_servers.find((m) => m.server === 'github')?.conversations_configured).toBe(2);
    expect(report.filter).toEqual({ since: '2025-09-29T00:00:00.000Z', until: null });
  });

  it('--until is exclusive', async () => {
    const report = await sampleReport({ until: Date.parse('2025-09-30T11:00:00Z') });
    expect(report.events).toBe(17);
    expect(report.conversations).toBe(2);
    expect(report.risky_conversations).toEqual([]);
  });
});

describe('AuditAggregator', () => {
  it('is empty with no records, and passes the reader summary through', () => {
    const report = new AuditAggregator().report({ files: ['a'], errors: ['b: gone'], lines: 3, logLines: 1, otherSignalLines: 1, malformedLines: 1, malformed: [{ file: 'a', line: 2, reason: 'not JSON' }] });
    expect(report).toMatchObject({
      events: 0, conversations: 0, decisions: [], denials: [], risky_conversations: [], tool_failures: [], mcp_servers: [],
      prompts: { count: 0, total_length: 0, average_length: null },
      time_range: { first: null, last: null },
      malformed_lines: 1,
      malformed_examples: [{ location: 'a:2', reason: 'not JSON' }],
      input: { files: ['a'], errors: ['b: gone'], lines: 3, log_lines: 1, other_signal_lines: 1 },
    });
  });

  it('leaves out records with no time when a filter is set, keeps them otherwise', () => {
    const records = [record('codex.x', {}, null), record('codex.x', {}, 5_000)];
    expect(buildAuditReport(records).events).toBe(2);
    const filtered = buildAuditReport(records, { filter: { since: 0 } });
    expect(filtered.events).toBe(1);
    expect(filtered.filtered_out).toBe(1);
  });

  it('reports absent attributes as null, never ""; renders numbers and booleans as text', () => {
    const report = buildAuditReport([
      record('codex.tool_decision', { decision: 'denied' }),
      record('codex.tool_decision', { tool_name: 7, decision: 'approved', source: true }),
    ]);
    expect(report.denials).toEqual([{ timestamp: '1970-01-01T00:00:01.000Z', conversation_id: null, user_email: null, tool_name: null, call_id: null, decision: 'denied', source: null, originator: null, label: 'denied', evidence: 'decision' }]);
    expect(report.decisions).toEqual([
      { tool_name: '7', decision: 'approved', source: 'true', count: 1 },
      { tool_name: null, decision: 'denied', source: null, count: 1 },
    ]);
  });

  it('reports a risky conversation once even when its start is replayed', () => {
    const start = { 'conversation.id': 'c', sandbox_policy: 'danger-full-access', approval_policy: 'on-request', model: 'm' };
    const report = buildAuditReport([record('codex.conversation_starts', start), record('codex.conversation_starts', start)]);
    expect(report.risky_conversations).toHaveLength(1);
    expect(report.conversations).toBe(1);
  });

  it('reads prompt_length sent as a string or a number, and ignores garbage', () => {
    const report = buildAuditReport([
      record('codex.user_prompt', { prompt_length: '10' }),
      record('codex.user_prompt', { prompt_length: 5 }),
      record('codex.user_prompt', { prompt_length: 'ten' }),
      record('codex.user_prompt', {}),
    ]);
    expect(report.prompts).toEqual({ count: 4, total_length: 15, average_length: 7.5 });
  });

  it('does not count successful or unknown tool results as failures', () => {
    const report = buildAuditReport([
      record('codex.tool_result', { tool_name: 't', success: 'true' }),
      record('codex.tool_result', { tool_name: 't', success: true }),
      record('codex.tool_result', { tool_name: 't' }),
      record('codex.tool_result', { tool_name: 't', success: 'False' }),
    ]);
    expect(report.tool_failures).toEqual([{ tool_name: 't', count: 1, calls: 4 }]);
  });

  it('splits mcp_servers on commas and ignores an empty mcp_server', () => {
    const report = buildAuditReport([
      record('codex.conversation_starts', { 'conversation.id': 'a', mcp_servers: 'one, two,,three ' }),
      record('codex.conversation_starts', { 'conversation.id': 'b', mcp_servers: '' }),
      record('codex.tool_result', { tool_name: 'shell', mcp_server: '' }),
    ]);
    expect(report.mcp_servers.map((m) => [m.server, m.calls, m.conversations_configured])).toEqual([['one', 0, 1], ['three', 0, 1], ['two', 0, 1]]);
  });

  it('orders ties deterministically whatever the input order', () => {
    const records = [
      record('codex.tool_decision', { tool_name: 'b', decision: 'denied', source: 'User', call_id: '2' }, 10),
      record('codex.tool_decision', { tool_name: 'a', decision: 'denied', source: 'User', call_id: '1' }, 10),
      record('codex.tool_decision', { tool_name: 'a', decision: 'abort', source: 'User', call_id: '3' }, null),
    ];
    const forward = buildAuditReport(records);
    const backward = buildAuditReport(records.slice().reverse());
    expect(backward.decisions).toEqual(forward.decisions);
    expect(backward.denials).toEqual(forward.denials);
    expect(forward.denials.map((d) => d.call_id)).toEqual(['1', '2', '3']);
  });
});
