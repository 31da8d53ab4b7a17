import type { Command } from 'commander';
import { formatProblem } from '../config/problems.js';
import { maskedConfig, renderConfig } from '../config/render.js';
import { printConfigErrors, readCliConfig } from './config-file.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { CliIo } from './io.js';

export interface CheckOptions { config?: string; json?: boolean }

/** Exit 0 when the file exists and its [otel] table is valid, 2 when it is missing or invalid. */
export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  const result = await readCliConfig(options.config, io);
  if (options.json) {
    io.out(JSON.stringify({
      ok: result.errors.length === 0,
      file: result.file,
      config: result.config ? maskedConfig(result.config) : null,
      errors: result.errors,
      warnings: result.warnings,
    }, null, 2));
    return result.config ? EXIT_OK : EXIT_USAGE;
  }
  if (result.config) io.out(renderConfig(result.config));
  if (result.warnings.length) {
    io.err(`${result.warnings.length} warning(s):`);
    for (const warning of result.warnings) io.err(`  - ${formatProblem(warning)}`);
  }
  if (!result.config) {
    printConfigErrors(io, result.errors);
    return EXIT_USAGE;
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
    .action(async (options: CheckOptions) => setExit(await runCheck(options, io)));
}
