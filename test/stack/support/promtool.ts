import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './files.js';

/** Path of promtool on PATH, or undefined. Debian's `prometheus` package ships promtool 2.42. */
export function findPromtool(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export interface PromtoolResult { ok: boolean; output: string }

export function runPromtool(promtool: string, args: string[]): PromtoolResult {
  const r = spawnSync(promtool, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}
