import { describe, expect, it } from 'vitest';
import { spansFromJson } from '../support/otlp-convert-spans.js';
import { isKnownPrometheusName, LOKI_FIELDS, PROMETHEUS_LABELS } from './support/contract.js';
import { listFiles, readJson, readYaml } from './support/files.js';
import {
  logqlErrors, logqlFieldNames, promqlErrors, promqlLabelNames, promqlMetricNames, substituteGrafanaVariables, traceqlErrors,
} from './support/queries.js';
import { parseTraceql } from './support/traceql.js';

interface Query { where: string; expr: string }

/** Every query in the repo, by language: dashboard targets, Prometheus rules, Grafana alert rules. */
function collectQueries(): { promql: Query[]; logql: Query[]; traceql: Query[] } {
  const promql: Query[] = [];
  const logql: Query[] = [];
  const traceql: Query[] = [];
  const byDatasource: Record<string, Query[]> = { prometheus: promql, loki: logql, tempo: traceql };
  for (const file of listFiles('dashboards/json', ['.json'])) {
    for (const p of readJson(file).panels) {
      for (const t of p.targets ?? []) {
        const list = byDatasource[t.datasource.type];
        if (!list) throw new Error(`${file} "${p.title}": no checker for datasource type ${t.datasource.type}`);
        // a Tempo target holds its TraceQL in `query`, the others in `expr`
        list.push({ where: `${file} "${p.title}" ${t.refId}`, expr: substituteGrafanaVariables(t.datasource.type === 'tempo' ? t.query : t.expr) });
      }
    }
  }
  for (const file of listFiles('prometheus/rules', ['.yml', '.yaml'])) {
    for (const g of readYaml(file).groups) for (const r of g.rules) promql.push({ where: `${file} ${r.alert ?? r.record}`, expr: r.expr });
  }
  for (const g of readYaml('dashboards/provisioning/alerting/codex-audit-alerts.yaml').groups) {
    for (const r of g.rules) {
      for (const d of r.data) if (d.datasourceUid === 'codex-loki') logql.push({ where: `alert ${r.uid}`, expr: d.model.expr });
    }
  }
  return { promql, logql, traceql };
}

const { promql, logql, traceql } = collectQueries();

/** The real Codex 0.169.0 TUI denial: the exec_command span of call_tui_deny, and its resource. */
const TUI_DENIAL = spansFromJson(readJson('test/fixtures/codex-0.169.0/tui-approvals/traces.json'))
  .find((s) => s.name === 'exec_command' && s.attributes.some((a) => a.key === 'call_id' && a.value === 'call_tui_deny'))!;

describe('PromQL', () => {
  it('finds the queries', () => expect(promql.length).toBeGreaterThan(20));

  for (const q of promql) {
    it(`parses and names only contract metrics and labels: ${q.where}`, () => {
      expect(promqlErrors(q.expr), q.expr).toEqual([]);
      const names = promqlMetricNames(q.expr);
      expect(names.length, q.expr).toBeGreaterThan(0);
      for (const n of names) expect(isKnownPrometheusName(n), `${n} in ${q.expr}`).toBe(true);
      for (const l of promqlLabelNames(q.expr)) expect(PROMETHEUS_LABELS.has(l), `label ${l} in ${q.expr}`).toBe(true);
    });
  }
});

describe('LogQL', () => {
  it('finds the queries', () => expect(logql.length).toBeGreaterThan(15));

  for (const q of logql) {
    it(`parses and names only fields the contract produces: ${q.where}`, () => {
      expect(logqlErrors(q.expr), q.expr).toEqual([]);
      const fields = logqlFieldNames(q.expr);
      expect(fields, q.expr).toContain('service_name');
      for (const f of fields) expect(LOKI_FIELDS.has(f), `${f} in ${q.expr}`).toBe(true);
    });
  }
});

describe('TraceQL', () => {
  it('finds the queries (the security dashboard\'s aborted tool spans)', () => expect(traceql.length).toBeGreaterThan(0));

  for (const q of traceql) {
    it(`parses (lezer grammar and the test evaluator) and names only keys the real Codex TUI denial span carries: ${q.where}`, () => {
      expect(traceqlErrors(q.expr), q.expr).toEqual([]);
      const parsed = parseTraceql(q.expr);
      const named = [...q.expr.matchAll(/\b(span|resource)\.([A-Za-z_][\w.]*)/g)].map((m) => [m[1]!, m[2]!] as const);
      expect(named.length, q.expr).toBeGreaterThan(0);
      for (const [scope, key] of named) {
        const present = scope === 'span' ? TUI_DENIAL.attributes.some((a) => a.key === key) : TUI_DENIAL.resource[key] !== undefined;
        expect(present, `${scope}.${key} on the real exec_command span of a TUI denial`).toBe(true);
      }
      expect(parsed.select.length, 'the table selects the fields it shows').toBeGreaterThan(0);
    });
  }
});

describe('the checkers catch mistakes', () => {
  it('rejects broken syntax and unknown names', () => {
    expect(promqlErrors('sum(rate(codex_api_request_total[5m])')).not.toEqual([]);
    expect(isKnownPrometheusName('codex_api_request_duration_ms_bucket')).toBe(false);
    expect(isKnownPrometheusName('codex_api_requests_total')).toBe(false);
    expect(logqlErrors('{service_name="x"} | event_name=')).not.toEqual([]);
    expect(LOKI_FIELDS.has('event.name')).toBe(false);
    expect(LOKI_FIELDS.has('conversation_id')).toBe(true);
    expect(traceqlErrors('{ span.aborted = true && }')).not.toEqual([]);
    expect(traceqlErrors('{ span.aborted = true } | select(span.call_id')).not.toEqual([]);
  });
});
