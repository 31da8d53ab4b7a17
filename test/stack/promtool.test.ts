import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { listFiles, readJson } from './support/files.js';
import { findPromtool, runPromtool } from './support/promtool.js';
import { substituteGrafanaVariables } from './support/queries.js';

// promtool comes from the stack's Prometheus build (3.13.0, .stack/bin); Debian's 2.42 is only a
// fallback: the rule syntax used here is common to both, and these inputs avoid the
// range-selector boundary semantics that differ.
const promtool = findPromtool();
const mustRun = Boolean(process.env.CI);

/** Labels every Codex series carries after the collector: §3.1 session tags + environment + job. */
const SESSION = 'originator="codex_cli_rs", model="gpt-5-codex", app_version="0.50.0", session_source="cli", auth_mode="Chatgpt", deployment_environment="dev", job="codex_cli_rs"';
const BUCKETS = ['0', '5', '10', '25', '50', '75', '100', '250', '500', '750', '1000', '2500', '5000', '7500', '10000', '+Inf'];
/** Per-minute bucket increments: 240 obs <= 250ms, 480 <= 500ms, 600 <= 750ms (all). */
const PER_MINUTE: Record<string, number> = { 250: 240, 500: 480 };
function histogram(name: string, labels: string): Array<{ series: string; values: string }> {
  return BUCKETS.map((le) => {
    const n = Number(le) < 250 ? 0 : PER_MINUTE[le] ?? 600;
    return { series: `${name}{${labels}, le="${le}"}`, values: `0+${n}x20` };
  });
}
const counter = (name: string, labels: string, perMinute: number) => ({ series: `${name}{${labels}}`, values: `0+${perMinute}x20` });

/** Synthetic series shaped like real Codex metrics after deltatocumulative (contract §3, §3.3). */
const INPUT = [
  counter('codex_api_request_total', `status="200", success="true", ${SESSION}`, 45),
  counter('codex_api_request_total', `status="429", success="false", ${SESSION}`, 15),
  ...histogram('codex_api_request_duration_ms_milliseconds_bucket', `status="200", success="true", ${SESSION}`),
  ...histogram('codex_turn_e2e_duration_ms_milliseconds_bucket', SESSION),
  ...histogram('codex_turn_ttft_duration_ms_milliseconds_bucket', SESSION),
  counter('codex_sse_event_total', `kind="response.output_text.delta", success="true", ${SESSION}`, 600),
  counter('codex_sse_event_total', `kind="response.completed", success="true", ${SESSION}`, 15),
  counter('codex_sse_event_total', `kind="response.completed", success="false", ${SESSION}`, 15),
  counter('codex_websocket_request_total', `success="true", ${SESSION}`, 60),
  counter('codex_websocket_request_total', `success="false", ${SESSION}`, 6),
  counter('codex_websocket_event_total', `kind="response.output_text.delta", success="true", ${SESSION}`, 120),
  counter('codex_tool_call_total', `tool="shell", success="true", sandbox="seatbelt", sandbox_policy="workspace-write", ${SESSION}`, 24),
  counter('codex_tool_call_total', `tool="shell", success="false", sandbox="seatbelt", sandbox_policy="workspace-write", ${SESSION}`, 6),
  counter('codex_tool_call_total', `tool="apply_patch", success="true", sandbox="none", sandbox_policy="workspace-write", ${SESSION}`, 12),
  ...histogram('codex_tool_call_duration_ms_milliseconds_bucket', `tool="shell", success="true", sandbox="seatbelt", sandbox_policy="workspace-write", ${SESSION}`),
  counter('codex_approval_requested_total', `tool="shell", approved="true", ${SESSION}`, 6),
  counter('codex_approval_requested_total', `tool="shell", approved="false", ${SESSION}`, 3),
  // codex.turn.token_usage is a histogram in 0.169 (contract §3): its _sum grows by the tokens.
  counter('codex_turn_token_usage_sum', `token_type="input", ${SESSION}`, 1200),
  counter('codex_turn_token_usage_sum', `token_type="output", ${SESSION}`, 300),
  counter('otelcol_receiver_accepted_log_records_total', 'receiver="otlp", transport="http", job="otel-collector", instance="otel-collector:8888"', 600),
  counter('otelcol_exporter_send_failed_log_records_total', 'exporter="otlp_http/loki_audit", job="otel-collector", instance="otel-collector:8888"', 0),
];

