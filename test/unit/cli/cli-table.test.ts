/**
 * The command table of docs/cli.md, one test per row: the flags in `--help` are exactly the documented
 * ones, every documented exit code happens in the situation the row names, `--json` prints one JSON
 * document with the documented keys, and nothing is drawn on stderr when not on a terminal (the bars
 * themselves are tested where they are drawn: simulate.test.ts, flush.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { closedPort, startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { emitNumbered, faultConfig, faultToml, startFaultTelemetry, writeConfig } from '../../faults/support.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Row { command: string; flags: string[]; exitCodes: number[]; jsonKeys: string[]; optionalKeys: string[] }

/** The table under "Every command at a glance". */
function documentedRows(): Row[] {
  const doc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| command | flags |')).split('\n\n')[0]!.split('\n').slice(2);
  return table.map((line) => {
    const [command, flags, exits, json] = line.split(' | ').map((cell) => cell.replace(/^\| /, ''));
    const keys = [...(/^`\{ ([^}`]*?) \}`/.exec(json!)?.[1] ?? '').matchAll(/(\w+)(\?)?/g)].filter((m) => m[1] !== 'or');
    return {
      command: command!.replace(/`/g, ''),
      flags: [...flags!.matchAll(/`(-\w, )?(--[a-z-]+)`/g)].map((m) => m[2]!).sort(),
      exitCodes: [...exits!.matchAll(/(?:^|· )(\d) /g)].map((m) => Number(m[1])),
      jsonKeys: keys.filter((m) => !m[2]).map((m) => m[1]!),
      optionalKeys: keys.filter((m) => m[2]).map((m) => m[1]!),
    };
  });
}

interface Run { code: number; out: string; err: string }

