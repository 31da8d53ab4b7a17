#!/usr/bin/env node
// npm run stack:build — builds the stack's binaries from their pinned Go modules into
// .stack/bin/, reusing a cache outside the checkout keyed by name and version:
//   ${XDG_CACHE_HOME:-$HOME/.cache}/codex-otel/stack/<name>-<version>/bin/
// Only what is missing is built; a second run copies from the cache in seconds.
//
//   node scripts/stack/build.mjs [otelcol] [prometheus]   (default: all buildable)
//
// Loki and Tempo are not built here: see LOKI_TEMPO_NOTE below.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync, copyFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { scriptProgress } from '../progress.mjs';
import { COLLECTOR_BUILDER_MODULE, PROMETHEUS_MODULE, prometheusGoVersion, stackVersions } from './versions.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN_DIR = join(ROOT, '.stack', 'bin');
const CACHE_ROOT = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codex-otel', 'stack');
const TTY = process.stdout.isTTY;

export const LOKI_TEMPO_NOTE =
  'Loki and Tempo are AGPL-3.0 Go modules; this project\'s machines may not use them (the Go ' +
  'module registry policy here lists github.com/grafana/loki/v3 and github.com/grafana/tempo as ' +
  'not-to-use), so they run from the compose images only. stack:up uses a loki/tempo binary you ' +
  'place in .stack/bin/ yourself (e.g. from a Grafana release).';

function log(line) {
  process.stdout.write(`[stack:build] ${line}\n`);
}

