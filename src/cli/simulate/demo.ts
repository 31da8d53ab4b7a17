/**
 * `codex-otel demo` (what `npm start` runs): simulate on the embedded offline config into ./codex-otel-out,
 * replacing the previous run's files, then print the audit report of what was written. `--endpoint URL`
 * also sends everything to a collector (the compose stack listens on http://127.0.0.1:4318).
 */
import { relative, resolve } from 'node:path';
import { safeEndpoint } from '../../config/safe-endpoint.js';
import type { Command } from 'commander';
import { runAudit } from '../audit/command.js';
import type { CliIo } from '../io.js';
import { DEFAULT_OUT_DIR, DEFAULT_SEED, DEFAULT_SESSIONS, EXIT_LOSS, EXIT_OK, EXIT_USAGE, formatSummary, lossless, simulate, type SimulateSummary } from './simulate.js';

export interface DemoOptions {
  out?: string;
  endpoint?: string;
  seed?: string;
  sessions?: string;
}

export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const out = resolve(options.out ?? DEFAULT_OUT_DIR);
  const shown = relative(process.cwd(), out) || '.';
  io.out(`== codex-otel demo: simulated agent sessions → OTLP/JSON files in ${shown}/${options.endpoint ? ` and OTLP/HTTP to ${safeEndpoint(options.endpoint)}` : ' (offline: no collector needed)'}`);
  io.out('');
  let summary: SimulateSummary | undefined;
  try {
    summary = await simulate({
      out,
      fresh: true,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.sessions !== undefined ? { sessions: options.sessions } : {}),
    }, io);
  } catch (error) {
    io.err(`codex-otel demo: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  if (!summary) return EXIT_USAGE;
  for (const line of formatSummary(summary)) io.out(line);
  io.out('');
  io.out(`== codex-otel audit ${shown}`);
  io.out('');
  const auditCode = await runAudit({ paths: [out], format: 'table' }, io);
  io.out('');
  const cli = commandName();
  io.out('Next:');
  io.out(`  ${cli} audit --format json ${shown}     the same report as JSON (or --format csv)`);
  io.out('  docker compose up -d && npm start -- --endpoint http://127.0.0.1:4318     the same demo into the bundled collector and Grafana');
  io.out(`  ${cli} doctor --config ~/.codex/config.toml     check that your own exporters work`);
  if (auditCode !== EXIT_OK) return auditCode;
  return lossless(summary) ? EXIT_OK : EXIT_LOSS;
}

/** How to call this command again from here: `node bin/codex-otel.js` in a checkout, `codex-otel` when installed. */
function commandName(): string {
  const script = process.argv[1];
  if (script && /codex-otel(\.js)?$/.test(script)) {
    const rel = relative(process.cwd(), script);
    if (rel && !rel.startsWith('..') && !rel.includes('node_modules')) return `node ${rel}`;
  }
  return 'codex-otel';
}

export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('simulate agent sessions into ./codex-otel-out (offline) and print the audit report of them: what npm start runs')
    .option('-o, --out <dir>', `output folder (default ./${DEFAULT_OUT_DIR}); earlier logs*.jsonl / metrics*.jsonl in it are replaced`)
    .option('--endpoint <url>', 'also send to a collector over OTLP/HTTP, e.g. http://127.0.0.1:4318 (the compose stack)')
    .option('--seed <n>', `seed (default ${DEFAULT_SEED})`)
    .option('-n, --sessions <n>', `conversations (default ${DEFAULT_SESSIONS})`)
    .action(async (options: DemoOptions) => setExit(await runDemo(options, io)));
}
