import { describe, expect, it } from 'vitest';
import { isKnownPrometheusName, LOKI_FIELDS, PROMETHEUS_LABELS } from './support/contract.js';
import { listFiles, readJson, readYaml } from './support/files.js';
import {
  logqlErrors, logqlFieldNames, promqlErrors, promqlLabelNames, promqlMetricNames, substituteGrafanaVariables,
} from './support/queries.js';

interface Query { where: string; expr: string }

/** Every query in the repo, by language: dashboard targets, Prometheus rules, Grafana alert rules. */
function collectQueries(): { promql: Query[]; logql: Query[] } {
  const promql: Query[] = [];
  const logql: Query[] = [];
  for (const file of listFiles('dashboards/json', ['.json'])) {
    for (const p of readJson(file).panels) {
      for (const t of p.targets ?? []) {
        const q = { where: `${file} "${p.title}" ${t.refId}`, expr: substituteGrafanaVariables(t.expr) };
        (t.datasource.type === 'loki' ? logql : promql).push(q);
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
  return { promql, logql };
}

const { promql, logql } = collectQueries();

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

describe('the checkers catch mistakes', () => {
  it('rejects broken syntax and unknown names', () => {
    expect(promqlErrors('sum(rate(codex_api_request_total[5m])')).not.toEqual([]);
    expect(isKnownPrometheusName('codex_api_request_duration_ms_bucket')).toBe(false);
    expect(isKnownPrometheusName('codex_api_requests_total')).toBe(false);
    expect(logqlErrors('{service_name="x"} | event_name=')).not.toEqual([]);
    expect(LOKI_FIELDS.has('event.name')).toBe(false);
    expect(LOKI_FIELDS.has('conversation_id')).toBe(true);
  });
});
