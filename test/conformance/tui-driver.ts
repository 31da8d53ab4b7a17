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
  /** What the step does, for failure messages. */
  label: string;
}

export interface TuiScript {
  /** Arguments before the prompt, e.g. `-a on-request -s workspace-write`. */
  args: readonly string[];
  steps: readonly TuiStep[];
  /** The screen that says the last turn ended, before the TUI is closed. */
  finished: RegExp;
}

export class TmuxSession {
  private constructor(readonly name: string) {}

  static async start(name: string, cwd: string, env: NodeJS.ProcessEnv, argv: readonly string[]): Promise<TmuxSession> {
    const assignments = Object.entries(env).flatMap(([key, value]) => (value === undefined ? [] : ['-e', `${key}=${value}`]));
    await tmux(['new-session', '-d', '-s', name, '-x', '160', '-y', '48', '-c', cwd, ...assignments, ...argv]);
    // Keep the pane after the program exits so its last screen can still be read.
    await tmux(['set-option', '-t', name, 'remain-on-exit', 'on']);
    return new TmuxSession(name);
  }

  async screen(): Promise<string> {
    return tmux(['capture-pane', '-p', '-t', this.name]);
  }

  async sendKeys(keys: readonly string[]): Promise<void> {
    for (const key of keys) await tmux(['send-keys', '-t', this.name, key]);
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

  async kill(): Promise<void> {
    await tmux(['kill-session', '-t', this.name]).catch(() => undefined);
  }
}

async function tmux(args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync('tmux', args, { timeout: 30_000 });
  return stdout;
}

let sessions = 0;

/**
 * `codex <args> <prompt>` in tmux, the script's key presses, then the TUI is closed and the
 * app-server daemon (which holds TUI sessions) is stopped so it flushes its telemetry.
 */
export async function runTuiScenario(home: CodexHome, scenario: { prompt: string; tui: TuiScript }): Promise<RunResult> {
  const name = `codex-conformance-${process.pid}-${++sessions}`;
  const argv = [process.execPath, codexLauncher(), ...scenario.tui.args, scenario.prompt];
  const session = await TmuxSession.start(name, home.workdir, home.env, argv);
  const transcript: string[] = [];
  try {
    for (const step of scenario.tui.steps) {
      transcript.push(await session.waitFor(step.waitFor, 90_000, step.label));
      await session.sendKeys(step.keys);
    }
    transcript.push(await session.waitFor(scenario.tui.finished, 90_000, 'the end of the last turn'));
    await session.sendKeys(['C-c']);
    await session.sendKeys(['C-c']);
  } finally {
    await session.kill();
  }
  const stopped = await stopAppServerDaemon(home);
  return { ...stopped, stdout: transcript.join('\n----\n') + stopped.stdout };
}
