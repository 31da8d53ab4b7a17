import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readYaml, repoPath } from './support/files.js';

const compose = readYaml('docker-compose.yml');
const services: Record<string, any> = compose.services;

/** `host:container[:mode]` short-form volume entries of a service. */
function mounts(service: any): Array<{ source: string; target: string; mode: string }> {
  return (service.volumes ?? []).map((v: string) => {
    const [source = '', target = '', mode = 'rw'] = v.split(':');
    return { source, target, mode };
  });
}

describe('docker-compose.yml', () => {
  it('pins every image to an exact version tag', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+\.\d+$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
  });

  it('runs the expected images, the collector at the release the component list describes', () => {
    const images = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, s.image]));
    // The same release as collector/builder-config.yaml (the native build of our distribution).
    const manifest = readYaml('collector/builder-config.yaml');
    expect(images['otel-collector']).toBe(`otel/opentelemetry-collector-contrib:${manifest.dist.version}`);
    expect(images.tempo).toMatch(/^grafana\/tempo:\d+\.\d+\.\d+$/);
    expect(images.loki).toMatch(/^grafana\/loki:3\./);
    expect(images.prometheus).toMatch(/^prom\/prometheus:v3\./);
    expect(images.grafana).toMatch(/^grafana\/grafana:12\./);
  });

  it('binds every published port to 127.0.0.1', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) expect(String(port), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('gives Grafana no default credentials and no anonymous access', () => {
    const env = services.grafana.environment;
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GF_ADMIN_PASSWORD:\?[^}]+\}$/);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(JSON.stringify(compose)).not.toMatch(/admin\/admin|PASSWORD[^$]*:\s*"?admin"?/i);
  });

  it('mounts all configuration read-only, from files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const m of mounts(s).filter((m) => m.source.startsWith('./'))) {
        expect(m.mode, `${name} ${m.source}`).toBe('ro');
        expect(existsSync(repoPath(m.source)), m.source).toBe(true);
      }
    }
  });

  it('keeps data in named volumes that are declared', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of Object.entries(services)) {
      for (const m of mounts(s).filter((m) => !m.source.startsWith('.') && !m.source.startsWith('/'))) {
        expect(declared, `${name} uses ${m.source}`).toContain(m.source);
      }
    }
    for (const [service, target] of [['loki', '/loki'], ['prometheus', '/prometheus'], ['grafana', '/var/lib/grafana']] as const) {
      expect(mounts(services[service]).some((m) => m.target === target && declared.includes(m.source)), service).toBe(true);
    }
  });

  it('starts the collector as uid 10001 with both config files and writable folders owned for it', () => {
    const c = services['otel-collector'];
    expect(c.user).toBe('10001:10001');
    expect(c.command).toEqual(['--config=/etc/otelcol-contrib/config.yaml', '--config=/etc/otelcol-contrib/secrets.yaml']);
    expect(c.read_only).toBe(true);
    expect(c.depends_on['volume-init'].condition).toBe('service_completed_successfully');
    const init = services['volume-init'];
    const writable = mounts(c).filter((m) => !m.source.startsWith('./'));
    expect(writable.map((m) => m.target).sort()).toEqual(['/var/lib/otelcol', '/var/log/codex-audit']);
    for (const m of writable) {
      expect(mounts(init).some((i) => i.source === m.source && i.target === m.target), m.source).toBe(true);
      expect(init.command.join(' ')).toContain(`chown -R 10001:10001`);
      expect(init.command.join(' ')).toContain(m.target);
    }
  });

  it('has health checks, and probes the collector health_check extension from another container', () => {
    for (const name of ['prometheus', 'grafana', 'collector-probe']) {
      expect(services[name].healthcheck?.test, name).toBeDefined();
    }
    expect(services['otel-collector'].healthcheck).toBeUndefined(); // no shell in the image
    expect(services['collector-probe'].healthcheck.test.join(' ')).toContain('http://otel-collector:13133/');
  });

  it('mounts Grafana provisioning where Grafana reads it', () => {
    const targets = mounts(services.grafana).map((m) => `${m.source} -> ${m.target}`);
    expect(targets).toContain('./dashboards/provisioning -> /etc/grafana/provisioning');
    expect(targets).toContain('./dashboards/json -> /etc/grafana/dashboards/codex');
  });
});

describe('scripts/stack-smoke.sh', () => {
  it('is an executable bash script with valid syntax that checks Loki, Prometheus and Grafana', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const path = repoPath('scripts/stack-smoke.sh');
    expect(statSync(path).mode & 0o111).not.toBe(0);
    expect(spawnSync('bash', ['-n', path]).status).toBe(0);
    const text = readFileSync(path, 'utf8');
    for (const api of ['/v1/logs', '/v1/metrics', '/loki/api/v1/query_range', '/api/v1/query', '/api/dashboards/uid/']) {
      expect(text, api).toContain(api);
    }
  });
});