function run(cmd, args, opts = {}) {
  return new Promise((resolveRun, reject) => {
    const niced = process.platform === 'linux' && existsSync('/usr/bin/nice');
    const [c, a] = niced ? ['nice', ['-n', '10', cmd, ...args]] : [cmd, args];
    const logFile = opts.logFile;
    const child = spawn(c, a, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    const stdout = [];
    child.stdout.on('data', (d) => {
      chunks.push(d);
      stdout.push(d);
    });
    child.stderr.on('data', (d) => chunks.push(d));
    const started = Date.now();
    const beat = TTY ? setInterval(() => log(`  ${opts.label ?? cmd}: still running (${Math.round((Date.now() - started) / 1000)} s)`), 60_000) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (beat) clearInterval(beat);
      const out = Buffer.concat(chunks).toString('utf8');
      if (logFile) writeFileSync(logFile, out);
      // Resolves with stdout alone (e.g. `go mod download -json`); the log file has both streams.
      if (code === 0) resolveRun(Buffer.concat(stdout).toString('utf8'));
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}${logFile ? ` (log: ${logFile})` : ''}\n${out.slice(-4000)}`));
    });
  });
}

function hashFiles(paths) {
  const h = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else {
      h.update(p.slice(ROOT.length));
      h.update(readFileSync(p));
    }
  };
  for (const p of paths) walk(p);
  return h.digest('hex').slice(0, 10);
}

function installFromCache(cacheDir, names) {
  mkdirSync(BIN_DIR, { recursive: true });
  for (const name of names) {
    const target = join(BIN_DIR, name);
    rmSync(target, { force: true });
    copyFileSync(join(cacheDir, 'bin', name), target);
    chmodSync(target, 0o755);
  }
}

function cached(cacheDir, names) {
  return names.every((n) => existsSync(join(cacheDir, 'bin', n)));
}

function recordTiming(cacheDir, seconds) {
  writeFileSync(join(cacheDir, 'build-time.json'), JSON.stringify({ coldBuildSeconds: seconds, builtAt: new Date().toISOString() }, null, 2));
}

async function goModDir(module, version, workDir) {
  const out = await run('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd: workDir, label: `download ${module}` });
  const info = JSON.parse(out);
  if (!info.Dir) throw new Error(`go mod download ${module}@${version}: no Dir in ${out.slice(0, 400)}`);
  return info.Dir;
}

/** Copies a module out of the read-only module cache into a writable build folder. */
function copyModule(dir, dest) {
  rmSync(dest, { recursive: true, force: true });
  cpSync(dir, dest, { recursive: true });
  const chmodTree = (p) => {
    const st = statSync(p);
    chmodSync(p, st.mode | 0o200);
    if (st.isDirectory()) for (const n of readdirSync(p)) chmodTree(join(p, n));
  };
  chmodTree(dest);
}

const targets = {
  otelcol: {
    binaries: ['otelcol'],
    key(v) {
      // The manifest and our own components decide what is compiled in, so they are part of the key.
      const manifest = join(ROOT, 'collector', 'builder-config.yaml');
      return `otelcol-${v.collector}-${hashFiles([manifest, join(ROOT, 'collector', 'components')])}`;
    },
    async build(v, cacheDir) {
      const builderDir = join(CACHE_ROOT, `ocb-${v.collector}`);
      const builder = join(builderDir, 'builder');
      if (!existsSync(builder)) {
        log(`  installing ${COLLECTOR_BUILDER_MODULE}@v${v.collector}`);
        mkdirSync(builderDir, { recursive: true });
        await run('go', ['install', `${COLLECTOR_BUILDER_MODULE}@v${v.collector}`], { env: { GOBIN: builderDir }, label: 'builder install' });
      }
      const manifestSrc = join(ROOT, 'collector', 'builder-config.yaml');
      const manifest = parse(readFileSync(manifestSrc, 'utf8'));
      manifest.dist.output_path = join(cacheDir, 'src');
      for (const kind of ['extensions', 'receivers', 'processors', 'connectors', 'exporters']) {
        for (const m of manifest[kind] ?? []) {
          if (m.path) m.path = resolve(dirname(manifestSrc), m.path);
        }
      }
      const manifestCopy = join(cacheDir, 'builder-config.yaml');
      writeFileSync(manifestCopy, stringify(manifest));
      // The checksum database mirror reachable here lacks some contrib 0.158.0 entries (404), so
      // those modules are verified by go.sum only (written from the proxy's zips).
      const env = { GONOSUMDB: [process.env.GONOSUMDB, 'github.com/open-telemetry/opentelemetry-collector-contrib'].filter(Boolean).join(',') };
      const buildLog = join(cacheDir, 'build.log');
      // The builder's `go mod tidy` also resolves the test-only dependencies of every imported
      // package, and one of those (sig-profiling/profcheck, via splunkhec ->
      // pkg/translator/pprof) is not served here. GOFLAGS=-e lets tidy go on past it; the
      // builder still checks every component's version (strict versioning) and compiles.
      env.GOFLAGS = [process.env.GOFLAGS, '-e'].filter(Boolean).join(' ');
      await run(builder, ['--config', manifestCopy], { cwd: cacheDir, env, logFile: buildLog, label: 'otelcol build' });
      mkdirSync(join(cacheDir, 'bin'), { recursive: true });
      copyFileSync(join(cacheDir, 'src', 'otelcol'), join(cacheDir, 'bin', 'otelcol'));
      rmSync(join(cacheDir, 'src', 'otelcol'), { force: true });
    },
  },
  prometheus: {
    binaries: ['prometheus', 'promtool'],
    key: (v) => `prometheus-${v.prometheus}`,
    async build(v, cacheDir) {
      const goVersion = prometheusGoVersion(v.prometheus);
      const dir = await goModDir(PROMETHEUS_MODULE, goVersion, cacheDir);
      const src = join(cacheDir, 'src');
      copyModule(dir, src);
      const ldflags = `-s -w -X github.com/prometheus/common/version.Version=${v.prometheus} -X github.com/prometheus/common/version.Revision=${goVersion} -X github.com/prometheus/common/version.Branch=module`;
      // remove_all_sd leaves only the file and HTTP discovery plugins (see plugins/*.go): the
      // stack scrapes static targets, and the cloud SDKs are most of the compile time.
      await run('go', ['build', '-trimpath', '-tags', 'netgo,remove_all_sd', '-ldflags', ldflags, '-o', join(cacheDir, 'bin') + '/', './cmd/prometheus', './cmd/promtool'], {
        cwd: src,
        env: { GOWORK: 'off', CGO_ENABLED: '0' },
        logFile: join(cacheDir, 'build.log'),
        label: 'prometheus build',
      });
      rmSync(src, { recursive: true, force: true });
    },
  },
};

export async function buildStack(names = Object.keys(targets)) {
  const versions = stackVersions(ROOT);
  mkdirSync(CACHE_ROOT, { recursive: true });
  const results = [];
  const progress = await scriptProgress('stack:build', 'binaries');
  for (const [i, name] of names.entries()) {
    progress.update({ done: i, total: names.length, detail: name });
    const t = targets[name];
    if (!t) throw new Error(`unknown stack binary "${name}" (expected one of ${Object.keys(targets).join(', ')})`);
    const cacheDir = join(CACHE_ROOT, t.key(versions));
    const started = Date.now();
    if (cached(cacheDir, t.binaries)) {
      installFromCache(cacheDir, t.binaries);
      const s = (Date.now() - started) / 1000;
      log(`${name}: from cache ${cacheDir} (${s.toFixed(1)} s)`);
      results.push({ name, cached: true, seconds: s });
      continue;
    }
    mkdirSync(cacheDir, { recursive: true });
    log(`${name}: building into ${cacheDir} (cold builds take many minutes on 2 cores)`);
    await t.build(versions, cacheDir);
    const s = (Date.now() - started) / 1000;
    recordTiming(cacheDir, s);
    installFromCache(cacheDir, t.binaries);
    log(`${name}: built in ${s.toFixed(0)} s -> ${t.binaries.map((b) => join('.stack/bin', b)).join(', ')}`);
    results.push({ name, cached: false, seconds: s });
  }
  progress.update({ done: names.length, total: names.length, detail: 'done' });
  progress.stop();
  log(`loki, tempo: not built. ${LOKI_TEMPO_NOTE}`);
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  buildStack(names.length ? names : undefined).catch((err) => {
    process.stderr.write(`[stack:build] FAILED: ${err.message}\n`);
    process.exit(1);
  });
}
