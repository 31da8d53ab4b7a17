import type { Command } from 'commander';
import { readConfig } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import { maskedConfig, renderConfig } from '../config/render.js';
import type { CliIo } from './io.js';

export const EXIT_OK = 0;
export const EXIT_CONFIG_ERROR = 2;

export async function runCheck(options: { config?: string; json?: boolean }, io: CliIo): Promise<number> {
  const result = await readConfig({ ...(options.config !== undefined ? { path: options.config } : {}), env: io.env });
  if (options.json) {
    io.out(JSON.stringify({
      ok: result.errors.length === 0,
      config: result.config ? maskedConfig(result.config) : null,
      errors: result.errors,
      warnings: result.warnings,
    }, null, 2));
    return result.config ? EXIT_OK : EXIT_CONFIG_ERROR;
  }
  if (result.config) io.out(renderConfig(result.config));
  if (result.warnings.length) {
    io.err(`${result.warnings.length} warning(s):`);
    for (const warning of result.warnings) io.err(`  - ${formatProblem(warning)}`);
  }
  if (!result.config) {
    io.err(`${result.errors.length} error(s):`);
    for (const error of result.errors) io.err(`  - ${formatProblem(error)}`);
    return EXIT_CONFIG_ERROR;
  }
  io.out(result.warnings.length ? 'config OK, with warnings' : 'config OK');
  return EXIT_OK;
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('validate the [otel] table of config.toml and print it resolved, secrets masked')
    .option('-c, --config <path>', 'config.toml to read (default: $CODEX_HOME/config.toml)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { config?: string; json?: boolean }) => setExit(await runCheck(options, io)));
}
