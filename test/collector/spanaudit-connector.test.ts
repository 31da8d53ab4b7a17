import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// Runs the Go tests of our collector connector (collector/components/spanauditconnector)
// as part of `npm test`. CI has Go and the module proxy; elsewhere the suite is skipped
// when `go` is not on PATH, and says so.
const MODULE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'collector', 'components', 'spanauditconnector');
const BUILDER_MANIFEST = join(MODULE_DIR, '..', '..', 'builder-config.yaml');
const MODULE = 'github.com/codex-otel/codex-otel/collector/components/spanauditconnector';
const GO_TIMEOUT_MS = 10 * 60_000; // a cold module cache downloads and compiles the collector API

const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const mustRun = Boolean(process.env.CI);

interface GoRun { code: number | null; stdout: string; stderr: string }

function go(args: string[]): Promise<GoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, {
      cwd: MODULE_DIR,
      // readonly: a go.mod or go.sum that is not complete fails instead of being rewritten.
      env: { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface TestEvent { Action: string; Package?: string; Test?: string }

describe.skipIf(!hasGo && !mustRun)('spanaudit collector connector (Go)', () => {
  it('has go on PATH (CI provides it)', () => {
    expect(hasGo, 'go is required in CI to test collector/components/spanauditconnector').toBe(true);
  });

  it('builds against the collector API modules of the release our distribution is built from', async () => {
    const release = String(parseYaml(readFileSync(BUILDER_MANIFEST, 'utf8')).dist.version);
    const r = await go(['list', '-m', 'all']);
    expect(r.code, r.stderr).toBe(0);
    const collectorModules = r.stdout.split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([path]) => path?.startsWith('go.opentelemetry.io/collector/'));
    expect(collectorModules.length).toBeGreaterThan(5);
    // A collector release pairs its beta modules (v0.N.0) with one version of its stable modules (v1.x).
    const beta = collectorModules.filter(([, version]) => version?.startsWith('v0.'));
    const stable = new Set(collectorModules.filter(([, version]) => version?.startsWith('v1.')).map(([, v]) => v));
    expect(beta.filter(([, version]) => version !== `v${release}`)).toEqual([]);
    expect(stable.size).toBe(1);
  }, GO_TIMEOUT_MS);

  it('is gofmt-clean and passes go vet', async () => {
    const fmt = spawnSync('gofmt', ['-l', '.'], { cwd: MODULE_DIR, encoding: 'utf8' });
    expect(fmt.status, fmt.stderr).toBe(0);
    expect(fmt.stdout.trim()).toBe('');
    const vet = await go(['vet', './...']);
    expect(vet.code, vet.stderr).toBe(0);
  }, GO_TIMEOUT_MS);

  it('passes go test ./...', async () => {
    const r = await go(['test', '-count=1', '-json', './...']);
    const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TestEvent);
    const failed = events.filter((e) => e.Action === 'fail').map((e) => `${e.Package ?? ''} ${e.Test ?? ''}`.trim());
    expect(failed, r.stderr).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    const passedTests = events.filter((e) => e.Action === 'pass' && e.Test && !e.Test.includes('/'));
    expect(passedTests.length).toBeGreaterThan(10);
    expect(events.some((e) => e.Action === 'pass' && e.Package === MODULE && !e.Test)).toBe(true);
  }, GO_TIMEOUT_MS);
});
