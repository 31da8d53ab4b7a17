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
 * down loses its last records; `beforeExit` does not fire on `process.exit()` or on signals.
 */
export function installExitHooks(telemetry: Telemetry, options: ExitHookOptions = {}): ExitHooks {
  const onBeforeExit = () => { void telemetry.shutdown(); };
  const onSignal = (signal: keyof typeof SIGNAL_NUMBERS) => {
    void telemetry.shutdown().finally(() => process.exit(128 + SIGNAL_NUMBERS[signal]));
  };
  const onException = (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void telemetry.shutdown().finally(() => process.exit(1));
  };
  process.on('beforeExit', onBeforeExit);
  if (options.signals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  if (options.uncaughtException !== false) process.on('uncaughtException', onException);

  return {
    exit: async (code = 0) => {
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
