import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'bin/codex-otel.js');
const EXAMPLE = join(ROOT, 'examples/config.toml');

/** Distinctive secrets, one per way a secret can reach the config. None may ever be printed. */
const SECRET = {
  literal: 'sk-LITERAL-HEADER-7f3a9c',
  expanded: 'sk-VAR-EXPANDED-41b2d8',
  envHeader: 'sk-ENV-HEADER-9e0c11',
  signalEnvHeader: 'sk-LOGS-ENV-HEADER-77aa01',
  salt: 'salt-SECRET-5d6e7f8a9b0c',
  urlPassword: 'pw-URL-SECRET-3c4d',
  headersString: 'sk-HEADERS-STRING-0b1c',
};
const SECRETS = Object.values(SECRET);

const ENV: NodeJS.ProcessEnv = {
  OTLP_TOKEN: SECRET.expanded,
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${SECRET.envHeader}`,
  OTEL_EXPORTER_OTLP_LOGS_HEADERS: `x-logs-key=${SECRET.signalEnvHeader}`,
  CODEX_OTEL_IDENTITY_SALT: SECRET.salt,
};

const GOOD = `
model = "gpt-5-codex"

[otel]
environment = "staging"
log_user_prompt = false
shiny_new_key = true

[otel.exporter.otlp-http]
endpoint = "http://127.0.0.1:4318/v1/logs"
protocol = "binary"

[otel.exporter.otlp-http.headers]
"x-otlp-api-key" = "\${OTLP_TOKEN}"
"x-literal" = "${SECRET.literal}"

[otel.metrics_exporter.otlp-http]
endpoint = "http://127.0.0.1:4318"
protocol = "json"

[otel.trace_exporter.otlp-grpc]
endpoint = "https://collector:${SECRET.urlPassword}@otel.example.com:4317"

[otel.codex_otel.identity]
email = "hash"
`;

const BROKEN = `
[otel]
environment = 5
log_user_prompt = "yes"
metrics_exporter = "otlp-http"

[otel.exporter.otlp-http]
endpoint = "127.0.0.1:4318/v1/logs"
protocol = "grpc"

[otel.exporter.otlp-http.headers]
"x-otlp-api-key" = "\${OTLP_TOKEN}"
"x-literal" = "${SECRET.literal}"
"x-missing" = "Bearer ${SECRET.literal}-\${UNDEFINED_TOKEN_VAR}"

[otel.exporter.otlp-http.tls]
client-certificate = "certs/missing-client.pem"

[otel.trace_exporter.otlp-grpc]
endpoint = "https://collector:${SECRET.urlPassword}@otel.example.com:4317"
headers = "x-api-key=${SECRET.headersString}"

[otel.codex_otel]
log_queue_size = 0

[otel.codex_otel.identity]
email = "hash"

[otel.codex_otel.redaction]
extra_patterns = [ { kind = "acme", regex = "ACME-[" } ]
`;

/** Every problem of BROKEN, in the order they are found. */
const BROKEN_PATHS = [
  'otel.environment',
  'otel.log_user_prompt',
  'otel.exporter.otlp-http.endpoint',
  'otel.exporter.otlp-http.protocol',
  'otel.exporter.otlp-http.headers.x-missing',
  'otel.exporter.otlp-http.tls.client-certificate',
  'otel.exporter.otlp-http.tls',
  'otel.trace_exporter.otlp-grpc.headers',
  'otel.metrics_exporter',
  'otel.codex_otel.log_queue_size',
  'otel.codex_otel.redaction.extra_patterns[0].regex',
];

const SYNTAX = `[otel]\nexporter = { otlp-http = { endpoint = "http://h/v1/logs", protocol = "binary", headers = { "x-literal" = "${SECRET.literal}" } }\n`;

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-otel-check-'));
  writeFileSync(file('good.toml'), GOOD);
  writeFileSync(file('broken.toml'), BROKEN);
  writeFileSync(file('syntax.toml'), SYNTAX);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number; out: string; err: string; lines: Array<['out' | 'err', string]> }

async function check(args: string[], env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  const lines: Array<['out' | 'err', string]> = [];
  const io: CliIo = { out: (l) => lines.push(['out', l]), err: (l) => lines.push(['err', l]), env, isTty: false };
  const code = await main(['check', ...args], io);
  const text = (stream: 'out' | 'err') => lines.filter(([s]) => s === stream).map(([, l]) => `${l}\n`).join('');
  return { code, out: text('out'), err: text('err'), lines };
}

function expectNoSecret(run: { out: string; err: string }): void {
  for (const secret of SECRETS) {
    expect(run.out, `stdout leaks ${secret}`).not.toContain(secret);
    expect(run.err, `stderr leaks ${secret}`).not.toContain(secret);
  }
}

describe('codex-otel check, in process', () => {
  it('a good file: the resolved config with headers masked, then the warnings; exit 0', async () => {
    const run = await check(['--config', file('good.toml')]);
    expect(run.code).toBe(0);
    expectNoSecret(run);
    expect(run.out).toBe([
      `config file: ${file('good.toml')}`,
      '[otel]',
      '  environment       = "staging"',
      '  log_user_prompt   = false  (prompts sent as [REDACTED])',
      '  exporter (logs)   = otlp-http',
      '    endpoint = http://127.0.0.1:4318/v1/logs',
      '    protocol = binary',
      '    header authorization = ***',
      '    header x-literal = ***',
      '    header x-logs-key = ***',
      '    header x-otlp-api-key = ***',
      '  metrics_exporter  = otlp-http',
      '    endpoint = http://127.0.0.1:4318',
      '    protocol = json',
      '    header authorization = ***',
      '  trace_exporter    = otlp-grpc',
      '    endpoint = https://***@otel.example.com:4317',
      '    header authorization = ***',
      '[otel.codex_otel]',
      '  shutdown_timeout_ms        = 2000',
      '  metrics_temporality        = "delta"',
      '  metrics_export_interval_ms = 60000',
      '  log_queue_size             = 65536',
      '  log_queue_max_bytes        = 33554432',
      '  log_batch_size             = 1024',
      '  log_batch_max_bytes        = 524288',
      '  log_schedule_delay_ms      = 1000',
      '  file      = off',
      `  spool     = ${join(dirname(file('good.toml')), 'codex-otel', 'spool')} (cap 67108864 bytes) (default for a network logs or trace exporter)`,
      '  redaction = on',
      '  identity  = user.email: hash, user.account_id: keep, salt from CODEX_OTEL_IDENTITY_SALT (***)',
      'config OK, with warnings',
      '',
    ].join('\n'));
    expect(run.err).toBe([
      '3 warning(s):',
      '  - otel.shiny_new_key: unknown key, ignored (Codex ignores it too)',
      '  - otel.trace_exporter.otlp-grpc.endpoint: carries credentials in the URL; put them in headers instead',
      '  - otel.metrics_exporter.otlp-http.endpoint: has no path: the otlp-http endpoint is used verbatim, so nothing arrives at the collector; write "http://127.0.0.1:4318/v1/metrics"',
      '',
    ].join('\n'));
    // the config comes first, the warnings after it
    const firstWarning = run.lines.findIndex(([s]) => s === 'err');
    const lastConfigLine = run.lines.findIndex(([s, l]) => s === 'out' && l.includes('\n  identity  = '));
    expect(lastConfigLine).toBeGreaterThanOrEqual(0);
    expect(firstWarning).toBeGreaterThan(lastConfigLine);
  });

  it('a good file with --json: the masked config, ok, exit 0', async () => {
    const run = await check(['--config', file('good.toml'), '--json']);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    expectNoSecret(run);
    const json = JSON.parse(run.out) as {
      ok: boolean;
      config: { exporter: { headers: Record<string, string> }; extensions: { identity: { salt: string } } };
      errors: unknown[];
      warnings: Array<{ path: string }>;
    };
    expect(json.ok).toBe(true);
    expect(json.errors).toEqual([]);
    expect(json.config.exporter.headers).toEqual({ authorization: '***', 'x-literal': '***', 'x-logs-key': '***', 'x-otlp-api-key': '***' });
    expect(json.config.extensions.identity.salt).toBe('***');
    expect(json.warnings.map((w) => w.path)).toEqual([
      'otel.shiny_new_key', 'otel.trace_exporter.otlp-grpc.endpoint', 'otel.metrics_exporter.otlp-http.endpoint',
    ]);
  });

  it('a broken file: every problem with its key path, exit 2, no config printed', async () => {
    const run = await check(['--config', file('broken.toml')]);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expectNoSecret(run);
    // the warnings of the file come first, then the errors
    const [warnings, errors] = run.err.split(`${BROKEN_PATHS.length} config error(s):\n`);
    expect(warnings).toBe('1 warning(s):\n  - otel.trace_exporter.otlp-grpc.endpoint: carries credentials in the URL; put them in headers instead\n');
    const errorLines = errors!.split('\n').filter((l) => l.startsWith('  - '));
    expect(errorLines).toHaveLength(BROKEN_PATHS.length);
    expect(errorLines.map((l) => l.slice(4, l.indexOf(': ')))).toEqual(BROKEN_PATHS);
    expect(errorLines).toContain('  - otel.exporter.otlp-http.headers.x-missing: environment variable UNDEFINED_TOKEN_VAR is not set (expected ${UNDEFINED_TOKEN_VAR} to be defined in the environment; found it undefined)');
    expect(errorLines).toContain('  - otel.exporter.otlp-http.protocol: expected "binary" or "json" (found a string "grpc")');
    expect(errorLines).toContain('  - otel.trace_exporter.otlp-grpc.headers: expected a table (found a string)');
    expect(errorLines).toContain(`  - otel.exporter.otlp-http.tls.client-certificate: cannot read ${file('certs/missing-client.pem')} (ENOENT) (expected a readable PEM file; found "certs/missing-client.pem")`);
  });

  it('a broken file with --json: ok false, config null, every error, exit 2', async () => {
    const run = await check(['--config', file('broken.toml'), '--json']);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    const json = JSON.parse(run.out) as { ok: boolean; config: unknown; errors: Array<{ path: string }> };
    expect(json.ok).toBe(false);
    expect(json.config).toBeNull();
    expect(json.errors.map((e) => e.path)).toEqual(BROKEN_PATHS);
  });

  it('a TOML syntax error gives file, line and column, without quoting the line', async () => {
    const run = await check(['-c', file('syntax.toml')]);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    expect(run.err).toBe(`1 config error(s):\n  - ${file('syntax.toml')}:3:1: TOML syntax error: expected comma or end of structure\n`);
  });

  it('an explicit file that does not exist: said to be missing, exit 2', async () => {
    const run = await check(['-c', file('nope.toml')]);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toBe(`1 config error(s):\n  - ${file('nope.toml')}: the config file does not exist (given with --config) (expected a config.toml with an [otel] table; found no file)\n`);
  });

  it('without --config it reads $CODEX_HOME/config.toml; a missing one is said to be missing (never "config OK"), exit 2', async () => {
    const home = mkdtempSync(join(tmpdir(), 'codex-otel-home-'));
    try {
      const missing = await check([], { CODEX_HOME: home });
      expect(missing.code).toBe(2);
      expect(missing.out).not.toContain('OK');
      expect(missing.err).toContain(`${join(home, 'config.toml')}: the config file does not exist (the default location ($CODEX_HOME/config.toml)`);
      const missingJson = await check(['--json'], { CODEX_HOME: home });
      expect(missingJson.code).toBe(2);
      expect(JSON.parse(missingJson.out)).toMatchObject({ ok: false, file: { path: join(home, 'config.toml'), exists: false, explicit: false }, config: null });
      writeFileSync(join(home, 'config.toml'), '# no [otel] here\n');
      const off = await check([], { CODEX_HOME: home });
      expect(off.code).toBe(0);
      expect(off.out).toBe(`config file: ${join(home, 'config.toml')}\n[otel]: absent — telemetry is off (nothing is recorded or sent)\nconfig OK\n`);
      writeFileSync(join(home, 'config.toml'), '[otel]\nenvironment = "from-codex-home"\n');
      const on = await check([], { CODEX_HOME: home });
      expect(on.code).toBe(0);
      expect(on.out).toContain('  environment       = "from-codex-home"');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('the README example (examples/config.toml) passes with no environment variable at all', async () => {
    const run = await check(['--config', EXAMPLE], {});
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain([
      '  exporter (logs)   = otlp-http',
      '    endpoint = http://127.0.0.1:4318/v1/logs',
      '    protocol = binary',
      '  metrics_exporter  = otlp-http',
      '    endpoint = http://127.0.0.1:4318/v1/metrics',
      '    protocol = binary',
      '  trace_exporter    = none',
    ].join('\n'));
    expect(run.out.trimEnd().split('\n').at(-1)).toBe('config OK');
  });

  it('the README example, uncommented the way the comments suggest, still loads', async () => {
    const { readFileSync } = await import('node:fs');
    const uncommented = readFileSync(EXAMPLE, 'utf8')
      .replace('# [otel.exporter.otlp-http.headers]\n# "x-otlp-api-key"', '[otel.exporter.otlp-http.headers]\n"x-otlp-api-key"')
      .replace(/^# (\[otel\.codex_otel(?:\.redaction)?\]|shutdown_timeout_ms|metrics_temporality|metrics_export_interval_ms|log_queue_size|log_batch_size|log_schedule_delay_ms|enabled|extra_patterns)/gm, '$1');
    expect(uncommented).toContain('\n[otel.codex_otel]\n');
    expect(uncommented).toContain('\n[otel.exporter.otlp-http.headers]\n');
    writeFileSync(file('example-uncommented.toml'), uncommented);
    const run = await check(['--config', file('example-uncommented.toml')], { OTLP_TOKEN: SECRET.expanded });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('    header x-otlp-api-key = ***');
    expect(run.out).toContain('  redaction = on, 1 extra pattern(s): acme_key');
    expectNoSecret(run);
  });
});

describe('codex-otel check, the real command (node bin/codex-otel.js, built output)', () => {
  function spawnCheck(args: string[], env: NodeJS.ProcessEnv = ENV) {
    const built = join(ROOT, 'dist/src/cli/main.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (\`npm test\` does)`);
    const result = spawnSync(process.execPath, [BIN, 'check', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], HOME: dir, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (result.error) throw result.error;
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  it('good file: exit 0, masked, warnings on stderr, no secret', () => {
    const run = spawnCheck(['--config', file('good.toml')]);
    expect(run.code).toBe(0);
    expectNoSecret(run);
    expect(run.out).toContain('    header x-otlp-api-key = ***');
    expect(run.out).toContain('config OK, with warnings');
    expect(run.err).toContain('3 warning(s):');
  });

  it('broken file: exit 2, every key path on stderr, no secret', () => {
    const run = spawnCheck(['--config', file('broken.toml')]);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    expect(run.out).toBe('');
    for (const path of BROKEN_PATHS) expect(run.err).toContain(`  - ${path}: `);
  });

  it('--json on both: no secret', () => {
    const good = spawnCheck(['--config', file('good.toml'), '--json']);
    const broken = spawnCheck(['--config', file('broken.toml'), '--json']);
    expect([good.code, broken.code]).toEqual([0, 2]);
    expectNoSecret(good);
    expectNoSecret(broken);
    expect((JSON.parse(broken.out) as { errors: unknown[] }).errors).toHaveLength(BROKEN_PATHS.length);
  });

  it('the README command: codex-otel check --config examples/config.toml, with a bare environment', () => {
    const run = spawnCheck(['--config', 'examples/config.toml'], {});
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`config file: ${EXAMPLE}`);
    expect(run.out).toContain('config OK');
    // The README shows exactly what it prints, with the checkout at /home/you/codex-otel.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /```text\n\$ node bin\/codex-otel\.js check --config examples\/config\.toml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBe(run.out.split(ROOT).join('/home/you/codex-otel'));
  });
});
