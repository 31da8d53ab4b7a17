/**
 * The `[otel]` examples of the telemetry contract §5, copied verbatim (comments and alignment included),
 * as real Codex users write them. The contract shows alternative forms in one block; TOML forbids
 * defining `exporter` twice, so each form is loaded on its own, under the same `[otel]` header.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok, parse, tempDir, writeIn } from './helpers.js';

const KEYS = [
  '[otel]',
  'environment = "staging"          # default "dev"',
  'log_user_prompt = false          # default false',
  'exporter = "none"                # logs: "none" | { otlp-http = {…} } | { otlp-grpc = {…} }',
  'trace_exporter = "none"          # same forms; default "none"',
  'metrics_exporter = "none"        # same forms (Codex also accepts "statsig", its own vendor sink)',
].join('\n');

const HTTP_FORM = 'exporter = { otlp-http = { endpoint = "https://otel.example.com/v1/logs", protocol = "binary", headers = { "x-otlp-api-key" = "${OTLP_TOKEN}" } } }';
const GRPC_FORM = 'exporter = { otlp-grpc = { endpoint = "https://otel.example.com:4317", headers = { "x-otlp-meta" = "abc123" } } }';
const TLS_TABLE = [
  '[otel.exporter.otlp-http.tls]    # optional, kebab-case keys; relative paths resolve against the config file\'s folder',
  'ca-certificate = "certs/ca.pem"',
  'client-certificate = "/etc/codex/client.pem"',
  'client-private-key = "/etc/codex/client-key.pem"',
].join('\n');

/** The whole §5 block, exactly as printed in the contract. */
const WHOLE_BLOCK = `${KEYS}\n\n# forms\n${HTTP_FORM}\n${GRPC_FORM}\n\n${TLS_TABLE}\n`;

describe('contract §5 examples load unchanged', () => {
  it('the keys with their values: staging, prompts off, every exporter none, no warning', () => {
    const result = parse(`${KEYS}\n`);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result)).toMatchObject({
      present: true,
      environment: 'staging',
      logUserPrompt: false,
      exporter: { kind: 'none' },
      traceExporter: { kind: 'none' },
      metricsExporter: { kind: 'none' },
    });
  });

  it('the otlp-http form, with ${OTLP_TOKEN} expanded from the environment', () => {
    const result = parse(`[otel]\n${HTTP_FORM}\n`, { OTLP_TOKEN: 'tok-from-env' });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result).exporter).toEqual({
      kind: 'otlp-http',
      endpoint: 'https://otel.example.com/v1/logs',
      protocol: 'binary',
      headers: { 'x-otlp-api-key': 'tok-from-env' },
    });
  });

  it('the otlp-http form without OTLP_TOKEN set: an error naming the header and the variable', () => {
    expect(parse(`[otel]\n${HTTP_FORM}\n`, {}).errors).toEqual([{
      path: 'otel.exporter.otlp-http.headers.x-otlp-api-key',
      message: 'environment variable OTLP_TOKEN is not set',
      expected: '${OTLP_TOKEN} to be defined in the environment',
      found: 'it undefined',
    }]);
  });

  it('the otlp-grpc form', () => {
    const result = parse(`[otel]\n${GRPC_FORM}\n`);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result).exporter).toEqual({ kind: 'otlp-grpc', endpoint: 'https://otel.example.com:4317', headers: { 'x-otlp-meta': 'abc123' } });
  });

  it('the keys block followed by a forms line (the way a user edits the example): the form replaces "none"', () => {
    const text = KEYS.replace('exporter = "none"                # logs', '# exporter = "none"              # logs');
    const config = ok(parse(`${text}\n${GRPC_FORM}\n`));
    expect(config.environment).toBe('staging');
    expect(config.exporter).toMatchObject({ kind: 'otlp-grpc' });
  });

  it('the TLS table under a [otel.exporter.otlp-http] table: relative CA beside the config, absolute client files', () => {
    const dir = tempDir();
    const ca = writeIn(dir, 'certs/ca.pem', 'PEM');
    const file = join(dir, 'config.toml');
    const result = parse(`[otel]\n[otel.exporter.otlp-http]\nendpoint = "https://otel.example.com/v1/logs"\nprotocol = "binary"\n\n${TLS_TABLE}\n`, {}, file);
    if (existsSync('/etc/codex/client.pem') && existsSync('/etc/codex/client-key.pem')) {
      expect(result.errors).toEqual([]);
    } else {
      // The TLS table parsed and resolved: the only complaints are the absolute files this machine does not have.
      expect(result.errors).toEqual([
        expect.objectContaining({ path: 'otel.exporter.otlp-http.tls.client-certificate', found: '"/etc/codex/client.pem"' }),
        expect.objectContaining({ path: 'otel.exporter.otlp-http.tls.client-private-key', found: '"/etc/codex/client-key.pem"' }),
      ]);
      expect(result.errors[0]!.message).toMatch(/^cannot read \/etc\/codex\/client\.pem \(E[A-Z]+\)$/);
    }
    expect(result.errors.map((e) => e.path)).not.toContain('otel.exporter.otlp-http.tls.ca-certificate');

    // The same table with the client files present loads, every path resolved.
    const client = writeIn(dir, 'client.pem', 'PEM');
    const key = writeIn(dir, 'client-key.pem', 'PEM');
    const present = parse(
      `[otel]\n[otel.exporter.otlp-http]\nendpoint = "https://otel.example.com/v1/logs"\nprotocol = "binary"\n\n${TLS_TABLE.replace('/etc/codex/client.pem', client).replace('/etc/codex/client-key.pem', key)}\n`,
      {}, file);
    expect(present.errors).toEqual([]);
    expect(present.warnings).toEqual([]);
    expect(ok(present).exporter).toEqual({
      kind: 'otlp-http',
      endpoint: 'https://otel.example.com/v1/logs',
      protocol: 'binary',
      headers: {},
      tls: { caCertificate: ca, clientCertificate: client, clientPrivateKey: key },
    });
  });

  it('the whole block pasted as one file is a TOML error (exporter defined twice), as in Codex', () => {
    const result = parse(WHOLE_BLOCK, { OTLP_TOKEN: 'x' });
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([
      { path: 'config.toml:9:1', message: 'TOML syntax error: trying to redefine an already defined table or value' },
    ]);
  });
});

