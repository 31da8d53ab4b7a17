import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSIONS } from '../../../src/config/defaults.js';
import { maskedConfig, renderConfig } from '../../../src/config/index.js';
import { NO_DIR, ok, parse } from './helpers.js';

const EXT = (body: string) => `[otel]\n[otel.codex_otel]\n${body}\n`;
const SALT = 'salt-SECRET-0123456789abcdef';

describe('[otel.codex_otel] extension keys', () => {
  it('defaults when the table is absent', () => {
    expect(ok(parse('[otel]\n')).extensions).toEqual({
      shutdownTimeoutMs: 2000,
      metricsTemporality: 'delta',
      metricsExportIntervalMs: 60_000,
      logQueueSize: 65_536,
      logQueueMaxBytes: 33_554_432,
      logBatchSize: 1024,
      logBatchMaxBytes: 524_288,
      logScheduleDelayMs: 1000,
      redaction: { enabled: true, extraPatterns: [] },
      identity: { email: 'keep', accountId: 'keep' },
    });
  });

  it('defaults when the table is empty, and the frozen defaults are not shared', () => {
    const config = ok(parse(EXT('')));
    expect(config.extensions).toEqual(DEFAULT_EXTENSIONS);
    config.extensions.redaction.extraPatterns.push({ kind: 'x', regex: 'x' });
    expect(ok(parse(EXT(''))).extensions.redaction.extraPatterns).toEqual([]);
  });

  it('reads every key', () => {
    const result = parse(EXT([
      'shutdown_timeout_ms = 5000',
      'metrics_temporality = "cumulative"',
      'metrics_export_interval_ms = 10000',
      'log_queue_size = 4096',
      'log_queue_max_bytes = 1048576',
      'log_batch_size = 512',
      'log_batch_max_bytes = 262144',
      'log_schedule_delay_ms = 250',
      'file = { directory = "telemetry", max_bytes = 2048, max_files = 3 }',
      'spool = { directory = "/var/spool/codex-otel", max_bytes = 1048576 }',
      '[otel.codex_otel.redaction]',
      'enabled = false',
      'extra_patterns = [ { kind = "acme_key", regex = "ACME-[0-9a-f]{32}" } ]',
      '[otel.codex_otel.identity]',
      'email = "hash"',
      'account_id = "drop"',
      'salt_env = "MY_SALT"',
    ].join('\n')), { MY_SALT: SALT }, '/home/dev/.codex/config.toml');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result).extensions).toEqual({
      shutdownTimeoutMs: 5000,
      metricsTemporality: 'cumulative',
      metricsExportIntervalMs: 10_000,
      logQueueSize: 4096,
      logQueueMaxBytes: 1_048_576,
      logBatchSize: 512,
      logBatchMaxBytes: 262_144,
      logScheduleDelayMs: 250,
      fileOutput: { directory: '/home/dev/.codex/telemetry', maxBytes: 2048, maxFiles: 3 },
      spool: { directory: '/var/spool/codex-otel', maxBytes: 1_048_576 },
      redaction: { enabled: false, extraPatterns: [{ kind: 'acme_key', regex: 'ACME-[0-9a-f]{32}' }] },
      identity: { email: 'hash', accountId: 'drop', salt: SALT, saltEnv: 'MY_SALT' },
    });
  });

  it('file and spool: sizes default, the directory is required', () => {
    const config = ok(parse(EXT('file = { directory = "out" }\nspool = { directory = "spool" }')));
    expect(config.extensions.fileOutput).toEqual({ directory: join(NO_DIR, 'out'), maxBytes: 16 * 1024 * 1024, maxFiles: 5 });
    expect(config.extensions.spool).toEqual({ directory: join(NO_DIR, 'spool'), maxBytes: 64 * 1024 * 1024 });
    expect(parse(EXT('file = { max_files = 2 }\nspool = {}')).errors).toEqual([
      { path: 'otel.codex_otel.file.directory', message: 'is required', expected: 'a folder path', found: 'nothing' },
      { path: 'otel.codex_otel.spool.directory', message: 'is required', expected: 'a folder path', found: 'nothing' },
    ]);
  });

  it('redaction table without extra_patterns keeps redaction on', () => {
    expect(ok(parse(EXT('[otel.codex_otel.redaction]'))).extensions.redaction).toEqual({ enabled: true, extraPatterns: [] });
  });

  it('identity: drop needs no salt; the default salt variable is CODEX_OTEL_IDENTITY_SALT', () => {
    expect(ok(parse(EXT('identity = { email = "drop", account_id = "drop" }'))).extensions.identity)
      .toEqual({ email: 'drop', accountId: 'drop', saltEnv: 'CODEX_OTEL_IDENTITY_SALT' });
    expect(ok(parse(EXT('identity = { account_id = "hash" }'), { CODEX_OTEL_IDENTITY_SALT: SALT })).extensions.identity)
      .toEqual({ email: 'keep', accountId: 'hash', salt: SALT, saltEnv: 'CODEX_OTEL_IDENTITY_SALT' });
  });

  it('unknown keys are warned about at every level', () => {
    const result = parse(EXT([
      'shutdown_timeout = 1',
      'file = { directory = "x", rotate = true }',
      'spool = { directory = "y", maxBytes = 2048 }',
      'redaction = { enable = false }',
      'identity = { emails = "drop" }',
    ].join('\n')));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: 'otel.codex_otel.shutdown_timeout', message: 'unknown key, ignored' },
      { path: 'otel.codex_otel.file.rotate', message: 'unknown key, ignored' },
      { path: 'otel.codex_otel.spool.maxBytes', message: 'unknown key, ignored (did you mean "max_bytes"?)' },
      { path: 'otel.codex_otel.redaction.enable', message: 'unknown key, ignored' },
      { path: 'otel.codex_otel.identity.emails', message: 'unknown key, ignored' },
    ]);
  });
});

