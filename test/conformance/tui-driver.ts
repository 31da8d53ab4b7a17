/**
 * Drives the real Codex TUI inside a detached tmux session: start it with a prompt, wait for text on
 * the screen, press keys. Waiting is on what the screen shows (polled), never on a fixed sleep.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { codexLauncher, stopAppServerDaemon, type CodexHome, type RunResult } from './codex-driver.js';

const execFileAsync = promisify(execFile);

/** One user action: wait until the screen matches, then press the keys (tmux key names). */
export interface TuiStep {
  waitFor: RegExp;
  keys: readonly string[];
  /** What the screen shows once the TUI has taken the keys (e.g. "You approved …"). */
  accepted: RegExp;
  /** What the step does, for failure messages. */
  label: string;
}

/** How long a prompt may stay on screen after its keys before they count as lost and are pressed again. */
const KEYS_LOST_AFTER_MS = 15_000;
const STEP_TIMEOUT_MS = 180_000;

export interface TuiScript {
  /** Arguments before the prompt, e.g. `-a on-request -s workspace-write`. */
  args: readonly string[];
  steps: readonly TuiStep[];
  /** The screen that says the last turn ended, before the TUI is closed. */
  finished: RegExp;
}

/**
 * One TUI in its own tmux server (a private socket), started with only the run's environment: a tmux
 * server already running on the machine, or the test process's variables, cannot leak into Codex.
 */
export class TmuxSession {
  private constructor(private readonly socket: string, private readonly env: NodeJS.ProcessEnv) {}

  static async start(socket: string, cwd: string, env: NodeJS.ProcessEnv, argv: readonly string[]): Promise<TmuxSession> {
    const session = new TmuxSession(socket, env);
    await session.tmux(['new-session', '-d', '-s', 'codex', '-x', '160', '-y', '48', '-c', cwd, ...argv]);
    // Keep the pane after the program exits so its last screen can still be read.
    await session.tmux(['set-option', '-t', 'codex', 'remain-on-exit', 'on']);
    return session;
  }

  async screen(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-t', 'codex']);
  }

  async sendKeys(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.tmux(['send-keys', '-t', 'codex', key]);
  }

  /** Polls the screen until it matches; rejects with the last screen after timeoutMs. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000, label = pattern.source): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = await this.screen().catch(() => last);
      if (pattern.test(last)) return last;
      if (Date.now() > deadline) throw new Error(`TUI: timed out waiting for ${label}. Last screen:\n${last}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Ends the private tmux server and everything in it. */
  async kill(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
  }

  private async tmux(args: readonly string[]): Promise<string> {
    const { stdout } = await execFileAsync('tmux', ['-L', this.socket, ...args], { timeout: 30_000, env: this.env });
    return stdout;
  }
}

/**
 * Presses the step's keys and waits for the TUI to show it took them. On a loaded machine the TUI can
 * draw a prompt before it reads keys, and a key pressed then is lost: when the prompt is still there
 * (and nothing says the keys were taken) after KEYS_LOST_AFTER_MS, the keys are pressed again.
 */
async function pressUntilAccepted(session: TmuxSession, step: TuiStep): Promise<string> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    await session.sendKeys(step.keys);
    const pressedAt = Date.now();
    for (;;) {
      const screen = await session.screen().catch(() => '');
      if (step.accepted.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`TUI: ${step.label} was never taken. Last screen:\n${screen}`);
      if (Date.now() - pressedAt > KEYS_LOST_AFTER_MS && step.waitFor.test(screen)) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

let sessions = 0;

/**
 * `codex <args> <prompt>` in tmux, the script's key presses, then the TUI is closed and the
 * app-server daemon (which holds TUI sessions) is stopped so it flushes its telemetry.
 */
export async function runTuiScenario(home: CodexHome, scenario: { prompt: string; tui: TuiScript }): Promise<RunResult> {
  const socket = `codex-conformance-${process.pid}-${++sessions}`;
  const argv = [process.execPath, codexLauncher(), ...scenario.tui.args, scenario.prompt];
  const transcript: string[] = [];
  let session: TmuxSession | undefined;
  try {
    // The daemon's shutdown flush is capped at 500 ms in total; exporting metrics every second as well
    // keeps a loaded machine from losing them (the OpenTelemetry SDK inside Codex reads this variable).
    session = await TmuxSession.start(socket, home.workdir, { ...home.env, OTEL_METRIC_EXPORT_INTERVAL: '1000' }, argv);
    for (const step of scenario.tui.steps) {
      transcript.push(await session.waitFor(step.waitFor, STEP_TIMEOUT_MS, step.label));
      transcript.push(await pressUntilAccepted(session, step));
    }
    transcript.push(await session.waitFor(scenario.tui.finished, STEP_TIMEOUT_MS, 'the end of the last turn'));
  } finally {
    await session?.kill();
    // The daemon outlives the TUI: stopped (and flushed) whatever happened above.
    const stopped = await stopAppServerDaemon(home);
    transcript.push(stopped.stdout, stopped.stderr);
  }
  return { code: 0, signal: null, stdout: transcript.join('\n----\n'), stderr: transcript.at(-1) ?? '' };
}