/** What each dashboard PromQL target must return at 10m on INPUT ("panel title|refId"). */
const EXPECTED: Record<string, Array<{ labels: string; value: number }>> = {
  'Model API requests per second, by status|A': [{ labels: '{status="200"}', value: 0.75 }, { labels: '{status="429"}', value: 0.25 }],
  'Model API error ratio|A': [{ labels: '{}', value: 0.25 }],
  'Model API errors per second, by status|A': [{ labels: '{status="429"}', value: 0.25 }],
  'Model API latency (p50, p95, p99)|A': [{ labels: '{}', value: 312.5 }],
  'Model API latency (p50, p95, p99)|B': [{ labels: '{}', value: 687.5 }],
  'Model API latency (p50, p95, p99)|C': [{ labels: '{}', value: 737.5 }],
  'Turn latency p95: end to end and time to first token|A': [{ labels: '{}', value: 687.5 }],
  'Turn latency p95: end to end and time to first token|B': [{ labels: '{}', value: 687.5 }],
  'SSE events per second, by kind|A': [{ labels: '{kind="response.completed"}', value: 0.5 }, { labels: '{kind="response.output_text.delta"}', value: 10 }],
  'SSE failures per second, by kind|A': [{ labels: '{kind="response.completed"}', value: 0.25 }],
  'WebSocket requests per second, by outcome|A': [{ labels: '{success="false"}', value: 0.1 }, { labels: '{success="true"}', value: 1 }],
  'WebSocket events per second, by kind and outcome|A': [{ labels: '{kind="response.output_text.delta", success="true"}', value: 2 }],
  'Tool calls per second, by tool|A': [{ labels: '{tool="apply_patch"}', value: 0.2 }, { labels: '{tool="shell"}', value: 0.5 }],
  // apply_patch never failed: 0, not a missing row (the panel's `or 0 * all`).
  'Tool failure ratio, by tool|A': [{ labels: '{tool="apply_patch"}', value: 0 }, { labels: '{tool="shell"}', value: 0.2 }],
  'Tool latency p95, by tool|A': [{ labels: '{tool="shell"}', value: 687.5 }],
  'Approvals requested, by tool and outcome|A': [{ labels: '{approved="false", tool="shell"}', value: 0.05 }, { labels: '{approved="true", tool="shell"}', value: 0.1 }],
  'Turn token usage, by token type (codex.turn.token_usage)|A': [{ labels: '{token_type="input"}', value: 6000 }, { labels: '{token_type="output"}', value: 1500 }],
  'Collector: log records accepted and export failures|A': [{ labels: '{}', value: 10 }],
  'Collector: log records accepted and export failures|B': [{ labels: '{exporter="otlp_http/loki_audit"}', value: 0 }],
};

function dashboardPromql(): Array<{ key: string; expr: string }> {
  const out: Array<{ key: string; expr: string }> = [];
  for (const file of listFiles('dashboards/json', ['.json'])) {
    for (const p of readJson(file).panels) {
      for (const t of p.targets ?? []) if (t.datasource.type === 'prometheus') out.push({ key: `${p.title}|${t.refId}`, expr: substituteGrafanaVariables(t.expr) });
    }
  }
  return out;
}

describe.skipIf(!promtool && !mustRun)('promtool (the stack\'s Prometheus build)', () => {
  it('is installed', () => {
    expect(promtool, 'promtool not found: npm run stack:build').toBeTruthy();
  });

  it('check rules: every Prometheus rule file', () => {
    const files = listFiles('prometheus/rules', ['.yml', '.yaml']);
    expect(files.length).toBeGreaterThan(0);
    const r = runPromtool(promtool!, ['check', 'rules', ...files]);
    expect(r.ok, r.output).toBe(true);
  });

  it('check config: prometheus.yml', () => {
    const r = runPromtool(promtool!, ['check', 'config', '--syntax-only', 'prometheus/prometheus.yml']);
    expect(r.ok, r.output).toBe(true);
  });

  it('test rules: alert rules against synthetic collector and Codex series', () => {
    const files = listFiles('prometheus/tests', ['.test.yml']);
    expect(files.length).toBeGreaterThan(0);
    const r = runPromtool(promtool!, ['test', 'rules', ...files]);
    expect(r.ok, r.output).toBe(true);
  });

  it('test rules: every dashboard PromQL expression returns the expected values', () => {
    const exprs = dashboardPromql();
    expect(exprs.map((e) => e.key).sort()).toEqual(Object.keys(EXPECTED).sort());
    const dir = mkdtempSync(join(tmpdir(), 'codex-dash-'));
    writeFileSync(join(dir, 'empty.rules.yml'), 'groups: []\n');
    const testFile = join(dir, 'dashboard.test.yml');
    writeFileSync(testFile, stringify({
      rule_files: ['empty.rules.yml'],
      evaluation_interval: '1m',
      tests: [{
        name: 'dashboard expressions',
        interval: '1m',
        input_series: INPUT,
        promql_expr_test: exprs.map((e) => ({
          expr: e.expr,
          eval_time: '10m',
          exp_samples: EXPECTED[e.key]!.map((s) => ({ labels: s.labels, value: s.value })),
        })),
      }],
    }));
    const r = runPromtool(promtool!, ['test', 'rules', testFile]);
    expect(r.ok, r.output).toBe(true);
  });
});