describe('[otel.codex_otel] errors', () => {
  it.each([
    ['shutdown_timeout_ms = "2000"', 'otel.codex_otel.shutdown_timeout_ms', 'an integer from 1 to 2147483647', 'a string "2000"'],
    ['shutdown_timeout_ms = 0', 'otel.codex_otel.shutdown_timeout_ms', 'an integer from 1 to 2147483647', 'an integer 0'],
    ['shutdown_timeout_ms = -5', 'otel.codex_otel.shutdown_timeout_ms', 'an integer from 1 to 2147483647', 'an integer -5'],
    ['log_queue_size = 1.5', 'otel.codex_otel.log_queue_size', 'an integer from 1 to 16777216', 'a float 1.5'],
    ['log_queue_max_bytes = 1000', 'otel.codex_otel.log_queue_max_bytes', 'an integer from 65536 to 4294967296', 'an integer 1000'],
    ['log_schedule_delay_ms = true', 'otel.codex_otel.log_schedule_delay_ms', 'an integer from 1 to 2147483647', 'a boolean true'],
    ['metrics_export_interval_ms = 50', 'otel.codex_otel.metrics_export_interval_ms', 'an integer from 100 to 2147483647', 'an integer 50'],
    // Working ranges: what Node timers and the transports can do (the 1e308 and 2147483648).
    ['shutdown_timeout_ms = 1e308', 'otel.codex_otel.shutdown_timeout_ms', 'an integer from 1 to 2147483647', 'an integer 1e+308'],
    ['shutdown_timeout_ms = 2147483648', 'otel.codex_otel.shutdown_timeout_ms', 'an integer from 1 to 2147483647', 'an integer 2147483648'],
    ['log_schedule_delay_ms = 2147483648', 'otel.codex_otel.log_schedule_delay_ms', 'an integer from 1 to 2147483647', 'an integer 2147483648'],
    ['metrics_export_interval_ms = 9999999999', 'otel.codex_otel.metrics_export_interval_ms', 'an integer from 100 to 2147483647', 'an integer 9999999999'],
    ['log_batch_max_bytes = 512', 'otel.codex_otel.log_batch_max_bytes', 'an integer from 1024 to 67108864', 'an integer 512'],
    ['log_batch_max_bytes = 134217728', 'otel.codex_otel.log_batch_max_bytes', 'an integer from 1024 to 67108864', 'an integer 134217728'],
    ['metrics_temporality = "Delta"', 'otel.codex_otel.metrics_temporality', 'one of "delta", "cumulative"', 'a string "Delta"'],
    ['metrics_temporality = 1', 'otel.codex_otel.metrics_temporality', 'one of "delta", "cumulative"', 'an integer 1'],
    ['file = "out"', 'otel.codex_otel.file', 'a table', 'a string "out"'],
    ['file = { directory = 1 }', 'otel.codex_otel.file.directory', 'a string', 'an integer 1'],
    ['file = { directory = "d", max_bytes = 10 }', 'otel.codex_otel.file.max_bytes', 'an integer from 1024 to 1099511627776', 'an integer 10'],
    ['file = { directory = "d", max_files = 0 }', 'otel.codex_otel.file.max_files', 'an integer from 1 to 10000', 'an integer 0'],
    ['spool = { directory = "d", max_bytes = "1G" }', 'otel.codex_otel.spool.max_bytes', 'an integer from 1024 to 1099511627776', 'a string "1G"'],
    ['redaction = false', 'otel.codex_otel.redaction', 'a table', 'a boolean false'],
    ['redaction = { enabled = "no" }', 'otel.codex_otel.redaction.enabled', 'a boolean (true or false)', 'a string "no"'],
    ['redaction = { extra_patterns = "ACME-.*" }', 'otel.codex_otel.redaction.extra_patterns', 'an array of { kind, regex } tables', 'a string "ACME-.*"'],
    ['redaction = { extra_patterns = ["ACME-.*"] }', 'otel.codex_otel.redaction.extra_patterns[0]', 'a table { kind = "…", regex = "…" }', 'a string "ACME-.*"'],
    ['redaction = { extra_patterns = [{ kind = 5, regex = "x" }] }', 'otel.codex_otel.redaction.extra_patterns[0].kind', 'a string', 'an integer 5'],
    ['redaction = { extra_patterns = [{ kind = "k", regex = 5 }] }', 'otel.codex_otel.redaction.extra_patterns[0].regex', 'a string', 'an integer 5'],
    ['identity = "hash"', 'otel.codex_otel.identity', 'a table', 'a string "hash"'],
    ['identity = { email = "encrypt" }', 'otel.codex_otel.identity.email', 'one of "keep", "hash", "drop"', 'a string "encrypt"'],
    ['identity = { account_id = true }', 'otel.codex_otel.identity.account_id', 'one of "keep", "hash", "drop"', 'a boolean true'],
    ['identity = { salt_env = 1 }', 'otel.codex_otel.identity.salt_env', 'a string', 'an integer 1'],
  ])('%s', (line, path, expected, found) => {
    const result = parse(EXT(line));
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{ path, message: `expected ${expected}`, expected, found }]);
  });

  it('the extension table itself must be a table', () => {
    expect(parse('[otel]\ncodex_otel = true\n').errors).toEqual([
      { path: 'otel.codex_otel', message: 'expected a table', expected: 'a table', found: 'a boolean true' },
    ]);
  });

  it('log_batch_size may not exceed log_queue_size', () => {
    expect(parse(EXT('log_queue_size = 100\nlog_batch_size = 200')).errors).toEqual([
      { path: 'otel.codex_otel.log_batch_size', message: 'must not exceed log_queue_size', expected: 'at most 100', found: '200' },
    ]);
  });

  it('an invalid regex in extra_patterns names its index', () => {
    const result = parse(EXT([
      '[otel.codex_otel.redaction]',
      'extra_patterns = [',
      '  { kind = "ok", regex = "OK-[0-9]+" },',
      '  { kind = "broken", regex = "(unclosed" },',
      ']',
    ].join('\n')));
    expect(result.errors).toEqual([{
      path: 'otel.codex_otel.redaction.extra_patterns[1].regex',
      message: 'is not a valid JavaScript regular expression: Unterminated group',
      expected: 'a regular expression that needs at least one character',
    }]);
  });

  it('a regex that matches the empty string would redact everything: an error', () => {
    expect(parse(EXT('redaction = { extra_patterns = [{ kind = "k", regex = "x*" }] }')).errors).toEqual([{
      path: 'otel.codex_otel.redaction.extra_patterns[0].regex',
      message: 'matches the empty string',
      expected: 'a regular expression that needs at least one character',
    }]);
  });

  it('kind and regex are both required, and both are checked', () => {
    expect(parse(EXT('redaction = { extra_patterns = [{}, { kind = "has space", regex = "[" }] }')).errors).toEqual([
      { path: 'otel.codex_otel.redaction.extra_patterns[0].kind', message: 'is required', expected: 'a short name: letters, digits, "_", "-" or "."', found: 'nothing' },
      { path: 'otel.codex_otel.redaction.extra_patterns[0].regex', message: 'is required', expected: 'a regular expression', found: 'nothing' },
      { path: 'otel.codex_otel.redaction.extra_patterns[1].kind', message: 'must be 1 to 64 letters, digits, "_", "-" or "."', expected: 'a short name: letters, digits, "_", "-" or "."', found: '"has space"' },
      {
        path: 'otel.codex_otel.redaction.extra_patterns[1].regex',
        message: 'is not a valid JavaScript regular expression: Unterminated character class',
        expected: 'a regular expression that needs at least one character',
      },
    ]);
  });

  it.each([['email'], ['account_id']])('identity %s = "hash" without the salt variable is an error', (key) => {
    const result = parse(EXT(`identity = { ${key} = "hash" }`), {});
    expect(result.errors).toEqual([{
      path: 'otel.codex_otel.identity.salt_env',
      message: 'hashing identities needs a salt in the environment variable CODEX_OTEL_IDENTITY_SALT, which is not set',
      expected: 'CODEX_OTEL_IDENTITY_SALT set to a secret of at least 16 characters',
      found: 'it undefined',
    }]);
  });

  it('an empty salt variable counts as not set; a custom salt_env is named', () => {
    expect(parse(EXT('identity = { email = "hash", salt_env = "TEAM_SALT" }'), { TEAM_SALT: '' }).errors).toEqual([{
      path: 'otel.codex_otel.identity.salt_env',
      message: 'hashing identities needs a salt in the environment variable TEAM_SALT, which is not set',
      expected: 'TEAM_SALT set to a secret of at least 16 characters',
      found: 'it undefined',
    }]);
  });

  it('a short salt is an error that gives its length, never the salt', () => {
    const result = parse(EXT('identity = { email = "hash" }'), { CODEX_OTEL_IDENTITY_SALT: 'sALTy-SHORT' });
    expect(result.errors).toEqual([{
      path: 'otel.codex_otel.identity.salt_env',
      message: 'the salt in CODEX_OTEL_IDENTITY_SALT is too short to resist guessing',
      expected: 'at least 16 characters',
      found: '11 characters',
    }]);
    expect(JSON.stringify(result)).not.toContain('sALTy-SHORT');
  });

  it('the salt is masked whenever the config is shown', () => {
    const config = ok(parse(EXT('identity = { email = "hash" }'), { CODEX_OTEL_IDENTITY_SALT: SALT }));
    expect(config.extensions.identity.salt).toBe(SALT);
    expect(maskedConfig(config).extensions.identity.salt).toBe('***');
    expect(JSON.stringify(maskedConfig(config))).not.toContain(SALT);
    expect(renderConfig(config)).not.toContain(SALT);
    expect(renderConfig(config)).toContain('identity  = user.email: hash, user.account_id: keep, salt from CODEX_OTEL_IDENTITY_SALT (***)');
  });
});
