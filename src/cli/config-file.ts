/**
 * The config file every command reads, the same way: `--config PATH`, else `$CODEX_HOME/config.toml`.
 * For a command a missing file is an error that says it is missing (the library itself treats a missing
 * default file as "telemetry off"), so a wrong `CODEX_HOME` is never reported as a good config.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultConfigPath, readConfig } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { ConfigProblem, ConfigResult } from '../config/types.js';
import type { CliIo } from './io.js';

export interface ConfigFile {
  path: string;
  /** From --config, not the default location. */
  explicit: boolean;
  exists: boolean;
}

export interface CliConfig extends ConfigResult {
  file: ConfigFile;
}

export async function readCliConfig(configOption: string | undefined, io: CliIo): Promise<CliConfig> {
  const explicit = configOption !== undefined;
  const path = resolve(configOption ?? defaultConfigPath(io.env));
  const file: ConfigFile = { path, explicit, exists: existsSync(path) };
  if (!file.exists) {
    const where = explicit ? 'given with --config' : `the default location (${io.env['CODEX_HOME'] ? '$CODEX_HOME' : '~/.codex'}/config.toml); pass --config PATH or set CODEX_HOME`;
    const problem: ConfigProblem = { path, message: `the config file does not exist (${where})`, expected: 'a config.toml with an [otel] table', found: 'no file' };
    return { file, errors: [problem], warnings: [] };
  }
  return { file, ...(await readConfig({ path, env: io.env })) };
}

/** Config errors on stderr, one per line with its key path, expected and found. */
export function printConfigErrors(io: CliIo, errors: readonly ConfigProblem[]): void {
  io.err(`${errors.length} config error(s):`);
  for (const error of errors) io.err(`  - ${formatProblem(error)}`);
}
