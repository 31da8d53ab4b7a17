/**
 * Progress of long work (simulate --duration, flush of a large spool, audit of many files, stack:build):
 * a bar on a terminal, nothing otherwise. The one place that knows the progress library (cli-progress);
 * the work itself only calls a `ProgressCallback`, so any reader or builder can report without knowing
 * whether, or how, it is drawn.
 */
import cliProgress from 'cli-progress';

/** What long work reports: `done` of `total` units (total unknown: a counter, no percentage). */
export interface ProgressUpdate {
  done: number;
  total?: number;
  /** A short free text shown after the counts (the current file, events per second, …). */
  detail?: string;
}

export type ProgressCallback = (update: ProgressUpdate) => void;

export interface Progress {
  readonly update: ProgressCallback;
  /** Draws the final state and releases the terminal line. Idempotent. */
  stop(): void;
}

export interface ProgressTarget {
  /** Where the bar is drawn (stderr): stdout stays clean for the command's output. */
  stream: NodeJS.WritableStream;
  /** True only on an interactive terminal (stdout and stderr TTYs, not CI): otherwise nothing is drawn. */
  interactive: boolean;
}

/** An interactive terminal: stdout and stderr are TTYs and `CI` is unset (or "false"). */
export function interactiveTerminal(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout, stderr: { isTTY?: boolean } = process.stderr): boolean {
  const ci = env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false';
  return Boolean(stdout.isTTY && stderr.isTTY) && !ci;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** A bar labelled `label` counting `unit`s; silent when the target is not interactive. */
export function startProgress(target: ProgressTarget, label: string, unit: string): Progress {
  if (!target.interactive) return SILENT;
  let bar: cliProgress.SingleBar | undefined;
  let counting = false;
  let stopped = false;
  const update: ProgressCallback = ({ done, total, detail }) => {
    if (stopped) return;
    const payload = { label, unit, detail: detail ? ` · ${detail}` : '' };
    if (!bar) {
      counting = total === undefined;
      bar = new cliProgress.SingleBar({
        stream: target.stream,
        format: counting ? '{label} {value} {unit}{detail}' : '{label} [{bar}] {percentage}% {value}/{total} {unit}{detail}',
        hideCursor: true,
        clearOnComplete: false,
        // Redraw at most 5 times a second: the work never waits for the terminal.
        fps: 5,
        etaBuffer: 20,
      }, cliProgress.Presets.shades_classic);
      bar.start(total ?? 0, done, payload);
      return;
    }
    if (!counting && total !== undefined) bar.setTotal(total);
    bar.update(done, payload);
  };
  return {
    update,
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}
