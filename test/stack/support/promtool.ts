import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './files.js';

/**
 * promtool from the stack's own Prometheus build (.stack/bin/promtool, `npm run stack:build`),
 * so rules are tested by the version that runs them; else one on PATH (Debian's 2.42, a
 * fallback), else undefined.
 */
export function findPromtool(): string | undefined {
  const built = join(REPO_ROOT, '.stack', 'bin', 'promtool');
  if (existsSync(built)) return built;
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export interface PromtoolResult { ok: boolean; output: string }

export function runPromtool(promtool: string, args: string[]): PromtoolResult {
  const r = spawnSync(promtool, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}