describe('config.toml as Codex users write it', () => {
  it('a full Codex config with an [otel] table among the rest loads, with no warning about the other tables', () => {
    const text = [
      'model = "gpt-5-codex"',
      'model_reasoning_effort = "high"',
      'approval_policy = "on-request"',
      'sandbox_mode = "workspace-write"',
      '',
      '[sandbox_workspace_write]',
      'network_access = false',
      '',
      '[mcp_servers.docs]',
      'command = "npx"',
      'args = ["-y", "docs-mcp"]',
      '',
      '[profiles.ci]',
      'approval_policy = "never"',
      '',
      '[otel]',
      'environment = "prod"',
      'log_user_prompt = false',
      '',
      '[otel.exporter."otlp-http"]',
      'endpoint = "https://otel.example.com/v1/logs"',
      'protocol = "binary"',
      '',
      '[otel.exporter."otlp-http".headers]',
      '"x-otlp-api-key" = "${OTLP_TOKEN}"',
      '',
      '[otel.metrics_exporter."otlp-grpc"]',
      'endpoint = "https://otel.example.com:4317"',
      'headers = { "x-otlp-meta" = "abc123" }',
    ].join('\n');
    const result = parse(text, { OTLP_TOKEN: 't' });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const config = ok(result);
    expect(config.environment).toBe('prod');
    expect(config.exporter).toEqual({ kind: 'otlp-http', endpoint: 'https://otel.example.com/v1/logs', protocol: 'binary', headers: { 'x-otlp-api-key': 't' } });
    expect(config.metricsExporter).toEqual({ kind: 'otlp-grpc', endpoint: 'https://otel.example.com:4317', headers: { 'x-otlp-meta': 'abc123' } });
  });

  it('the common mistake: exporter as a bare string with the endpoint beside it', () => {
    const result = parse('[otel]\nenvironment = "prod"\nexporter = "otlp-http"\nendpoint = "http://localhost:4318"\n');
    expect(result.errors.map((e) => e.path)).toEqual(['otel.exporter']);
    expect(result.errors[0]!.message).toContain('write exporter = { otlp-http = { endpoint = "…", protocol = "binary" } }');
    expect(result.warnings).toEqual([{ path: 'otel.endpoint', message: 'unknown key, ignored (Codex ignores it too)' }]);
  });
});
