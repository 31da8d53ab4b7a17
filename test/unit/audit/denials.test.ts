import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../../src/cli/audit/command.js';
import { SPAN_DENIAL_LABEL, currentDecision, isDenial } from '../../../src/cli/audit/decisions.js';
import type { AuditReport } from '../../../src/cli/audit/report.js';
import { tempDir } from './helpers.js';
import { common, sdkLogsJson, sdkTracesJson, type Attributes, type SdkLogRecord } from './sdk-otlp.js';

const T = Date.parse('2026-12-01T10:00:00.000Z');
const TUI_RESOURCE = { 'service.name': 'codex-app-server' };

function decision(conversation: string, callId: string, value: string, at: number, extra: Attributes = {}, originator = 'codex-tui', email: string | null = 'tui@example.com'): SdkLogRecord {
  return { attributes: { 'event.name': 'codex.tool_decision', tool_name: 'exec_command', tool_namespace: 'functions', call_id: callId, decision: value, source: 'User', ...common(conversation, originator, email, at), ...extra } };
}

function conversationStart(conversation: string, at: number, originator = 'codex-tui', email: string | null = 'tui@example.com'): SdkLogRecord {
  return { attributes: { 'event.name': 'codex.conversation_starts', provider_name: 'mock', approval_policy: 'on-request', sandbox_policy: 'workspace-write', mcp_servers: '', ...common(conversation, originator, email, at) } };
}

function abortedSpan(conversation: string, callId: string, at: number) {
  return { name: 'exec_command', attributes: { call_id: callId, tool_name: 'exec_command', aborted: true, 'codex.tool.phase': 'approval', 'conversation.id': conversation, 'turn.id': 'turn-1' }, start: at, end: at + 1500 };
}

/** Writes each text as its own file (JSON lines) and audits the folder. */
async function auditTexts(texts: Record<string, string>): Promise<AuditReport> {
  const dir = tempDir();
  for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), `${text}\n`);
  const { report, errors } = await auditFiles([dir]);
  expect(errors).toEqual([]);
  return report;
}

describe('denials from decisions and from aborted tool spans', () => {
  it('reports a TUI denial that exists only as an aborted exec_command span, with the conversation\'s user and client', async () => {
    const report = await auditTexts({
      'logs.jsonl': await sdkLogsJson([conversationStart('tui-1', T), decision('tui-1', 'call_ok', 'approved', T + 1000)], TUI_RESOURCE),
      'traces.jsonl': await sdkTracesJson([abortedSpan('tui-1', 'call_esc', T + 2000), { name: 'turn/start', attributes: { 'turn.id': 'turn-1' }, start: T, end: T + 9000 }]),
    });
    expect(report.denials).toEqual([{
      timestamp: new Date(T + 3500).toISOString(), conversation_id: 'tui-1', user_email: 'tui@example.com',
      tool_name: 'exec_command', call_id: 'call_esc', decision: 'abort', source: 'User', originator: 'codex-tui', label: SPAN_DENIAL_LABEL, evidence: 'span',
    }]);
    expect(report).toMatchObject({ spans: 2, aborted_tool_spans: 1, events: 2 });
    expect(report.decisions).toEqual([{ tool_name: 'exec_command', decision: 'approved', source: 'User', count: 1 }]);
    expect(report.clients).toEqual([{ originator: 'codex-tui', events: 2, conversations: 1, decisions: 1, denials: 1 }]);
  });

  it('counts a denial once when it arrives as a decision and as an aborted span (joined on call_id)', async () => {
    const report = await auditTexts({
      'logs.jsonl': await sdkLogsJson([decision('c1', 'call_1', 'denied', T)], TUI_RESOURCE),
      'traces.jsonl': await sdkTracesJson([abortedSpan('c1', 'call_1', T)]),
    });
    expect(report.denials).toHaveLength(1);
    expect(report.denials[0]).toMatchObject({ call_id: 'call_1', decision: 'denied', label: 'denied', evidence: 'decision+span', timestamp: new Date(T).toISOString() });
    expect(report.by_user).toEqual([{ user_email: 'tui@example.com', decisions: 1, denials: 1 }]);
    expect(report.by_tool).toEqual([{ tool_name: 'exec_command', decisions: 1, denials: 1 }]);
  });

  it('joins the record our collector connector made from a span (codex_otel.derived_from = "span") with the span, and does not count it as a decision', async () => {
    const derived = decision('c2', 'call_2', 'abort', T + 1500, { 'codex_otel.derived_from': 'span', 'codex_otel.record_id': 'r-derived' });
    const report = await auditTexts({
      'siem.jsonl': await sdkLogsJson([conversationStart('c2', T), derived], TUI_RESOURCE),
      'traces.jsonl': await sdkTracesJson([abortedSpan('c2', 'call_2', T)]),
    });
    expect(report.denials).toEqual([expect.objectContaining({ call_id: 'call_2', label: SPAN_DENIAL_LABEL, evidence: 'span', user_email: 'tui@example.com' })]);
    expect(report.decisions).toEqual([]);
    expect(report.events).toBe(2);
  });

  it('counts one denial seen as a decision, as a derived record and as a span once', async () => {
    const report = await auditTexts({
      'a.jsonl': await sdkLogsJson([decision('c3', 'call_3', 'denied', T), decision('c3', 'call_3', 'abort', T, { 'codex_otel.derived_from': 'span' })]),
      'b.jsonl': await sdkTracesJson([abortedSpan('c3', 'call_3', T)]),
    });
    expect(report.denials.map((d) => [d.call_id, d.decision, d.evidence])).toEqual([['call_3', 'denied', 'decision+span']]);
  });

  it('treats an approved call whose span was aborted as interrupted by the user', async () => {
    const report = await auditTexts({
      'a.jsonl': await sdkLogsJson([decision('c4', 'call_4', 'approved', T)]),
      'b.jsonl': await sdkTracesJson([abortedSpan('c4', 'call_4', T)]),
    });
    expect(report.denials.map((d) => [d.call_id, d.label])).toEqual([['call_4', SPAN_DENIAL_LABEL]]);
  });

  it('ignores aborted spans that are not tool calls, spans that were not aborted, and duplicate spans', async () => {
    const traces = await sdkTracesJson([
      { name: 'turn/start', attributes: { aborted: true, 'turn.id': 't' }, start: T, end: T + 1 },
      { name: 'exec_command', attributes: { aborted: true, tool_name: 'exec_command' }, start: T, end: T + 1 },
      { name: 'exec_command', attributes: { call_id: 'ran', tool_name: 'exec_command', aborted: false }, start: T, end: T + 1 },
      abortedSpan('c5', 'call_5', T),
    ]);
    const report = await auditTexts({ 'a.jsonl': traces, 'again.jsonl': traces });
    expect(report.spans).toBe(8);
    expect(report.aborted_tool_spans).toBe(1);
    expect(report.denials.map((d) => d.call_id)).toEqual(['call_5']);
  });
});

