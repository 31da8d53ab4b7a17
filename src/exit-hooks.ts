import type { Telemetry } from './telemetry.js';

export interface ExitHookOptions {
  /** Also handle SIGINT and SIGTERM: shut down, then exit with 128 + the signal number. Default true. */
  signals?: boolean;
  /** Also handle an uncaught exception: print it, shut down, exit 1. Default true. */
  uncaughtException?: boolean;
}

export interface ExitHooks {
  /** Shuts telemetry down (bounded), then exits with `code`. Use instead of `process.exit()`. */
  exit(code?: number): Promise<never>;
  /** Removes the hooks. */
  remove(): void;
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Opt-in exit handling for command-line tools. Batch timers are unref'd, so a CLI that never shuts
 * down loses its last records; `beforeExit` does not fire on `process.exit()` or on signals. Every path
 * below shuts telemetry down within its bound (default 2 s): what is not delivered by then is in the spool.
 *
 * - natural end of the event loop (`beforeExit`): shut down; if the bound was reached (an export is still
 *   hanging on a dead collector), exit with `process.exitCode` instead of waiting for its socket timeout;
 * - `exit(code)`: shut down, then `process.exit(code)`;
 * - SIGINT / SIGTERM: shut down, then exit with 128 + the signal number (130 / 143);
 * - an uncaught exception: print it on stderr, shut down, exit 1.
 */
export function installExitHooks(telemetry: Telemetry, options: ExitHookOptions = {}): ExitHooks {
  let ending = false;
  const shutdownThenExit = (code: number | undefined, onlyIfPending = false) => {
    void telemetry.shutdown().then(
      (result) => {
        if (!onlyIfPending || !result.completed) process.exit(code ?? exitCodeNow());
      },
      () => process.exit(code ?? exitCodeNow()),
    );
  };
  const onBeforeExit = () => {
    if (ending) return;
    ending = true;
    shutdownThenExit(undefined, true);
  };
  const onSignal = (signal: keyof typeof SIGNAL_NUMBERS) => {
    ending = true;
    shutdownThenExit(128 + SIGNAL_NUMBERS[signal]);
  };
  const onException = (error: unknown) => {
    ending = true;
    try {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    } catch {
      // stderr closed
    }
    shutdownThenExit(1);
  };
  process.on('beforeExit', onBeforeExit);
  if (options.signals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  if (options.uncaughtException !== false) process.on('uncaughtException', onException);

  return {
    exit: async (code = 0) => {
      ending = true;
      await telemetry.shutdown();
      process.exit(code);
    },
    remove: () => {
      process.off('beforeExit', onBeforeExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('uncaughtException', onException);
    },
  };
}

function exitCodeNow(): number {
  const code = process.exitCode;
  return typeof code === 'number' ? code : Number(code ?? 0) || 0;
}
