/**
 * The one definition of a denial (src/events/decisions.ts), checked against every spelling Codex uses
 * (the contract's list, the real 0.169.0 captures, the older spellings of a mixed fleet) and against the
 * copies that cannot import it: the collector's spelling normalisation, the dashboards' and alert's LogQL
 * `decision=~"…"` regex, the decision our spanaudit connector writes; and the library's tool spans use it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CURRENT_DECISIONS, DENIAL_DECISIONS, LEGACY_DECISIONS, currentDecision, isApproval, isDenial } from '../../../src/events/decisions.js';
import { createTelemetry, defaultConfig } from '../../../src/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');

/** The decision values in a capture file (logs: `decision`; metrics: the `approved` tag of codex.approval.requested). */
function capturedDecisions(): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const { key, value } = node as { key?: unknown; value?: { stringValue?: unknown } };
    if ((key === 'decision' || key === 'approved') && typeof value?.stringValue === 'string') found.push(value.stringValue);
    Object.values(node).forEach(walk);
  };
  const captures = join(ROOT, 'test', 'fixtures', 'codex-0.169.0');
  for (const scenario of readdirSync(captures)) for (const signal of ['logs', 'metrics']) walk(JSON.parse(read('test', 'fixtures', 'codex-0.169.0', scenario, `${signal}.json`)));
  return found;
}

/** The collector's rewrites of old spellings: `set(log.attributes["decision"], "NEW") where log.attributes["decision"] == "OLD"`. */
function collectorRewrites(file: string): Record<string, string> {
  const rewrites: Record<string, string> = {};
  for (const match of read('collector', file).matchAll(/set\(log\.attributes\["decision"\], "([^"]+)"\) where log\.attributes\["decision"\] == "([^"]+)"/g)) rewrites[match[2]!] = match[1]!;
  return rewrites;
}

/** Every `decision=~"…"` of the dashboards and alert rules, as Loki sees it (JSON strings decoded). */
function dashboardDenialRegexes(): string[] {
  const texts = [
    ...readdirSync(join(ROOT, 'dashboards', 'json')).map((name) => JSON.stringify(JSON.parse(read('dashboards', 'json', name)), (_k, v: unknown) => v)),
    ...readdirSync(join(ROOT, 'dashboards', 'provisioning', 'alerting')).map((name) => read('dashboards', 'provisioning', 'alerting', name)),
  ];
  const found: string[] = [];
  for (const text of texts) {
    // In the JSON text the quotes are escaped (\"); in YAML they are plain.
    for (const match of text.matchAll(/decision=~\\?"((?:[^"\\]|\\\\.)*)\\?"/g)) found.push(match[1]!.replace(/\\\\/g, '\\'));
  }
  return found;
}

/** Every spelling known: Codex 0.169's, the older ones, one the 0.169.0 binary has in its approval protocol, future ones. */
const OLD = Object.keys(LEGACY_DECISIONS);
const KNOWN = [...CURRENT_DECISIONS, ...OLD, 'approved_execpolicy_amendment', 'denied_by_future_rule', 'something_new'];

