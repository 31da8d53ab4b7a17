/**
 * The test evaluator of TraceQL (test/stack/support/traceql.ts): the semantics it gives the subset the
 * dashboards use, on the real Codex 0.169.0 TUI capture, and that it refuses what it does not implement.
 */
import { describe, expect, it } from 'vitest';
import { spansFromJson } from '../support/otlp-convert-spans.js';
import type { ReceivedSpan } from '../support/otlp-model.js';
import { readJson } from './support/files.js';
import { evaluateTraceql, parseTraceql, truncatedBy } from './support/traceql.js';

const CAPTURE: ReceivedSpan[] = spansFromJson(readJson('test/fixtures/codex-0.169.0/tui-approvals/traces.json'));
const run = (q: string) => evaluateTraceql(parseTraceql(q), CAPTURE);
const callIds = (q: string) => run(q).map((r) => r.spanId).map((id) => {
  const s = CAPTURE.find((x) => x.spanId === id)!;
  return `${s.name}:${String(s.attributes.find((a) => a.key === 'call_id')?.value ?? '')}`;
}).sort();

describe('TraceQL test evaluator', () => {
  it('the capture is the one the dashboard is checked with: four exec_command calls, one denied (aborted false, then true)', () => {
    const deny = CAPTURE.find((s) => s.name === 'exec_command' && s.attributes.some((a) => a.value === 'call_tui_deny'))!;
    expect(deny.attributes.filter((a) => a.key === 'aborted').map((a) => a.value)).toEqual([false, true]);
  });

  it('a repeated key satisfies a comparison when one of its values does', () => {
    expect(callIds('{ span.aborted = true }')).toEqual(['exec_command:call_tui_deny']);
    expect(callIds('{ span.aborted = false && name = "exec_command" }')).toEqual([
      'exec_command:call_tui_approve', 'exec_command:call_tui_deny', 'exec_command:call_tui_remember', 'exec_command:call_tui_sandbox',
    ]);
  });

  it('comparisons are typed: the string "true" is not the boolean true', () => {
    expect(run('{ span.aborted = "true" }')).toEqual([]);
    expect(run('{ span.code.line.number = "155" }')).toEqual([]);
    expect(run('{ span.code.line.number = 155 }').length).toBeGreaterThan(0);
  });

  it('a missing attribute makes every comparison false, != and !~ included', () => {
    const all = run('{ }').length;
    expect(all).toBe(CAPTURE.length);
    expect(run('{ span.no_such_key != "x" }')).toEqual([]);
    expect(run('{ span.no_such_key !~ "x" }')).toEqual([]);
    // spans without a call_id are not matched by call_id != ""
    expect(run('{ span.call_id != "" }').length).toBeLessThan(all);
  });

  it('regexes match the whole value; scopes are kept apart; an unscoped key matches span or resource', () => {
    expect(run('{ resource.env =~ "conf" }')).toEqual([]);
    expect(run('{ resource.env =~ "conf.*" }')).toHaveLength(CAPTURE.length);
    expect(run('{ resource.env !~ "conformance" }')).toEqual([]);
    expect(run('{ span.env =~ ".*" }')).toEqual([]);
    expect(run('{ .env = "conformance" }')).toHaveLength(CAPTURE.length);
    expect(run('{ .call_id = "call_tui_deny" }').length).toBeGreaterThan(0);
  });

  it('&&, || and parentheses; select() returns every value of a field', () => {
    expect(callIds('{ name = "exec_command" && (span.call_id = "call_tui_deny" || span.call_id = "call_tui_approve") }'))
      .toEqual(['exec_command:call_tui_approve', 'exec_command:call_tui_deny']);
    const [row] = run('{ span.aborted = true } | select(span.aborted, span.call_id, resource.service.name, name)');
    expect(row!.selected).toEqual({ 'span.aborted': [false, true], 'span.call_id': ['call_tui_deny'], 'resource.service.name': ['codex-app-server'], name: ['exec_command'] });
  });

  it('refuses every construct it does not implement, and syntax errors', () => {
    for (const q of [
      '{ span.aborted = true } | count() > 1',
      '{ span.aborted = true } | by(span.tool_name)',
      '{ span.aborted = true } >> { name = "x" }',
      '{ span.aborted = true } && { name = "x" }',
      '{ span.call_id != nil }',
      '{ duration > 1s }',
      '{ status = error }',
      '{ kind = server }',
      '{ span.code.line.number > 100 }',
      '{ event.name = "x" }',
      '{ span."quoted key" = "x" }',
      '{ span.x = $var }',
      '{ span.aborted = true } | select(span.call_id) | select(name)',
      '{ span.aborted = true && }',
    ]) expect(() => parseTraceql(q), q).toThrow();
  });

  it('reports what limit and spss would leave out', () => {
    const rows = run('{ span.call_id != "" }');
    const traces = new Set(rows.map((r) => r.traceId)).size;
    expect(truncatedBy(rows, traces, rows.length)).toEqual({ traces: 0, spans: 0 });
    expect(truncatedBy(rows, traces - 1, rows.length).traces).toBe(1);
    expect(truncatedBy(rows, traces, 1).spans).toBeGreaterThan(0);
  });
});
