/**
 * `codex-otel demo` (what `npm start` runs): simulate on the embedded offline config into ./codex-otel-out,
 * with the same output-folder rule as simulate (earlier logs*.jsonl / metrics*.jsonl replaced unless
 * --append, nothing else touched), then print the audit report of what was written. `--endpoint URL`
 * also sends everything to a collector (the compose stack listens on http://127.0.0.1:4318).
 */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { safeEndpoint } from '../../config/safe-endpoint.js';
import { runAudit } from '../audit/command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { DEFAULT_OUT_DIR, DEFAULT_SESSIONS, formatSummary, lossless, simulate, type SimulateSummary } from './simulate.js';

export interface DemoOptions {
  out?: string;
  endpoint?: string;
  seed?: string;
  sessions?: string;
  append?: boolean;
  json?: boolean;
}

export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const out = resolve(options.out ?? DEFAULT_OUT_DIR);
  const shown = relative(process.cwd(), out) || '.';
  const text = (line: string) => { if (!options.json) io.out(line); };
  text(`== codex-otel demo: simulated agent sessions → OTLP/JSON files in ${shown}/${options.endpoint ? ` and OTLP/HTTP to ${safeEndpoint(options.endpoint)}` : ' (offline: no collector needed)'}`);
  text('');
  let summary: SimulateSummary | undefined;
  try {
    summary = await simulate({
      out,
      ...(options.append ? { append: true } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.sessions !== undefined ? { sessions: options.sessions } : {}),
    }, io);
  } catch (error) {
    if (options.json) io.out(JSON.stringify({ ok: false, error: (error as Error).message }, null, 2));
    io.err(`codex-otel demo: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  if (!summary) return EXIT_USAGE;
  if (options.json) {
    // The audit's own JSON, captured, beside the simulate summary: one document on stdout.
    const auditLines: string[] = [];
    const auditCode = await runAudit({ paths: [out], format: 'json' }, { ...io, out: (line) => auditLines.push(line) });
    const code = auditCode !== EXIT_OK ? auditCode : lossless(summary) ? EXIT_OK : EXIT_FAILURE;
    io.out(JSON.stringify({ ok: code === EXIT_OK, simulate: summary, audit: auditLines.length ? JSON.parse(auditLines.join('\n')) : null }, null, 2));
    return code;
  }
  for (const line of formatSummary(summary)) io.out(line);
  io.out('');
  io.out(`== codex-otel audit ${shown}`);
  io.out('');
  const auditCode = await runAudit({ paths: [out], format: 'table' }, io);
  io.out('');
  const cli = commandName();
  io.out('Next:');
  io.out(`  ${cli} audit --format json ${shown}     the same report as JSON (or --format csv)`);
  io.out('  npm run stack:up (or docker compose up -d), then npm start -- --endpoint http://127.0.0.1:4318     the same demo into the bundled collector and Grafana');
  io.out(`  ${cli} doctor --config ~/.codex/config.toml     check that your own exporters work`);
  if (auditCode !== EXIT_OK) return auditCode;
  return lossless(summary) ? EXIT_OK : EXIT_FAILURE;
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
    .option('-o, --out <dir>', `output folder (default ./${DEFAULT_OUT_DIR}); earlier logs*.jsonl / metrics*.jsonl in it are replaced unless --append`)
    .option('--endpoint <url>', 'also send to a collector over OTLP/HTTP, e.g. http://127.0.0.1:4318 (the compose stack)')
    .option('--seed <n>', 'repeat a run with its seed (default: fresh ids every run)')
    .option('-n, --sessions <n>', `conversations (default ${DEFAULT_SESSIONS})`)
    .option('--append', 'keep the files of earlier runs in the output folder')
    .option('--json', 'print { ok, simulate, audit } as one JSON document')
    .action(async (options: DemoOptions) => setExit(await runDemo(options, io)));
}
