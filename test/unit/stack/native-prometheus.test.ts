import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
// @ts-expect-error -- plain ESM script shared with `npm run stack:up`
import { nativePrometheusConfig, portsFromEnv } from '../../../scripts/stack/stack.mjs';
// @ts-expect-error -- plain ESM script
import { prometheusGoVersion, stackVersions } from '../../../scripts/stack/versions.mjs';

describe('native stack config generation', () => {
  const ports = portsFromEnv({});

  it('uses the compose ports unless overridden, and names the variable of a bad value', () => {
    expect(ports).toMatchObject({ otlpGrpc: 4317, otlpHttp: 4318, loki: 3100, prometheus: 9090, tempo: 3200 });
    expect(portsFromEnv({ CODEX_OTEL_STACK_LOKI_PORT: '13100' }).loki).toBe(13100);
    expect(() => portsFromEnv({ CODEX_OTEL_STACK_PROMETHEUS_PORT: 'x' })).toThrow(/CODEX_OTEL_STACK_PROMETHEUS_PORT: expected a port number 1-65535, found "x"/);
  });

  it('derives the Prometheus config from prometheus/prometheus.yml: same jobs, loopback targets, repo rule paths', () => {
    const doc = parse(nativePrometheusConfig({ ...ports, collectorMetrics: 18889 }));
    const source = parse(readFileSync('prometheus/prometheus.yml', 'utf8'));
    expect(doc.scrape_configs.map((j: any) => j.job_name)).toEqual(source.scrape_configs.map((j: any) => j.job_name));
    expect(doc.scrape_configs[0].static_configs[0].targets).toEqual(['127.0.0.1:18889']);
    expect(doc.scrape_configs[0].honor_labels).toBe(true);
    expect(doc.rule_files[0]).toMatch(/\/prometheus\/rules\/\*\.yml$/);
  });

  it('reads the versions from docker-compose.yml and maps Prometheus 3.x to its Go module version', () => {
    const v = stackVersions(process.cwd());
    expect(v.prometheus).toBe('3.13.0');
    expect(prometheusGoVersion('3.13.0')).toBe('v0.313.0');
    expect(prometheusGoVersion('3.5.2')).toBe('v0.305.2');
    expect(() => prometheusGoVersion('2.53.0')).toThrow(/expected 3/);
  });
});
