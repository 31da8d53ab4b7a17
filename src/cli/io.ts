import { interactiveTerminal, type ProgressTarget } from './progress.js';

/** What a command may touch of the outside world: tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** True on an interactive terminal (stdout and stderr are TTYs, not CI): progress bars are drawn. */
  isTty: boolean;
  /** Where progress bars are drawn; default stderr. */
  progressStream?: NodeJS.WritableStream;
}

export function processIo(): CliIo {
  // `codex-otel audit … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    isTty: interactiveTerminal(),
  };
}

/** The progress target of a command run with `io`. */
export function progressTarget(io: CliIo): ProgressTarget {
  return { stream: io.progressStream ?? process.stderr, interactive: io.isTty };
}
