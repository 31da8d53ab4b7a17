import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const STACK_BIN = join(ROOT, '.stack', 'bin');

/** Path of a stack binary; throws (never skips) when `npm run stack:build` has not run. */
export function stackBinary(name: 'otelcol' | 'prometheus' | 'promtool' | 'loki' | 'tempo'): string {
  const path = join(STACK_BIN, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run stack:build\` (CI runs it in .ci/run)`);
  return path;
}

export interface RunResult { status: number | null; stdout: string; stderr: string }

/** `otelcol validate --config=a --config=b ...` with the repository's files, from the repo root. */
export function validateCollector(files: string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(stackBinary('otelcol'), ['validate', ...files.map((f) => `--config=${join(ROOT, f)}`)], {
    cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
