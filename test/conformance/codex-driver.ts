/**
 * Runs the real Codex CLI (the `@openai/codex` dev dependency) against the mock Responses API with
 * `[otel]` pointing at a capture receiver: `codex exec` as a child process, the TUI inside tmux.
 * Each run gets its own CODEX_HOME, HOME and working folder under a fresh temporary folder.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The environment variable named by the provider's `env_key`; its value is a placeholder, never a real key. */
export const API_KEY_ENV = 'CODEX_CONFORMANCE_API_KEY';
const API_KEY_VALUE = 'conformance-placeholder-key';

/** The launcher of the installed `@openai/codex` (it picks the platform binary). */
export function codexLauncher(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@openai/codex/package.json');
  return path.join(path.dirname(packageJson), 'bin', 'codex.js');
}

export async function installedCodexVersion(): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [codexLauncher(), '--version'], { timeout: 60_000 });
  const match = /(\d+\.\d+\.\d+\S*)/.exec(stdout);
  if (!match) throw new Error(`cannot read a version from "codex --version": ${stdout}`);
  return match[1]!;
}

export interface OtlpEndpoints {
  logs: string;
  metrics: string;
  traces: string;
}

export interface CodexHomeOptions {
  baseUrl: string;
  otlp: OtlpEndpoints;
  logUserPrompt?: boolean;
  websockets?: boolean;
}

export interface CodexHome {
  root: string;
  codexHome: string;
  home: string;
  workdir: string;
  env: NodeJS.ProcessEnv;
  remove(): Promise<void>;
}

export async function createCodexHome(options: CodexHomeOptions): Promise<CodexHome> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'codex-conformance-')));
  const codexHome = path.join(root, 'codex-home');
  const home = path.join(root, 'home');
  const workdir = path.join(root, 'work');
  await Promise.all([mkdir(codexHome), mkdir(home), mkdir(workdir)]);
  await writeFile(path.join(codexHome, 'config.toml'), configToml(options, workdir));
  // Only what Codex needs: no real credentials of the machine leak into a run.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: home,
    CODEX_HOME: codexHome,
    [API_KEY_ENV]: API_KEY_VALUE,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    RUST_LOG: 'warn',
  };
  return { root, codexHome, home, workdir, env, remove: () => rm(root, { recursive: true, force: true }) };
}

function configToml(options: CodexHomeOptions, workdir: string): string {
  const exporter = (endpoint: string) => `{ otlp-http = { endpoint = "${endpoint}", protocol = "binary" } }`;
  return [
    'model = "gpt-5-codex"',
    'model_provider = "mock"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.mock]',
    'name = "Conformance mock"',
    `base_url = "${options.baseUrl}"`,
    'wire_api = "responses"',
    `env_key = "${API_KEY_ENV}"`,
    `supports_websockets = ${options.websockets === true}`,
    '',
    // No curated-plugin sync (github.com, chatgpt.com) and no update check: the tests use no network.
    '[features]',
    'plugins = false',
    '',
    `[projects."${workdir}"]`,
    'trust_level = "trusted"',
    '',
    '[otel]',
    'environment = "conformance"',
    `log_user_prompt = ${options.logUserPrompt === true}`,
    `exporter = ${exporter(options.otlp.logs)}`,
    `trace_exporter = ${exporter(options.otlp.traces)}`,
    `metrics_exporter = ${exporter(options.otlp.metrics)}`,
    '',
  ].join('\n');
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `codex exec --skip-git-repo-check <prompt>` with no stdin; resolves when the process exits. */
export function runCodexExec(home: CodexHome, prompt: string, extraArgs: readonly string[] = [], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [codexLauncher(), 'exec', '--skip-git-repo-check', ...extraArgs, prompt], {
      cwd: home.workdir,
      env: home.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `codex app-server daemon stop` with the same CODEX_HOME: the daemon flushes its telemetry and exits. */
export async function stopAppServerDaemon(home: CodexHome): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [codexLauncher(), 'app-server', 'daemon', 'stop'], {
      cwd: home.workdir,
      env: home.env,
      timeout: 60_000,
    });
    return { code: 0, signal: null, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; signal?: NodeJS.Signals; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, signal: failure.signal ?? null, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

/**
 * Ends every process still running from this run's CODEX_HOME (found by the path in its command
 * line, Linux /proc): `codex app-server daemon stop` leaves the daemon's `pid-update-loop` helper
 * running, and a failed run may leave the daemon itself. Only processes of this run match.
 */
export async function endLeftoverProcesses(home: CodexHome): Promise<number[]> {
  const ended: number[] = [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return ended;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!commandLine.split('\0').some((arg) => arg.startsWith(home.codexHome))) continue;
    try {
      process.kill(Number(entry), 'SIGTERM');
      ended.push(Number(entry));
    } catch {
      // Already gone.
    }
  }
  return ended;
}

/** Whether `tmux` can be run here. */
export async function tmuxAvailable(): Promise<boolean> {
  try {
    await execFileAsync('tmux', ['-V'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
