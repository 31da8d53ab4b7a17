import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultConfig } from './defaults.js';
import { parseConfigText } from './parse.js';
import { ConfigError, formatProblem } from './problems.js';
import type { ConfigProblem, ConfigResult, OtelConfig } from './types.js';

export interface LoadConfigOptions {
  /** An explicit config.toml; without it, `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`). */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Where warnings go; by default one line each on stderr. */
  onWarning?: (warning: ConfigProblem) => void;
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['CODEX_HOME'] && env['CODEX_HOME'] !== '' ? env['CODEX_HOME'] : join(env['HOME'] || homedir(), '.codex');
  return join(home, 'config.toml');
}

/**
 * Reads and validates the `[otel]` table. Never throws: a missing default file means telemetry off;
 * a missing explicit file is an error.
 */
export async function readConfig(options: LoadConfigOptions = {}): Promise<ConfigResult> {
  const env = options.env ?? process.env;
  const explicit = options.path !== undefined;
  const path = resolve(options.path ?? defaultConfigPath(env));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return { config: { ...defaultConfig(), source: path }, errors: [], warnings: [] };
    return { errors: [{ path, message: `cannot read the config file (${code ?? (error as Error).message})` }], warnings: [] };
  }
  return parseConfigText(text, { path, env });
}

/** The library entry point: the validated config, or a ConfigError that lists every problem. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<OtelConfig> {
  const result = await readConfig(options);
  const onWarning = options.onWarning ?? ((w) => process.stderr.write(`codex-otel: warning: ${formatProblem(w)}\n`));
  for (const warning of result.warnings) onWarning(warning);
  if (!result.config) throw new ConfigError(result.errors, result.warnings);
  return result.config;
}
