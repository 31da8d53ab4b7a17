import { channel } from 'node:diagnostics_channel';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';

/** Name of the `node:diagnostics_channel` on which every telemetry instance publishes its own problems. */
export const DIAGNOSTICS_CHANNEL = 'codex-otel:diagnostics';

/** What is published on {@link DIAGNOSTICS_CHANNEL}. */
export interface DiagnosticMessage {
  level: 'error' | 'warn';
  /** Human-readable, one line, never a secret. */
  message: string;
  error?: unknown;
  /** The `originator` of the instance that reported it. */
  originator: string;
}

const diagnostics = channel(DIAGNOSTICS_CHANNEL);

/** SDK diagnostics on stderr, never stdout: a CLI's stdout belongs to its user. */
export function stderrDiagLogger(prefix = 'codex-otel'): DiagLogger {
  const write = (level: string) => (message: string, ...args: unknown[]) => {
    const extra = args.length ? ` ${args.map(describe).join(' ')}` : '';
    process.stderr.write(`${prefix}: ${level}: ${message}${extra}\n`);
  };
  return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug'), verbose: write('verbose') };
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * True when a diag logger is registered in this process (by the host, or by an earlier instance of this
 * library). `@opentelemetry/api` has no getter, so this reads its registry: the well-known global symbol of
 * API major version 1, read-only.
 */
export function diagLoggerRegistered(): boolean {
  const registry = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return registry?.diag !== undefined;
}

/**
 * Without a diag logger the SDK's errors (failed exports, bad attributes) are silent. When the host has
 * registered one it is the host's: keep it. Otherwise send them to stderr at `level`.
 */
export function ensureDiagLogger(level: DiagLogLevel = DiagLogLevel.WARN): void {
  if (diagLoggerRegistered()) return;
  diag.setLogger(stderrDiagLogger(), { logLevel: level, suppressOverrideMessage: true });
}

/** Reports this instance's internal failures: each kind once, so a failing loop cannot flood anything. */
export interface InternalErrorReporter {
  (what: string, error: unknown): void;
}

/**
 * One reporter per telemetry instance: its own "already reported" set, publishing on the library's
 * diagnostics channel and through OpenTelemetry's diag (the host's logger, or stderr when the library
 * installed it).
 */
export function createInternalErrorReporter(originator: string): InternalErrorReporter {
  const reported = new Set<string>();
  return (what, error) => {
    if (reported.has(what)) return;
    reported.add(what);
    const message = `codex-otel: internal error while ${what}; telemetry continues`;
    try {
      if (diagnostics.hasSubscribers) diagnostics.publish({ level: 'error', message, error, originator } satisfies DiagnosticMessage);
      diag.error(message, error);
    } catch {
      // a throwing subscriber or logger must not turn a report into an exception in the host
    }
  };
}