async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { CODEX_HOME: home }, isTty: false };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function helpFlags(help: string): string[] {
  const options = help.slice(help.indexOf('Options:'));
  return [...options.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((flag) => flag !== '--help').sort();
}

let dir: string;
let home: string;
let receiver: OtlpReceiver;
let refused: string;
const file = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-otel-table-'));
  home = join(dir, 'no-codex-home');
  receiver = await startOtlpReceiver();
  refused = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const httpExporters = (base: string) => `[otel]\nexporter = { otlp-http = { endpoint = "${base}/v1/logs", protocol = "binary" } }\nmetrics_exporter = { otlp-http = { endpoint = "${base}/v1/metrics", protocol = "binary" } }\n`;

/** For each command and documented exit code: a situation the row names, producing that code. */
const SITUATIONS: Record<string, Record<number, () => Promise<Run>>> = {
  check: {
    0: () => cli('check', '--config', file('ok.toml', '[otel]\nenvironment = "x"\n')),
    2: () => cli('check'), // no file at $CODEX_HOME/config.toml
  },
  doctor: {
    0: () => cli('doctor', '--config', file('live.toml', httpExporters(receiver.httpUrl))),
    1: () => cli('doctor', '--config', file('none.toml', '[otel]\nexporter = "none"\n')),
    2: () => cli('doctor', '--config', join(dir, 'missing.toml')),
  },
  simulate: {
    0: () => cli('simulate', '--out', join(dir, 'sim'), '--sessions', '1'),
    1: () => cli('simulate', '--out', join(dir, 'sim-refused'), '--sessions', '1', '--endpoint', refused),
    2: () => cli('simulate', '--sessions', 'none'),
  },
  demo: {
    0: () => cli('demo', '--out', join(dir, 'demo'), '--sessions', '1'),
    1: () => cli('demo', '--out', join(dir, 'demo-refused'), '--sessions', '1', '--endpoint', refused),
    2: () => cli('demo', '--endpoint', 'ftp://nowhere'),
  },
  flush: {
    0: () => cli('flush', '--config', file('flush-none.toml', '[otel]\nexporter = "none"\n')),
    1: async () => {
      const spoolDir = join(dir, 'spool');
      const down = startFaultTelemetry(faultConfig({ target: refused, spoolDir, batchSize: 5 }), { delivery: { retry: { maxAttempts: 1 } } });
      emitNumbered(down, 'table', 5);
      await down.shutdown();
      return cli('flush', '--config', writeConfig(dir, faultToml({ target: refused, spoolDir }), 'flush-down.toml'), '--time-limit', '300');
    },
    2: () => cli('flush', '--config', join(dir, 'missing.toml')),
  },
  audit: {
    0: async () => {
      await cli('simulate', '--out', join(dir, 'for-audit'), '--sessions', '1');
      return cli('audit', join(dir, 'for-audit'));
    },
    2: () => cli('audit', '--format', 'yaml', dir),
  },
};

/** The invocation whose --json output is checked for the documented keys. */
const JSON_RUN: Record<string, () => Promise<Run>> = {
  check: () => cli('check', '--json', '--config', file('ok-json.toml', '[otel]\n')),
  doctor: () => cli('doctor', '--json', '--config', file('live-json.toml', httpExporters(receiver.httpUrl))),
  simulate: () => cli('simulate', '--json', '--out', join(dir, 'sim-json'), '--sessions', '1'),
  demo: () => cli('demo', '--json', '--out', join(dir, 'demo-json'), '--sessions', '1'),
  flush: async () => {
    const spoolDir = join(dir, 'spool-json');
    const down = startFaultTelemetry(faultConfig({ target: refused, spoolDir, batchSize: 5 }), { delivery: { retry: { maxAttempts: 1 } } });
    emitNumbered(down, 'table-json', 5);
    await down.shutdown();
    return cli('flush', '--json', '--config', writeConfig(dir, faultToml({ target: receiver, spoolDir }), 'flush-json.toml'));
  },
  audit: async () => {
    await cli('simulate', '--out', join(dir, 'for-audit-json'), '--sessions', '1');
    return cli('audit', '--json', join(dir, 'for-audit-json'));
  },
};

/** Commands whose flags other work may extend (the audit reader is documented in docs/audit.md): documented ⊆ implemented. */
const OPEN_ENDED = new Set(['audit']);

describe('docs/cli.md command table', () => {
  const rows = documentedRows();

  it('has one row per command of the CLI', async () => {
    const help = await cli('--help');
    const commands = [...help.out.slice(help.out.indexOf('Commands:')).matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(rows.map((r) => r.command).sort()).toEqual(commands.sort());
  });

  for (const row of documentedRows()) {
    it(`${row.command}: flags, exit codes ${row.exitCodes.join('/')}, --json keys, quiet off a terminal`, async () => {
      const help = await cli(row.command, '--help');
      expect(help.code).toBe(0);
      if (OPEN_ENDED.has(row.command)) for (const flag of row.flags) expect(helpFlags(help.out)).toContain(flag);
      else expect(helpFlags(help.out)).toEqual(row.flags);
      expect(row.flags).toContain('--json');

      expect(row.exitCodes.length).toBeGreaterThan(0);
      for (const code of row.exitCodes) {
        const situation = SITUATIONS[row.command]?.[code];
        expect(situation, `a situation for exit ${code}`).toBeDefined();
        const run = await situation!();
        expect(run.code, `${row.command} exit ${code}: ${run.err}`).toBe(code);
        // never a bar or a redraw on stderr when not on a terminal
        expect(run.err).not.toMatch(/\x1b\[|█|░/);
      }

      const json = await JSON_RUN[row.command]!();
      const document = JSON.parse(json.out) as Record<string, unknown>;
      for (const key of row.jsonKeys) expect(document, `${row.command} --json has ${key}`).toHaveProperty(key);
      for (const key of Object.keys(document)) {
        if (row.jsonKeys.length && row.command !== 'audit') expect([...row.jsonKeys, ...row.optionalKeys], `${row.command} --json key ${key} is documented`).toContain(key);
      }
    }, 60_000);
  }

  it('a usage error under --json is a JSON document too, exit 2', async () => {
    for (const row of documentedRows()) {
      const run = await cli(row.command, '--no-such-flag', '--json');
      expect(run.code, row.command).toBe(2);
      expect(JSON.parse(run.out), row.command).toMatchObject({ ok: false });
    }
  });
});