describe('what is counted', () => {
  it('counts only codex.* events: DEBUG records without event.name are ignored, never named from eventName', async () => {
    const report = await auditTexts({
      'logs.jsonl': await sdkLogsJson([
        conversationStart('c6', T, 'codex_exec'),
        { attributes: {}, severityNumber: 5, body: 'flushing OTEL metrics', eventName: 'event otel/src/metrics/client.rs:88' },
        { attributes: { 'event.name': 'app.other_thing' } },
      ], { 'service.name': 'codex_cli_rs' }, 'codex_otel::metrics::client'),
    });
    expect(report.events).toBe(1);
    expect(report.ignored_records).toBe(2);
    expect(report.events_by_name).toEqual([{ name: 'codex.conversation_starts', count: 1 }]);
  });

  it('counts a record delivered twice (same codex_otel.record_id) once', async () => {
    const logs = await sdkLogsJson([decision('c7', 'call_7', 'denied', T, { 'codex_otel.record_id': 'rec-7' }), decision('c7', 'call_8', 'approved', T, { 'codex_otel.record_id': 'rec-8' })]);
    const report = await auditTexts({ 'logs.1.jsonl': logs, 'logs.jsonl': logs });
    expect(report.events).toBe(2);
    expect(report.duplicate_records).toBe(2);
    expect(report.decisions.map((d) => d.count)).toEqual([1, 1]);
    expect(report.denials).toHaveLength(1);
  });

  it('groups clients by originator, not by service.name', async () => {
    const report = await auditTexts({
      'tui.jsonl': await sdkLogsJson([conversationStart('t1', T, 'codex-tui')], { 'service.name': 'codex-app-server' }),
      'exec.jsonl': await sdkLogsJson([conversationStart('e1', T, 'codex_exec'), conversationStart('e2', T, 'codex_exec')], { 'service.name': 'codex_exec' }),
      'vscode.jsonl': await sdkLogsJson([conversationStart('v1', T, 'codex_vscode')], { 'service.name': 'codex-app-server' }),
    });
    expect(report.clients.map((c) => [c.originator, c.conversations])).toEqual([['codex_exec', 2], ['codex-tui', 1], ['codex_vscode', 1]]);
  });

  it('maps the older decision spellings of a mixed fleet to the 0.169 ones', () => {
    expect(['approvedforsession', 'approvedexecpolicyamendment', 'networkpolicyamendment', 'timedout', 'TimedOut', 'approved_with_amendment', 'something_new'].map(currentDecision))
      .toEqual(['approved_for_session', 'approved_with_amendment', 'approved_with_network_policy_allow', 'timed_out', 'timed_out', 'approved_with_amendment', 'something_new']);
    expect(['denied', 'abort', 'timed_out', 'timedout', 'denied_with_network_policy_deny', 'denied_by_future_rule'].every(isDenial)).toBe(true);
    expect(['approved', 'approved_for_session', 'approved_with_network_policy_allow', 'networkpolicyamendment', null].some(isDenial)).toBe(false);
  });
});

describe('timeline', () => {
  it('counts decisions and denials per hour, empty hours included', async () => {
    const hour = 3_600_000;
    const report = await auditTexts({
      'logs.jsonl': await sdkLogsJson([decision('c8', 'a', 'approved', T), decision('c8', 'b', 'denied', T + 10), decision('c8', 'c', 'approved', T + 2 * hour + 5)]),
      'traces.jsonl': await sdkTracesJson([abortedSpan('c8', 'd', T + 2 * hour)]),
    });
    expect(report.timeline).toEqual({
      bucket: 'hour',
      buckets: [
        { start: new Date(T).toISOString(), decisions: 2, denials: 1 },
        { start: new Date(T + hour).toISOString(), decisions: 0, denials: 0 },
        { start: new Date(T + 2 * hour).toISOString(), decisions: 1, denials: 1 },
      ],
    });
  });

  it('switches to days beyond two days of data', async () => {
    const day = 86_400_000;
    const report = await auditTexts({ 'logs.jsonl': await sdkLogsJson([decision('c9', 'a', 'denied', T), decision('c9', 'b', 'approved', T + 3 * day)]) });
    expect(report.timeline.bucket).toBe('day');
    expect(report.timeline.buckets.map((b) => [b.decisions, b.denials])).toEqual([[1, 1], [0, 0], [0, 0], [1, 0]]);
  });
});
