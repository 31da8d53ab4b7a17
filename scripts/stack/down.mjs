#!/usr/bin/env node
// npm run stack:down — stops a stack started with `npm run stack:up -- --detach`.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './stack.mjs';

const STATE = join(ROOT, '.stack', 'run', 'state.json');
if (!existsSync(STATE)) {
  console.log('no detached stack is running (no .stack/run/state.json)');
  process.exit(0);
}
const { pids, dataDir } = JSON.parse(readFileSync(STATE, 'utf8'));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
for (const [name, pid] of Object.entries(pids).reverse()) {
  if (alive(pid)) { process.kill(pid, 'SIGTERM'); console.log(`stopped ${name} (pid ${pid})`); }
}
const deadline = Date.now() + 30_000;
while (Object.values(pids).some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
for (const [name, pid] of Object.entries(pids)) if (alive(pid)) { process.kill(pid, 'SIGKILL'); console.log(`killed ${name} (pid ${pid})`); }
rmSync(STATE);
console.log(`data and logs kept in ${dataDir}`);
