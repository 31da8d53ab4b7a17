import { Command, CommanderError } from 'commander';
import { registerCheck } from './check.js';
import { registerFlush } from './flush.js';
import { registerSimulate } from './simulate/simulate.js';
import { registerDemo } from './simulate/demo.js';
import { registerDoctor } from './doctor/doctor.js';
import { registerAudit } from './audit/command.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { PACKAGE_VERSION } from '../version.js';

/**
 * `--json` on every command: a command that spells it `--format json` (audit) also takes `--json`, the
 * same as `--format json`.
 */
function acceptJsonFlag(program: Command, name: string): void {
  const command = program.commands.find((c) => c.name() === name);
  if (!command || command.options.some((o) => o.long === '--json')) return;
  command.option('--json', 'the same as --format json');
  command.hook('preAction', (_program, action) => {
    if (action.getOptionValue('json') === true) action.setOptionValue('format', 'json');
  });
}

/** Runs the codex-otel command line; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => { exitCode = code; };
  const program = new Command('codex-otel')
    .description('Codex-compatible OpenTelemetry: check, diagnose, simulate and audit')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  registerCheck(program, io, setExit);
  registerFlush(program, io, setExit);
  registerSimulate(program, io, setExit);
  registerDemo(program, io, setExit);
  registerDoctor(program, io, setExit);
  registerAudit(program, io, setExit);
  acceptJsonFlag(program, 'audit');
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_OK;
      // Usage errors too: --json means a JSON document on stdout, whatever happened.
      if (argv.includes('--json')) io.out(JSON.stringify({ ok: false, error: error.message.replace(/^error: /, '') }, null, 2));
      return EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