describe('the one definition of a denial', () => {
  it('classifies every decision Codex 0.169 sends: approvals, denials, nothing in between', () => {
    expect(CURRENT_DECISIONS.filter(isDenial)).toEqual(['denied_with_network_policy_deny', 'denied', 'timed_out', 'abort']);
    expect(CURRENT_DECISIONS.filter(isApproval)).toEqual(['approved', 'approved_for_session', 'approved_with_amendment', 'approved_mcp_policy_amendment', 'approved_with_network_policy_allow']);
    expect(CURRENT_DECISIONS.every((d) => isDenial(d) !== isApproval(d))).toBe(true);
    expect([...DENIAL_DECISIONS].every((d) => (CURRENT_DECISIONS as readonly string[]).includes(d))).toBe(true);
  });

  it('agrees with the real 0.169.0 captures: every decision there is a current spelling, and an approval', () => {
    const captured = capturedDecisions();
    expect(captured.length).toBeGreaterThan(0);
    expect(captured.every((d) => (CURRENT_DECISIONS as readonly string[]).includes(d))).toBe(true);
    expect(new Set(captured)).toEqual(new Set(['approved', 'approved_with_amendment']));
    expect(captured.some(isDenial)).toBe(false);
  });

  it('maps the older spellings as the collector does, and a denial or approval stays one under either spelling', () => {
    expect(collectorRewrites('config.yaml')).toEqual(LEGACY_DECISIONS);
    expect(collectorRewrites('gateway.yaml')).toEqual(LEGACY_DECISIONS);
    for (const old of OLD) {
      expect(currentDecision(old)).toBe(LEGACY_DECISIONS[old]);
      expect([isDenial(old), isApproval(old)], old).toEqual([isDenial(LEGACY_DECISIONS[old]!), isApproval(LEGACY_DECISIONS[old]!)]);
    }
    expect(isApproval('networkpolicyamendment')).toBe(true);
    expect(isDenial('timedout')).toBe(true);
    expect(isApproval('approved_execpolicy_amendment')).toBe(true);
    expect([isDenial('something_new'), isApproval('something_new')]).toEqual([false, false]);
    expect([isDenial('denied_by_future_rule'), isDenial(' Denied '), isDenial(null), isDenial(undefined)]).toEqual([true, true, false, false]);
  });

  it("agrees with the dashboards' and the alert's LogQL regex on every known spelling, after the collector's rewrite", () => {
    const regexes = dashboardDenialRegexes();
    expect(regexes.length).toBeGreaterThanOrEqual(3);
    // One regex everywhere (the panels and the burst alert count the same thing).
    expect(new Set(regexes).size, regexes.join(' · ')).toBe(1);
    // Loki's label matchers are anchored at both ends.
    const denial = new RegExp(`^(?:${regexes[0]})$`);
    const rewrites = collectorRewrites('config.yaml');
    for (const spelling of KNOWN) {
      const atLoki = rewrites[spelling] ?? spelling;
      expect(denial.test(atLoki), spelling).toBe(isDenial(spelling));
    }
  });

  it('the record spanaudit derives from an aborted span carries a denial', () => {
    const derived = /decisionAbort\s*=\s*"([^"]+)"/.exec(read('collector', 'components', 'spanauditconnector', 'derive.go'))?.[1];
    expect(derived).toBe('abort');
    expect(isDenial(derived!)).toBe(true);
  });

  it('the library ends a tool span aborted at its decision exactly for the denials; other calls stay open for their result', async () => {
    const spans = new InMemorySpanExporter();
    const telemetry = createTelemetry(defaultConfig(), { spanExporters: [spans], diagnostics: false, env: {} });
    const session = telemetry.startSession({ conversationId: 'conv-decisions', model: 'gpt-5-codex' });
    session.startTurn();
    for (const decision of KNOWN) session.toolDecision({ toolName: 'exec_command', callId: `call_${decision}`, decision, source: 'User' });
    await telemetry.forceFlush();
    const ended = spans.getFinishedSpans().filter((s) => s.attributes['call_id'] !== undefined);
    expect(ended.map((s) => s.attributes['call_id']).sort()).toEqual(KNOWN.filter(isDenial).map((d) => `call_${d}`).sort());
    expect(ended.every((s) => s.attributes['aborted'] === true)).toBe(true);
    await telemetry.shutdown();
  });

  it('the sandbox outcome and the rejection result of a denied call are recorded in the span its denial ended: no second span', async () => {
    const spans = new InMemorySpanExporter();
    const logs = new InMemoryLogRecordExporter();
    const telemetry = createTelemetry(defaultConfig(), { spanExporters: [spans], logExporters: [logs], diagnostics: false, env: {} });
    const session = telemetry.startSession({ conversationId: 'conv-rejected', model: 'gpt-5-codex' });
    session.userPrompt('install it');
    session.toolDecision({ toolName: 'exec_command', callId: 'call_no', decision: 'denied', source: 'User' });
    session.sandboxOutcome({ toolName: 'exec_command', callId: 'call_no', outcome: 'denied', initialDurationMs: 4 });
    session.toolResult({ toolName: 'exec_command', callId: 'call_no', arguments: '{"cmd":"npm i"}', durationMs: 0, success: false, output: 'exec command rejected by user' });
    session.turn({ e2eDurationMs: 10 });
    await telemetry.forceFlush();
    const calls = spans.getFinishedSpans().filter((s) => s.attributes['call_id'] === 'call_no');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.attributes['aborted']).toBe(true);
    const records = logs.getFinishedLogRecords().filter((r) => r.attributes['call_id'] === 'call_no');
    expect(records.map((r) => r.attributes['event.name'])).toEqual(['codex.tool_decision', 'codex.sandbox_outcome', 'codex.tool_result']);
    for (const r of records) expect(r.spanContext?.spanId, String(r.attributes['event.name'])).toBe(calls[0]!.spanContext().spanId);
    await telemetry.shutdown();
  });
});
