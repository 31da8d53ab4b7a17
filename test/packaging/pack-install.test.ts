/**
 * The npm package is complete: `npm pack` holds every file the compose stack and the native stack mount
 * (every tracked file of collector/, dashboards/, loki/, prometheus/, tempo/, and every ./ path in
 * docker-compose.yml), and the tarball installed into an empty folder (with its dependencies from the
 * registry or the npm cache) runs `codex-otel check`, `simulate` and `audit`, and type-checks a consumer.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..', '..');
const STACK_FOLDERS = ['collector', 'dashboards', 'loki', 'prometheus', 'tempo'];

function run(command: string, args: string[], cwd: string, timeout = 240_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  if (result.error) throw result.error;
  return result;
}

let work: string;
let tarball: string;
let packed: string[];
let installed: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  work = mkdtempSync(join(tmpdir(), 'codex-otel-pack-'));
  // --ignore-scripts: pack the build `npm test` just made instead of building again.
  const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  expect(pack.status, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info!.filename);
  packed = info!.files.map((f) => f.path);
  installed = join(work, 'app');
  run('mkdir', ['-p', installed], work);
  writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], installed);
  expect(install.status, install.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds every tracked file of the stack folders', () => {
    const tracked = run('git', ['ls-files', '--', ...STACK_FOLDERS], ROOT).stdout.split('\n').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(10);
    expect(tracked.filter((file) => !packed.includes(file))).toEqual([]);
  });

  it('holds every host path docker-compose.yml mounts', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: Array<string | { source?: string }> }> };
    const mounts = Object.values(compose.services).flatMap((service) => service.volumes ?? [])
      .map((volume) => (typeof volume === 'string' ? volume.split(':')[0]! : volume.source ?? ''))
      .filter((source) => source.startsWith('./'))
      .map((source) => source.slice(2).replace(/\/$/, ''));
    expect(mounts.length).toBeGreaterThan(3);
    for (const mount of mounts) expect(packed.some((file) => file === mount || file.startsWith(`${mount}/`)), mount).toBe(true);
    expect(packed).toContain('docker-compose.yml');
  });
});

describe('the tarball installed into an empty folder', () => {
  const cli = (...args: string[]) => run(join(installed, 'node_modules/.bin/codex-otel'), args, installed, 60_000);

  it('codex-otel check: the packaged example config is OK; a missing one is said to be missing', () => {
    const ok = cli('check', '--config', 'node_modules/codex-otel/examples/config.toml');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/config OK\n$/);
    const missing = cli('check', '--config', 'nope.toml');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('the config file does not exist');
  });

  it('codex-otel simulate, then codex-otel audit of what it wrote', () => {
    const simulate = cli('simulate', '--json', '--out', 'out', '--sessions', '3');
    expect(simulate.status, simulate.stderr).toBe(0);
    const summary = JSON.parse(simulate.stdout) as { ok: boolean; events: { total: number }; sessions: number };
    expect(summary.ok).toBe(true);
    const audit = cli('audit', '--format', 'json', 'out');
    expect(audit.status, audit.stderr).toBe(0);
    const report = JSON.parse(audit.stdout) as { events: number; conversations: number };
    expect(report.events).toBe(summary.events.total);
    expect(report.conversations).toBe(summary.sessions);
  });

  it('a TypeScript consumer type-checks against the published declarations', () => {
    writeFileSync(join(installed, 'consumer.ts'), [
      "import { createTelemetry, defaultConfig, CATALOG, type Session, type Telemetry } from 'codex-otel';",
      'const telemetry: Telemetry = createTelemetry(defaultConfig(), { originator: "consumer" });',
      'const session: Session = telemetry.startSession({ conversationId: "c", model: "gpt-5" });',
      'session.sseChunk({ kind: "response.output_text.delta", durationMs: 1 });',
      'const name: string = CATALOG.toolDecision.name;',
      'void name; void telemetry.shutdown();',
      '',
    ].join('\n'));
    writeFileSync(join(installed, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
      files: ['consumer.ts'],
    }));
    const tsc = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], installed, 120_000);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
