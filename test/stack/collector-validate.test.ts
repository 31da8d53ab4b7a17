import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../support/certs.js';
import { validateCollector } from './support/binaries.js';
import { listFiles } from './support/files.js';

// The real collector (our 0.158.0 distribution from collector/builder-config.yaml, built by
// `npm run stack:build`) validates every deployable config. A missing binary fails the test.
const SECRETS = 'collector/secrets.yaml';
const SIEM = listFiles('collector/siem', ['.yaml']);
// Values for the variables that a deployment must set (no default in the configs), and for the
// files that must exist when the collector builds its pipelines (queue folder, syslog CA).
const WORK = mkdtempSync(join(tmpdir(), 'otelcol-validate-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));
const ENV = {
  CODEX_OTEL_QUEUE_DIR: WORK, CODEX_OTEL_SYSLOG_CA_FILE: makeTestPki(join(WORK, 'pki')).ca.cert.path,
  CODEX_OTEL_GATEWAY_DNS: 'gateway.invalid', LOKI_OTLP_ENDPOINT: 'https://loki.invalid/otlp',
  PROM_REMOTE_WRITE_ENDPOINT: 'https://prom.invalid/api/v1/push', KAFKA_BROKER: 'kafka.invalid:9093',
  TEMPO_OTLP_GRPC_ENDPOINT: 'tempo.invalid:4317', ES_API_KEY: 'k', SPLUNK_HEC_TOKEN: 't',
  KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p',
};

const DEPLOYABLE: Record<string, string[]> = {
  'main + secrets': ['collector/config.yaml', SECRETS],
  agent: ['collector/agent.yaml'],
  'gateway + secrets': ['collector/gateway.yaml', SECRETS],
  ...Object.fromEntries(SIEM.filter((f) => !f.endsWith('elasticsearch.yaml')).map((f) => [f, ['collector/config.yaml', SECRETS, f]])),
};

describe('otelcol validate (the real collector)', () => {
  for (const [name, files] of Object.entries(DEPLOYABLE)) {
    it(`${name} is valid`, () => {
      const r = validateCollector(files, ENV);
      expect(r.stderr + r.stdout, name).not.toMatch(/error/i);
      expect(r.status, r.stderr).toBe(0);
    });
  }

  it('the Elasticsearch overlay fails only because its exporter is not in our build', () => {
    // elasticsearchexporter 0.158.0 is not served by the Go module proxy here (see
    // collector/builder-config.yaml); everything else in the merged config must be valid.
    const r = validateCollector(['collector/config.yaml', SECRETS, 'collector/siem/elasticsearch.yaml'], ENV);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown type: "elasticsearch"/);
  });

  it('rejects a config with a misspelled key (the check can fail)', () => {
    const r = validateCollector(['collector/config.yaml', SECRETS, 'test/stack/data/invalid-overlay.yaml'], ENV);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/retry_on_failur/);
  });
});
