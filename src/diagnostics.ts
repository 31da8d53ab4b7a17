import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';

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

let installed = false;

/** Sends OpenTelemetry's diagnostics to stderr at `level`; without it SDK errors are silent. */
export function installStderrDiagnostics(level: DiagLogLevel = DiagLogLevel.WARN): void {
  if (installed) return;
  installed = true;
  diag.setLogger(stderrDiagLogger(), { logLevel: level, suppressOverrideMessage: true });
}

const reported = new Set<string>();

/** An internal failure must never reach the caller; report each kind once so a loop cannot flood stderr. */
export function reportInternalError(what: string, error: unknown): void {
  if (reported.has(what)) return;
  reported.add(what);
  diag.error(`codex-otel: internal error while ${what}; telemetry continues`, error);
}
