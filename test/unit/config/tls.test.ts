import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/config/index.js';
import { ok, otel, parse, tempDir, writeIn } from './helpers.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** A config folder with certs/ca.pem, certs/client.pem, certs/client-key.pem; returns the folder and the config path. */
function certFolder() {
  const dir = tempDir();
  for (const name of ['ca.pem', 'client.pem', 'client-key.pem']) writeIn(dir, `certs/${name}`, PEM);
  return { dir, file: join(dir, 'config.toml') };
}

const ENDPOINT = 'endpoint = "https://otel.example.com/v1/logs"\nprotocol = "binary"';

describe('TLS files', () => {
  it('relative paths resolve against the config file\'s folder; absolute paths are kept', () => {
    const { dir, file } = certFolder();
    const absoluteKey = writeIn(tempDir(), 'elsewhere/key.pem', PEM);
    const result = parse([
      '[otel.exporter.otlp-http]', ENDPOINT,
      '[otel.exporter.otlp-http.tls]',
      'ca-certificate = "certs/ca.pem"',
      'client-certificate = "./certs/../certs/client.pem"',
      `client-private-key = ${JSON.stringify(absoluteKey)}`,
    ].join('\n'), {}, file);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result).exporter).toEqual({
      kind: 'otlp-http',
      endpoint: 'https://otel.example.com/v1/logs',
      protocol: 'binary',
      headers: {},
      tls: { caCertificate: join(dir, 'certs/ca.pem'), clientCertificate: join(dir, 'certs/client.pem'), clientPrivateKey: absoluteKey },
    });
  });

  it('reading from disk: relative to the config file, not to the current folder', async () => {
    const { dir, file } = certFolder();
    writeIn(dir, 'config.toml', otel('exporter = { otlp-grpc = { endpoint = "https://otel.example.com:4317", tls = { ca-certificate = "certs/ca.pem" } } }'));
    expect(process.cwd()).not.toBe(dir);
    const config = ok(await readConfig({ path: file, env: {} }));
    expect(config.exporter).toEqual({ kind: 'otlp-grpc', endpoint: 'https://otel.example.com:4317', headers: {}, tls: { caCertificate: join(dir, 'certs/ca.pem') } });
  });

  it('inline tls on otlp-grpc, with both halves of mutual TLS', () => {
    const { dir, file } = certFolder();
    const config = ok(parse(otel('metrics_exporter = { otlp-grpc = { endpoint = "https://otel.example.com:4317", tls = { client-certificate = "certs/client.pem", client-private-key = "certs/client-key.pem" } } }'), {}, file));
    expect(config.metricsExporter).toMatchObject({ tls: { clientCertificate: join(dir, 'certs/client.pem'), clientPrivateKey: join(dir, 'certs/client-key.pem') } });
  });

  it('an empty tls table means no TLS files', () => {
    const config = ok(parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\n[otel.exporter.otlp-http.tls]\n`));
    expect(config.exporter).not.toHaveProperty('tls');
  });

  it.each([
    ['client-certificate', 'only client-certificate'],
    ['client-private-key', 'only client-private-key'],
  ])('only one half of mutual TLS (%s) is an error', (key, found) => {
    const { file } = certFolder();
    const path = key === 'client-certificate' ? 'certs/client.pem' : 'certs/client-key.pem';
    const result = parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\n[otel.exporter.otlp-http.tls]\n${key} = "${path}"\n`, {}, file);
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{
      path: 'otel.exporter.otlp-http.tls',
      message: 'mutual TLS needs both client-certificate and client-private-key',
      expected: 'both keys or neither',
      found,
    }]);
  });

  it('a missing certificate file is an error with the resolved path', () => {
    const { dir, file } = certFolder();
    const result = parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\n[otel.exporter.otlp-http.tls]\nca-certificate = "certs/missing.pem"\n`, {}, file);
    expect(result.errors).toEqual([{
      path: 'otel.exporter.otlp-http.tls.ca-certificate',
      message: `cannot read ${join(dir, 'certs/missing.pem')} (ENOENT)`,
      expected: 'a readable PEM file',
      found: '"certs/missing.pem"',
    }]);
  });

  it('a folder where a certificate file should be is an error (it is not a readable file)', () => {
    const { dir, file } = certFolder();
    mkdirSync(join(dir, 'certs/ca-dir.pem'));
    const result = parse(otel('exporter = { otlp-grpc = { endpoint = "https://h:4317", tls = { ca-certificate = "certs/ca-dir.pem" } } }'), {}, file);
    expect(result.errors).toEqual([{
      path: 'otel.exporter.otlp-grpc.tls.ca-certificate',
      message: `cannot read ${join(dir, 'certs/ca-dir.pem')} (EISDIR)`,
      expected: 'a readable PEM file',
      found: '"certs/ca-dir.pem"',
    }]);
  });

  it('both halves given but unreadable: one error per file, no half-mTLS error', () => {
    const { dir, file } = certFolder();
    const result = parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\n[otel.exporter.otlp-http.tls]\nclient-certificate = "nope.pem"\nclient-private-key = "/nonexistent/key.pem"\n`, {}, file);
    expect(result.errors).toEqual([
      { path: 'otel.exporter.otlp-http.tls.client-certificate', message: `cannot read ${join(dir, 'nope.pem')} (ENOENT)`, expected: 'a readable PEM file', found: '"nope.pem"' },
      { path: 'otel.exporter.otlp-http.tls.client-private-key', message: 'cannot read /nonexistent/key.pem (ENOENT)', expected: 'a readable PEM file', found: '"/nonexistent/key.pem"' },
    ]);
  });

  it('wrong types', () => {
    expect(parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\ntls = "certs/ca.pem"\n`).errors).toEqual([
      { path: 'otel.exporter.otlp-http.tls', message: 'expected a table', expected: 'a table', found: 'a string "certs/ca.pem"' },
    ]);
    expect(parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\n[otel.exporter.otlp-http.tls]\nca-certificate = 1\n`).errors).toEqual([
      { path: 'otel.exporter.otlp-http.tls.ca-certificate', message: 'expected a string', expected: 'a string', found: 'an integer 1' },
    ]);
  });

  it('snake_case TLS keys are unknown (Codex uses kebab-case): warned, with the right spelling', () => {
    const result = parse(`[otel.exporter.otlp-http]\n${ENDPOINT}\n[otel.exporter.otlp-http.tls]\nca_certificate = "certs/ca.pem"\n`);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: 'otel.exporter.otlp-http.tls.ca_certificate', message: 'unknown key, ignored (did you mean "ca-certificate"?)' },
    ]);
  });
});
