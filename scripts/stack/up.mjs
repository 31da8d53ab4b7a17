#!/usr/bin/env node
// npm run stack:up [-- --detach] — the stack without Docker, from .stack/bin/ (npm run stack:build).
// Ports: the compose ones, overridable (CODEX_OTEL_STACK_*_PORT, see stack.mjs). Data and logs
// in a temporary folder. Runs until Ctrl-C; --detach prints the endpoints and returns.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOKI_TEMPO_NOTE } from './build.mjs';
import { ROOT, settingsFromEnv, startStack } from './stack.mjs';

const detach = process.argv.includes('--detach');
const STATE = join(ROOT, '.stack', 'run', 'state.json');

try {
  const stack = await startStack({ detached: detach });
  const lines = [
    'codex-otel native stack is up:',
    ...Object.entries(stack.endpoints).map(([k, v]) => `  ${k.padEnd(19)} ${v}`),
    `  ${'data and logs'.padEnd(19)} ${stack.dataDir}`,
    `  ${'settings'.padEnd(19)} ${Object.entries({ ...settingsFromEnv('collector'), ...settingsFromEnv('tempo') }).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  ];
  if (stack.missing.length) lines.push(`  not running: ${stack.missing.join(', ')}. ${LOKI_TEMPO_NOTE}`);
  if (detach) {
    mkdirSync(join(ROOT, '.stack', 'run'), { recursive: true });
    writeFileSync(STATE, JSON.stringify({ pids: stack.pids(), dataDir: stack.dataDir, endpoints: stack.endpoints }, null, 2));
    lines.push('Stop it with: npm run stack:down');
    console.log(lines.join('\n'));
    process.exit(0);
  }
  lines.push('Ctrl-C stops it.');
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  console.error(`stack:up failed: ${err.message}`);
  process.exit(1);
}
