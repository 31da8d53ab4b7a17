import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfigPath, loadConfig, readConfig } from '../../../src/config/index.js';
import type { ConfigProblem } from '../../../src/config/index.js';
import { ok, tempDir, writeIn } from './helpers.js';

const LOGS = '[otel]\nenvironment = "from-file"\n';

describe('where the config file is found', () => {
  const savedHome = process.env['HOME'];
  afterEach(() => {
    if (savedHome === undefined) delete process.env['HOME'];
    else process.env['HOME'] = savedHome;
  });

  it('defaults to $CODEX_HOME/config.toml', () => {
    expect(defaultConfigPath({ CODEX_HOME: '/srv/codex' })).toBe('/srv/codex/config.toml');
  });

  it('defaults to ~/.codex/config.toml without CODEX_HOME, or when it is empty', () => {
    expect(defaultConfigPath({})).toBe(join(homedir(), '.codex', 'config.toml'));
    expect(defaultConfigPath({ CODEX_HOME: '' })).toBe(join(homedir(), '.codex', 'config.toml'));
  });

  it('reads $CODEX_HOME/config.toml', async () => {
    const home = tempDir();
    const file = writeIn(home, 'config.toml', LOGS);
    const result = await readConfig({ env: { CODEX_HOME: home } });
    expect(result.errors).toEqual([]);
    const config = ok(result);
    expect(config.source).toBe(file);
    expect(config.present).toBe(true);
    expect(config.environment).toBe('from-file');
  });

  it('reads ~/.codex/config.toml when CODEX_HOME is not set', async () => {
    const home = tempDir();
    process.env['HOME'] = home;
    const file = writeIn(home, '.codex/config.toml', LOGS);
    const config = ok(await readConfig({ env: {} }));
    expect(config.source).toBe(file);
    expect(config.environment).toBe('from-file');
  });

  it('a missing default file ($CODEX_HOME) means telemetry off, not an error', async () => {
    const home = tempDir();
    const result = await readConfig({ env: { CODEX_HOME: home } });
    expect(result).toEqual({
      config: {
        source: join(home, 'config.toml'),
        present: false,
        environment: 'dev',
        logUserPrompt: false,
        exporter: { kind: 'none' },
        traceExporter: { kind: 'none' },
        metricsExporter: { kind: 'none' },
        spanAttributes: {},
        tracestate: {},
        toolResultMaxBytes: 2048,
        extensions: expect.any(Object),
      },
      errors: [],
      warnings: [],
    });
  });

  it('a missing default file (~/.codex) means telemetry off, not an error', async () => {
    const home = tempDir();
    process.env['HOME'] = home;
    const result = await readConfig({ env: {} });
    expect(result.errors).toEqual([]);
    expect(ok(result).present).toBe(false);
    expect(ok(result).source).toBe(join(home, '.codex', 'config.toml'));
  });

  it('an explicit path wins over CODEX_HOME', async () => {
    const home = tempDir();
    writeIn(home, 'config.toml', '[otel]\nenvironment = "home"\n');
    const other = writeIn(tempDir(), 'elsewhere.toml', '[otel]\nenvironment = "explicit"\n');
    const config = ok(await readConfig({ path: other, env: { CODEX_HOME: home } }));
    expect(config.environment).toBe('explicit');
    expect(config.source).toBe(other);
  });

  it('an explicit relative path resolves against the current folder', async () => {
    const file = writeIn(tempDir(), 'config.toml', LOGS);
    const config = ok(await readConfig({ path: relative(process.cwd(), file), env: {} }));
    expect(config.source).toBe(file);
  });

  it('an explicit file that is missing is an error naming the file', async () => {
    const missing = join(tempDir(), 'nope.toml');
    const result = await readConfig({ path: missing, env: {} });
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{ path: missing, message: 'cannot read the config file (ENOENT)' }]);
  });

  it('a default path that is a folder is an error, not "telemetry off"', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'config.toml'));
    const result = await readConfig({ env: { CODEX_HOME: home } });
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{ path: join(home, 'config.toml'), message: 'cannot read the config file (EISDIR)' }]);
  });
});

describe('loadConfig (the library entry point)', () => {
  it('returns the config and hands each warning to onWarning', async () => {
    const file = writeIn(tempDir(), 'config.toml', '[otel]\nenvironmnet = "typo"\n');
    const warnings: ConfigProblem[] = [];
    const config = await loadConfig({ path: file, env: {}, onWarning: (w) => warnings.push(w) });
    expect(config.present).toBe(true);
    expect(warnings).toEqual([{ path: 'otel.environmnet', message: 'unknown key, ignored (Codex ignores it too)' }]);
  });

  it('throws a ConfigError that lists every problem', async () => {
    const file = writeIn(tempDir(), 'config.toml', '[otel]\nenvironment = 1\nlog_user_prompt = "yes"\n');
    const error = await loadConfig({ path: file, env: {}, onWarning: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).errors.map((e) => e.path)).toEqual(['otel.environment', 'otel.log_user_prompt']);
    expect((error as ConfigError).message).toBe([
      'invalid telemetry config:',
      '  - otel.environment: expected a string (found an integer 1)',
      '  - otel.log_user_prompt: expected a boolean (true or false) (found a string "yes")',
    ].join('\n'));
  });
});
