/** Top self-time functions of a V8 `.cpuprofile` (as written by `node --cpu-prof`). */
import path from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

export function summariseProfile(profile: CpuProfile, repoRoot: string, top = 15): { rows: ProfileRow[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const grouped = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    let where = frame.url.replace(/^file:\/\//, '');
    if (where.startsWith(repoRoot)) where = path.relative(repoRoot, where);
    where = where.replace(/^node_modules\//, '').replace(/\/build\/src\//, '/');
    if (where) where = `${where}:${frame.lineNumber + 1}`;
    const key = `${name}@${where}`;
    const entry = grouped.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    grouped.set(key, entry);
  }
  const rows = [...grouped.values()]
    .filter((e) => e.name !== '(idle)' && e.name !== '(program)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where || '(native)', selfMs: e.us / 1000, selfPct: (e.us / total) * 100 }));
  return { rows, totalMs: total / 1000 };
}
