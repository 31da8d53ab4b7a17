import { Command, CommanderError } from 'commander';
import { registerCheck } from './check.js';
import { registerFlush } from './flush.js';
import { registerSimulate } from './simulate/simulate.js';
import { registerDemo } from './simulate/demo.js';
import { registerDoctor } from './doctor/doctor.js';
import { registerAudit } from './audit/command.js';
import { processIo, type CliIo } from './io.js';
import { PACKAGE_VERSION } from '../version.js';

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
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exitCode;
}
