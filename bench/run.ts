/**
 * The benchmark runner: `npm run bench` (full, rewrites bench/README.md) or `npm run bench -- --quick`
 * (smoke run, < 60 s; also BENCH_QUICK=1). Every trial runs in a fresh child process (dist/bench/worker.js);
 * the OTLP receiver runs in another child process (dist/bench/receiver/counting-receiver.js).
 * Options: --quick, --only=parity,cost,otlpcost,caller,throughput,burst,outage,shutdown,startup,scrub,profile,
 * --outage-seconds=N, --no-readme (print only).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReceiverCounts, ReceiverPorts } from './receiver/counting-receiver.js';
import type { WorkerArgs } from './worker.js';
import { EVENT_KINDS, EVENT_LABELS, type EventKind } from './lib/fixtures.js';
import type { ContenderOptions, Impl, Transport } from './lib/impl.js';
import { fmt, median, sleep, spread, type Spread } from './lib/stats.js';
import { summariseProfile, type ProfileRow } from './lib/profile.js';
import { replaceSpansSection } from './lib/readme-section.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick') || process.env['BENCH_QUICK'] === '1';
const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice(7);
const ONLY = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const OUTAGE_SECONDS = Number(argv.find((a) => a.startsWith('--outage-seconds='))?.slice(17) ?? (QUICK ? 3 : 60));
const WRITE_README = !argv.includes('--no-readme');
// --report-only re-renders bench/README.md from dist/bench/results.json (the last run that wrote the README).
interface Meta { quick: boolean; only: string[] | null; outageSeconds: number; machine: string[]; elapsedS: number }
const META: Meta = { quick: QUICK, only: ONLY ? [...ONLY] : null, outageSeconds: OUTAGE_SECONDS, machine: [], elapsedS: 0 };
const wanted = (figure: string) => (ONLY ? ONLY.has(figure) : figure !== 'profile' || !QUICK);
const log = (message: string) => process.stderr.write(`[bench ${((performance.now()) / 1000).toFixed(0)}s] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------
// Receiver and workers

interface Receiver {
  ports: ReceiverPorts;
  url: string;
  grpcUrl: string;
  counts(): Promise<ReceiverCounts>;
  reset(): void;
  close(): void;
}

async function startReceiver(): Promise<Receiver> {
  const child = fork(path.join(here, 'receiver', 'counting-receiver.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 0;
  const waiting = new Map<number, (counts: ReceiverCounts) => void>();
  const ports = await new Promise<ReceiverPorts>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    child.on('message', (message: { type: string; ports?: ReceiverPorts; id?: number; counts?: ReceiverCounts }) => {
      if (message.type === 'ready') resolve(message.ports!);
      else if (message.type === 'counts') waiting.get(message.id!)?.(message.counts!);
    });
  });
  return {
    ports,
    url: `http://127.0.0.1:${ports.http}`,
    grpcUrl: `http://127.0.0.1:${ports.grpc}`,
    counts: () => new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, (counts) => { waiting.delete(id); resolve(counts); });
      child.send({ type: 'counts', id });
    }),
    reset: () => child.send({ type: 'reset' }),
    close: () => { child.send({ type: 'close' }); },
  };
}

interface WorkerRun {
  tags: Record<string, any>;
  tagAt: Record<string, number>;
  exitAt: number;
  code: number | null;
  killed: boolean;
  stderr: string;
}

function runNode(script: string, args: string[], options: { execArgv?: string[]; timeoutMs?: number; cwd?: string } = {}): Promise<WorkerRun> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [...(options.execArgv ?? []), script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd ?? repoRoot,
    });
    const tags: Record<string, any> = {};
    const tagAt: Record<string, number> = {};
    let buffer = '';
    let stderr = '';
    let killed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const match = /^@@(\S+) (.*)$/.exec(line);
        if (match) {
          tags[match[1]!] = JSON.parse(match[2]!);
          tagAt[match[1]!] = Date.now();
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => { if (stderr.length < 20_000) stderr += chunk.toString(); });
    const timer = options.timeoutMs ? setTimeout(() => { killed = true; child.kill('SIGKILL'); }, options.timeoutMs) : undefined;
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ tags, tagAt, exitAt: Date.now(), code, killed, stderr });
    });
  });
}

const workerScript = path.join(here, 'worker.js');
async function worker(args: WorkerArgs, options: { execArgv?: string[]; timeoutMs?: number } = {}): Promise<WorkerRun> {
  const run = await runNode(workerScript, [JSON.stringify(args)], { timeoutMs: 180_000, ...options });
  if (run.code !== 0 && args.mode !== 'shutdown') {
    throw new Error(`worker ${JSON.stringify(args)} exited ${run.code}${run.killed ? ' (killed)' : ''}: ${run.stderr.slice(0, 2000)}`);
  }
  return run;
}

/** Waits until the receiver has `expected` log records, or the count stops moving for `quietMs`. */
async function settle(receiver: Receiver, expected: number, quietMs = 1500): Promise<ReceiverCounts> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const counts = await receiver.counts();
    if (counts.logRecords >= expected) {
      await sleep(100); // duplicates would show up as more than expected
      return receiver.counts();
    }
    if (counts.logRecords !== last) {
      last = counts.logRecords;
      since = Date.now();
    } else if (Date.now() - since > quietMs) return counts;
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Figures

interface CostRow { event: EventKind; variant: string; ns: Spread; cpuUs: Spread; gcMsPer1k: number; runs: number }

const COST_VARIANTS: Array<{ id: string; label: string; options: Omit<ContenderOptions, 'impl'> & { impl: Impl } }> = [
  { id: 'sdk', label: 'SDK baseline: logs (BatchLogRecordProcessor defaults, discarding exporter)', options: { impl: 'sdk', logs: 'discard', metrics: 'none' } },
  { id: 'sdk+m', label: 'SDK baseline + hand-written counter & histogram (reader with discarding exporter)', options: { impl: 'sdk', logs: 'discard', metrics: 'discard' } },
  { id: 'ours-none', label: 'ours, `exporter = "none"`, `metrics_exporter = "none"` (no processor, no reader)', options: { impl: 'ours', logs: 'none', metrics: 'none' } },
  { id: 'ours-logs', label: 'ours: logs (discarding exporter), metrics recorded with no reader', options: { impl: 'ours', logs: 'discard', metrics: 'none' } },
  { id: 'ours', label: 'ours: logs + metrics (discarding log exporter and metric reader) — the headline', options: { impl: 'ours', logs: 'discard', metrics: 'discard' } },
];

async function figureCost(): Promise<CostRow[]> {
  const runs = QUICK ? 1 : 5;
  const batches = QUICK ? 5 : 40;
  const batchSize = 1000;
  const warmup = QUICK ? 5000 : 20_000;
  const raw: Record<string, { ns: number[]; cpu: number[]; gc: number[] }> = {};
  for (let run = 0; run < runs; run++) {
    for (const event of EVENT_KINDS) {
      // Alternate the order every run so neither side always goes first.
      const variants = QUICK ? COST_VARIANTS.filter((v) => v.id === 'sdk' || v.id === 'ours') : COST_VARIANTS;
      const order = run % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const result = (await worker({ mode: 'cost', event, warmup, batches, batchSize, ...variant.options })).tags['result'];
        const key = `${event}/${variant.id}`;
        raw[key] ??= { ns: [], cpu: [], gc: [] };
        raw[key].ns.push(result.nsPerEvent);
        raw[key].cpu.push(result.cpuUsPerEvent);
        raw[key].gc.push((result.gcMs / result.events) * 1000);
      }
    }
    log(`cost: run ${run + 1}/${runs} done`);
  }
  return Object.entries(raw).map(([key, value]) => {
    const [event, variant] = key.split('/') as [EventKind, string];
    return { event, variant, ns: spread(value.ns), cpuUs: spread(value.cpu), gcMsPer1k: median(value.gc), runs: value.ns.length };
  });
}

async function figureOtlpCost(receiver: Receiver): Promise<Array<CostRow & { delivered: number; emitted: number }>> {
  const runs = QUICK ? 1 : 3;
  const rate = 10_000;
  const batchSize = 100;
  const rows: Record<string, { ns: number[]; cpu: number[]; gc: number[]; delivered: number; emitted: number }> = {};
  for (let run = 0; run < runs; run++) {
    for (const event of QUICK ? (['sse'] as EventKind[]) : EVENT_KINDS) {
      const impls: Impl[] = run % 2 === 0 ? ['sdk', 'ours'] : ['ours', 'sdk'];
      for (const impl of impls) {
        receiver.reset();
        const options: ContenderOptions = { impl, logs: 'otlp', transport: 'http-proto', url: receiver.url, metrics: impl === 'ours' ? 'otlp' : 'none' };
        const warmup = QUICK ? 2000 : 10_000;
        const batches = QUICK ? 50 : 300;
        const result = (await worker({ mode: 'cost', event, rate, warmup, batches, batchSize, ...options })).tags['result'];
        const counts = await settle(receiver, warmup + batches * batchSize);
        const key = `${event}/${impl}`;
        rows[key] ??= { ns: [], cpu: [], gc: [], delivered: 0, emitted: 0 };
        rows[key].ns.push(result.nsPerEvent);
        rows[key].cpu.push(result.cpuUsPerEvent);
        rows[key].gc.push((result.gcMs / result.events) * 1000);
        rows[key].delivered += counts.logRecords;
        rows[key].emitted += warmup + batches * batchSize;
      }
    }
    log(`otlp cost: run ${run + 1}/${runs} done`);
  }
  return Object.entries(rows).map(([key, value]) => {
    const [event, variant] = key.split('/') as [EventKind, string];
    return { event, variant, ns: spread(value.ns), cpuUs: spread(value.cpu), gcMsPer1k: median(value.gc), runs: value.ns.length, delivered: value.delivered, emitted: value.emitted };
  });
}

// The caller's cost of a 4 KiB tool result with scrubbing on (issue 13), quiet and under load.

interface CallerRow { variant: string; ns: Spread; cpuNs: Spread; cpuUs: Spread; gcMsPer1k: number; runs: number }
interface CallerCondition {
  loaded: boolean;
  /** How the load was made, for the report. */
  load: string;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  rows: CallerRow[];
  /** Per round: ours / SDK of the two processes run back to back (the same moment of a shared machine), wall clock and CPU time. */
  pairedRatios: number[];
  pairedCpuRatios: number[];
}

const CALLER_VARIANTS: Array<{ id: string; label: string; options: ContenderOptions }> = [
  { id: 'sdk', label: 'SDK baseline: logs (BatchLogRecordProcessor defaults, discarding exporter); cuts the preview, scrubs nothing', options: { impl: 'sdk', logs: 'discard', metrics: 'none' } },
  { id: 'ours', label: 'ours: logs + metrics (discarding exporters), scrubbing on (the default) — the goal', options: { impl: 'ours', logs: 'discard', metrics: 'discard' } },
  { id: 'ours-unscrubbed', label: 'ours, the same with `[otel.codex_otel.redaction] enabled = false` (the price of scrubbing)', options: { impl: 'ours', logs: 'discard', metrics: 'discard', redaction: false } },
];

/**
 * A busy loop in another process, on the last core when `taskset` exists (the worker is not pinned: the
 * scheduler gives it the other core, where the worker's own helper threads compete too). It ends itself
 * when the runner goes away.
 */
function startLoad(): { child: ChildProcess; description: string } {
  const script = 'const parent = process.ppid; for (let i = 0; ; i++) if ((i & 0xfffff) === 0 && process.ppid !== parent) process.exit(0);';
  const core = os.cpus().length - 1;
  let pinned = false;
  try {
    execFileSync('taskset', ['-c', String(core), 'true'], { stdio: 'ignore' });
    pinned = core > 0;
  } catch {
    pinned = false;
  }
  const child = pinned
    ? spawn('taskset', ['-c', String(core), process.execPath, '-e', script], { stdio: 'ignore' })
    : spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return { child, description: pinned ? `a busy-loop Node.js process pinned to core ${core} (\`taskset -c ${core}\`)` : 'a busy-loop Node.js process (not pinned: no `taskset`)' };
}

async function figureCaller(): Promise<CallerCondition[]> {
  const rounds = QUICK ? 2 : 15;
  const batches = QUICK ? 10 : 40;
  const warmup = QUICK ? 5000 : 20_000;
  const conditions: CallerCondition[] = [];
  for (const loaded of [false, true]) {
    const load = loaded ? startLoad() : undefined;
    try {
      if (load) await sleep(500);
      const loadAverageBefore = os.loadavg();
      const raw: Record<string, { ns: number[]; cpuNs: number[]; cpu: number[]; gc: number[] }> = {};
      const pairedRatios: number[] = [];
      const pairedCpuRatios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? CALLER_VARIANTS : [...CALLER_VARIANTS].reverse();
        const ns: Record<string, number> = {};
        const cpuNs: Record<string, number> = {};
        for (const variant of order) {
          const result = (await worker({ mode: 'cost', event: 'tool', warmup, batches, batchSize: 1000, ...variant.options })).tags['result'];
          raw[variant.id] ??= { ns: [], cpuNs: [], cpu: [], gc: [] };
          raw[variant.id]!.ns.push(result.nsPerEvent);
          raw[variant.id]!.cpuNs.push(result.cpuNsPerEvent);
          raw[variant.id]!.cpu.push(result.cpuUsPerEvent);
          raw[variant.id]!.gc.push((result.gcMs / result.events) * 1000);
          ns[variant.id] = result.nsPerEvent;
          cpuNs[variant.id] = result.cpuNsPerEvent;
        }
        pairedRatios.push(ns['ours']! / ns['sdk']!);
        pairedCpuRatios.push(cpuNs['ours']! / cpuNs['sdk']!);
      }
      conditions.push({
        loaded,
        load: load?.description ?? 'none started by the runner',
        loadAverageBefore,
        loadAverageAfter: os.loadavg(),
        rows: CALLER_VARIANTS.map(({ id }) => {
          const value = raw[id]!;
          return { variant: id, ns: spread(value.ns), cpuNs: spread(value.cpuNs), cpuUs: spread(value.cpu), gcMsPer1k: median(value.gc), runs: value.ns.length };
        }),
        pairedRatios,
        pairedCpuRatios,
      });
      log(`caller cost (${loaded ? 'under load' : 'quiet'}): ours/SDK ${fmt(median(pairedRatios))} wall, ${fmt(median(pairedCpuRatios))} CPU (medians of ${rounds} paired rounds)`);
    } finally {
      load?.child.kill('SIGKILL');
    }
  }
  return conditions;
}

interface RateTrial { transport: Transport; impl: Impl; rate: number; offered: number; emitted: number; received: number; deliveredPerS: number; lost: number; cpuMs: number; errors: string[] }

async function rateTrial(receiver: Receiver, impl: Impl, transport: Transport, rate: number, seconds: number): Promise<RateTrial> {
  receiver.reset();
  const url = transport === 'grpc' ? receiver.grpcUrl : receiver.url;
  const result = (await worker({ mode: 'rate', event: 'sse', rate, seconds, impl, logs: 'otlp', transport, url, metrics: 'none' })).tags['result'];
  const counts = await settle(receiver, result.emitted);
  const spanS = (counts.lastAt - result.startAt) / 1000;
  return {
    transport, impl, rate,
    offered: result.offeredRate,
    emitted: result.emitted,
    received: counts.logRecords,
    deliveredPerS: (counts.logRecords - 200) / spanS,
    lost: result.emitted - counts.logRecords,
    cpuMs: result.cpuMs,
    errors: counts.errors,
  };
}

async function figureThroughput(receiver: Receiver): Promise<RateTrial[]> {
  const ladder = QUICK ? [30_000] : [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000];
  const transports: Transport[] = QUICK ? ['http-proto'] : ['http-proto', 'http-json', 'grpc'];
  const seconds = QUICK ? 2 : 5;
  const trials: RateTrial[] = [];
  for (const transport of transports) {
    for (const impl of ['sdk', 'ours'] as Impl[]) {
      for (const rate of ladder) {
        const trial = await rateTrial(receiver, impl, transport, rate, seconds);
        trials.push(trial);
        log(`throughput ${transport} ${impl} @${rate}/s: offered ${fmt(trial.offered)}/s, received ${trial.received}/${trial.emitted}, delivered ${fmt(trial.deliveredPerS)}/s`);
        // Stop at the first loss, or when the emitter itself can no longer offer the rate (CPU saturated).
        if (trial.lost !== 0 || trial.offered < rate * 0.95) break;
      }
    }
  }
  return trials;
}

interface BurstTrial { impl: Impl; size: number; received: number; ok: boolean; emitMs: number; flushMs: number }

async function figureBurst(receiver: Receiver): Promise<BurstTrial[]> {
  const trials: BurstTrial[] = [];
  const max = QUICK ? 2 ** 15 : 2 ** 20;
  const bisections = QUICK ? 0 : 3;
  for (const impl of ['sdk', 'ours'] as Impl[]) {
    const attempt = async (size: number) => {
      receiver.reset();
      const result = (await worker({ mode: 'burst', event: 'sse', size, impl, logs: 'otlp', transport: 'http-proto', url: receiver.url, metrics: 'none' })).tags['result'];
      const counts = await settle(receiver, size, 3000);
      const trial = { impl, size, received: counts.logRecords, ok: counts.logRecords === size, emitMs: result.emitMs, flushMs: result.flushMs };
      trials.push(trial);
      log(`burst ${impl} ${size}: received ${counts.logRecords} (${trial.ok ? 'ok' : 'LOSS'})`);
      return trial.ok;
    };
    let pass = 0;
    let fail = 0;
    for (let size = QUICK ? 2048 : 1024; size <= max; size *= 2) {
      if (await attempt(size)) pass = size;
      else {
        fail = size;
        break;
      }
    }
    for (let i = 0; i < bisections && fail > 0 && fail - pass > 1; i++) {
      const mid = Math.round((pass + fail) / 2);
      if (await attempt(mid)) pass = mid;
      else fail = mid;
    }
  }
  return trials;
}

interface OutageResult { label: string; impl: Impl; target: string; base: { rss: number; heapUsed: number }; peakRss: number; peakHeap: number; endHeapAfterGc: number; endRss: number; emitted: number; samples: Array<{ t: number; rss: number; heapUsed: number }>; shutdownMs: number | undefined }

async function figureOutage(receiver: Receiver): Promise<OutageResult[]> {
  const blackHole = `http://127.0.0.1:${receiver.ports.blackHole}`;
  const refused = `http://127.0.0.1:${receiver.ports.refused}`;
  const cases: Array<{ label: string; impl: Impl; target: string; url: string }> = [
    { label: 'ours, black-holed collector', impl: 'ours', target: 'black hole', url: blackHole },
    { label: 'ours, refused (closed port)', impl: 'ours', target: 'refused', url: refused },
    { label: 'SDK baseline, black-holed collector', impl: 'sdk', target: 'black hole', url: blackHole },
  ];
  // Run concurrently (1,000 events/s each is light on 2 cores): the figure is about memory, not CPU.
  const runs = await Promise.all(cases.map((c) => worker(
    { mode: 'outage', rate: 1000, seconds: OUTAGE_SECONDS, impl: c.impl, logs: 'otlp', transport: 'http-proto', url: c.url, metrics: c.impl === 'ours' ? 'otlp' : 'none' },
    { execArgv: ['--expose-gc'], timeoutMs: (OUTAGE_SECONDS + 60) * 1000 },
  )));
  return runs.map((run, i) => {
    const r = run.tags['result'];
    const c = cases[i]!;
    return {
      label: c.label, impl: c.impl, target: c.target,
      base: { rss: r.base.rss, heapUsed: r.base.heapUsed },
      peakRss: Math.max(...r.samples.map((s: { rss: number }) => s.rss)),
      peakHeap: Math.max(...r.samples.map((s: { heapUsed: number }) => s.heapUsed)),
      endHeapAfterGc: r.endAfterGc.heapUsed,
      endRss: r.end.rss,
      emitted: r.emitted,
      samples: r.samples,
      shutdownMs: run.tags['shutdown']?.ms,
    };
  });
}

interface ShutdownRow { impl: Impl; target: string; shutdownMs: Spread; exitMs: Spread; killed: number; runs: number; delivered?: number; emitted?: number }

async function figureShutdown(receiver: Receiver): Promise<ShutdownRow[]> {
  const targets = [
    { target: 'live', url: receiver.url },
    { target: 'refused', url: `http://127.0.0.1:${receiver.ports.refused}` },
    { target: 'black hole', url: `http://127.0.0.1:${receiver.ports.blackHole}` },
  ];
  const reps = QUICK ? 1 : 3;
  const capMs = QUICK ? 5000 : 45_000;
  const rows: ShutdownRow[] = [];
  const events = 2000;
  if (QUICK) {
    // Smoke run: the six cases side by side, each process killed after 5 s.
    const cases = targets.flatMap((t) => (['ours', 'sdk'] as Impl[]).map((impl) => ({ ...t, impl })));
    const runs = await Promise.all(cases.map((c) => worker(
      { mode: 'shutdown', events, impl: c.impl, logs: 'otlp', transport: 'http-proto', url: c.url, metrics: c.impl === 'ours' ? 'otlp' : 'none' },
      { timeoutMs: capMs },
    )));
    runs.forEach((run, i) => {
      const c = cases[i]!;
      const startAt = run.tags['shutdown-start']?.at as number | undefined;
      rows.push({
        impl: c.impl, target: c.target, runs: 1, killed: run.killed ? 1 : 0,
        shutdownMs: spread([run.tags['result']?.shutdownMs ?? Number.POSITIVE_INFINITY]),
        exitMs: spread([startAt ? run.exitAt - startAt : Number.NaN]),
      });
    });
    return rows;
  }
  for (const { target, url } of targets) {
    for (const impl of ['ours', 'sdk'] as Impl[]) {
      const shutdown: number[] = [];
      const exit: number[] = [];
      let killed = 0;
      let delivered = 0;
      const n = impl === 'sdk' && target === 'black hole' && !QUICK ? 1 : reps;
      for (let i = 0; i < n; i++) {
        receiver.reset();
        const run = await worker({ mode: 'shutdown', events, impl, logs: 'otlp', transport: 'http-proto', url, metrics: impl === 'ours' ? 'otlp' : 'none' }, { timeoutMs: capMs });
        const startAt = run.tags['shutdown-start']?.at as number | undefined;
        if (run.killed) killed++;
        if (run.tags['result']) shutdown.push(run.tags['result'].shutdownMs);
        else shutdown.push(Number.POSITIVE_INFINITY);
        exit.push(startAt ? run.exitAt - startAt : Number.NaN);
        if (target === 'live') delivered += (await settle(receiver, 2 * events, 500)).logRecords;
      }
      const row: ShutdownRow = { impl, target, shutdownMs: spread(shutdown), exitMs: spread(exit), killed, runs: n };
      if (target === 'live') { row.delivered = delivered; row.emitted = 2 * events * n; }
      rows.push(row);
      log(`shutdown ${impl} ${target}: ${fmt(row.shutdownMs.median)} ms (exit ${fmt(row.exitMs.median)} ms)${killed ? `, killed ${killed}` : ''}`);
    }
  }
  return rows;
}

interface StartupResult { ours: Spread; sdk: Spread; empty: Spread; reps: number }

async function figureStartup(receiver: Receiver): Promise<StartupResult> {
  const reps = QUICK ? 3 : 15;
  const values: Record<'ours' | 'sdk' | 'empty', number[]> = { ours: [], sdk: [], empty: [] };
  for (let i = 0; i < reps + 1; i++) {
    for (const name of ['empty', 'ours', 'sdk'] as const) {
      const run = await runNode(path.join(here, 'startup', `${name}.js`), [receiver.url]);
      if (i > 0) values[name].push(run.tags['result'].ms); // the first round warms the OS file cache
    }
  }
  return { ours: spread(values.ours), sdk: spread(values.sdk), empty: spread(values.empty), reps };
}

async function figureProfile(): Promise<Array<{ event: EventKind; rows: ProfileRow[]; totalMs: number }>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codex-otel-prof-'));
  const out: Array<{ event: EventKind; rows: ProfileRow[]; totalMs: number }> = [];
  try {
    for (const event of EVENT_KINDS) {
      const profileDir = path.join(dir, event);
      await worker(
        { mode: 'cost', event, warmup: 20_000, batches: 100, batchSize: 1000, impl: 'ours', logs: 'discard', metrics: 'discard' },
        { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'] },
      );
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!;
      const summary = summariseProfile(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')), repoRoot);
      out.push({ event, ...summary });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Report

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)}`;
const range = (s: Spread, digits = 2) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

function machine(): string[] {
  const cpuinfo = (() => { try { return readFileSync('/proc/cpuinfo', 'utf8'); } catch { return ''; } })();
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const mhz = /cpu MHz\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim();
  return [
    `- CPU: ${model}${mhz ? ` (${Math.round(Number(mhz))} MHz)` : ''}, ${os.cpus().length} cores`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js: ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
    `- Code: ${gitState()}`,
  ];
}

function gitState(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + ${dirty} uncommitted change(s) under src/` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

interface Results {
  parity?: { ok: boolean; problems: string[]; attributeCounts: number[] };
  cost?: CostRow[];
  otlpCost?: Array<CostRow & { delivered: number; emitted: number }>;
  caller?: CallerCondition[];
  throughput?: RateTrial[];
  burst?: BurstTrial[];
  outage?: OutageResult[];
  shutdown?: ShutdownRow[];
  startup?: StartupResult;
  scrub?: Record<string, any>;
  profile?: Array<{ event: EventKind; rows: ProfileRow[]; totalMs: number }>;
}

function report(results: Results, elapsedS: number): string {
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const goals: string[] = [];
  push('# Benchmarks', '');
  push('Generated by `npm run bench` (bench/run.ts); the next run rewrites this file. The analysis at the end (goals missed, why,', 'what would close them, profile findings) is kept in bench/NOTES.md and appended by the runner — update it when the numbers move.', '');
  push('How to run: `npm run bench` (full, a few minutes, rewrites this file) or `npm run bench -- --quick` (smoke run, < 60 s; or `BENCH_QUICK=1`). The script compiles bench/ with `tsc -p bench/tsconfig.json` into dist/ and runs `node dist/bench/run.js`; options: `--only=parity,startup,scrub,cost,otlpcost,caller,burst,throughput,shutdown,outage,profile`, `--outage-seconds=N`, `--no-readme`, `--report-only` (re-render from dist/bench/results.json after editing NOTES.md).', '');
  push(`Command: \`npm run bench${META.quick ? ' -- --quick' : ''}\`${META.only ? ` (only: ${META.only.join(', ')})` : ''} — ${META.quick ? '**quick smoke run: few repetitions, numbers are indicative only**' : 'full run'}; took ${Math.round(elapsedS)} s.`, '');
  push('## Machine', '', ...META.machine, '');
  push('## What is compared', '',
    '- **ours**: codex-otel through its public API (`parseConfigText` → `createTelemetry` → `startSession` → `Session` methods), default settings.',
    '- **SDK baseline**: the bare OpenTelemetry JS SDK — `LoggerProvider` + `BatchLogRecordProcessor` with the SDK defaults (queue 2048, batch 512, 1 s delay) + the same OTLP exporter — emitting records with the same event name, keys and values, the attributes object built by hand per emit (`bench/lib/fixtures.ts`). For tool results it cuts the same 2 KiB preview but does not scrub secrets (scrubbing is priced separately below).',
    '- Every trial runs in a fresh Node.js process; the OTLP receiver is another process on 127.0.0.1 that decodes every request with the OTLP protos (protobuf, JSON, gRPC) and counts decoded log records.',
    '');
  if (results.parity) {
    push(`Parity check (same event names, Codex's keys in the same order with the same values, timestamps aside; ours then adds only \`codex_otel.*\` keys, counted here): **${results.parity.ok ? 'OK' : 'FAILED'}** — attributes per record ${results.parity.attributeCounts.join(' / ')} (sse / tool / api).`, '');
    if (!results.parity.ok) push('```', ...results.parity.problems, '```', '');
  }

  if (results.cost) {
    const rows = results.cost;
    const get = (event: EventKind, variant: string) => rows.find((r) => r.event === event && r.variant === variant);
    push('## 1. Cost per event on the caller\'s thread', '');
    push(`Synchronous time of one emit, measured with \`process.hrtime.bigint()\` over batches of 1,000 emits after a warm-up; the median batch of each process, then median (min–max) over ${rows[0]?.runs ?? 0} processes per variant, variants alternated. "CPU/event" is process CPU time (user+system, all threads, including the batch processor's asynchronous work and GC) divided by events. Goal: ours (logs + metrics) ≤ 1.3× the SDK baseline.`, '');
    push('### No network (discarding exporter)', '');
    push('| event | variant | ns/event, median (min–max) | CPU µs/event | GC ms per 1k events |', '|---|---|---:|---:|---:|');
    for (const event of EVENT_KINDS) {
      for (const variant of COST_VARIANTS) {
        const row = get(event, variant.id);
        if (row) push(`| ${EVENT_LABELS[event]} | ${variant.label} | ${range(row.ns, 0)} | ${fmt(row.cpuUs.median)} | ${fmt(row.gcMsPer1k)} |`);
      }
    }
    push('', '| event | ours logs+metrics / SDK logs (goal ≤ 1.3) | ours logs only / SDK logs | ours logs+metrics / SDK logs+metrics | metric share of ours (logs+metrics − logs only) | ours `exporter = "none"` |', '|---|---:|---:|---:|---:|---:|');
    for (const event of EVENT_KINDS) {
      const sdk = get(event, 'sdk')?.ns.median ?? NaN;
      const sdkm = get(event, 'sdk+m')?.ns.median ?? NaN;
      const full = get(event, 'ours')?.ns.median ?? NaN;
      const logsOnly = get(event, 'ours-logs')?.ns.median ?? NaN;
      const none = get(event, 'ours-none')?.ns.median ?? NaN;
      const ratio = full / sdk;
      goals.push(`| 1 | cost/event ${EVENT_LABELS[event]} | ≤ 1.3× SDK | ${fmt(ratio)}× (${fmt(full, 0)} vs ${fmt(sdk, 0)} ns) | ${ratio <= 1.3 ? 'met' : `**missed** by ${fmt((ratio / 1.3 - 1) * 100, 0)} %`} |`);
      push(`| ${EVENT_LABELS[event]} | **${fmt(ratio)}×** | ${fmt(logsOnly / sdk)}× | ${fmt(full / sdkm)}× | ${fmt(full - logsOnly, 0)} ns | ${fmt(none, 0)} ns |`);
    }
    push('');
  }

  if (results.otlpCost) {
    push('### With OTLP/HTTP protobuf export running (to the receiver process)', '');
    push('Paced at 10,000 events/s (batches of 100 every 10 ms) so that the SDK\'s 2,048-record queue is not simply overrun — a dropped record is cheaper than a kept one and would flatter the baseline. Ours also exports metrics over OTLP (60 s interval); the SDK baseline records logs only.', '');
    push('| event | contender | ns/event, median (min–max) | CPU µs/event (incl. serialisation, HTTP) | delivered / emitted | ratio ours/SDK (ns) |', '|---|---|---:|---:|---:|---:|');
    for (const event of EVENT_KINDS) {
      const sdk = results.otlpCost.find((r) => r.event === event && r.variant === 'sdk');
      const ours = results.otlpCost.find((r) => r.event === event && r.variant === 'ours');
      for (const row of [sdk, ours]) {
        if (!row) continue;
        push(`| ${EVENT_LABELS[event]} | ${row.variant === 'ours' ? 'ours (logs + metrics)' : 'SDK baseline'} | ${range(row.ns, 0)} | ${fmt(row.cpuUs.median)} | ${row.delivered.toLocaleString('en-US')} / ${row.emitted.toLocaleString('en-US')} | ${row.variant === 'ours' && sdk ? `${fmt(row.ns.median / sdk.ns.median)}×` : ''} |`);
      }
    }
    push('');
  }

  if (results.caller) {
    push('## 1b. The caller\'s cost of a 4 KiB tool result, scrubbing on (issue 13)', '');
    push(`\`session.toolResult(...)\` with a 4 KiB output (ours: \`[otel.codex_otel.redaction]\` on, every string field scrubbed on the export path, \`src/redact/deferred.ts\`) against the bare SDK emitting Codex 0.169.0's same 23 keys and values by hand (it cuts the preview and scrubs nothing), in the same run: per round one fresh process per variant, back to back, the order alternated; each process emits batches of 1,000 synchronously after a warm-up, and its figure is the median batch, then median (min–max) over the rounds. Two clocks per batch: the wall clock (what the caller waits; on a shared machine it also counts the time another process had the core) and the process's CPU time (what the emits cost, GC on our own threads included, whoever else runs). The ratio is taken on the medians and, as a check on a shared machine, per round (the processes of a round run seconds apart). "CPU µs/event, all threads" is the process's whole CPU time divided by the events: the caller's emits, the scrubbing when records leave the queue, the SDK's batch work and GC — the total cost of an event with scrubbing, beside the caller's share. Goal: ours ≤ 1.3× the SDK's caller cost.`, '');
    for (const condition of results.caller) {
      const row = (id: string) => condition.rows.find((r) => r.variant === id);
      const sdk = row('sdk');
      const ours = row('ours');
      const title = condition.loaded ? `Under load: ${condition.load}` : 'Quiet: no load started by the runner (other users of the machine may run)';
      const averages = `load average (1 min) ${fmt(condition.loadAverageBefore[0]!)} before, ${fmt(condition.loadAverageAfter[0]!)} after, on ${os.cpus().length} cores`;
      push(`### ${title}`, '', `${ours?.runs ?? 0} rounds; ${averages}.`, '');
      push('| variant | caller, wall ns/event, median (min–max) | caller, CPU ns/event, median (min–max) | CPU µs/event, all threads | GC ms per 1k events |', '|---|---:|---:|---:|---:|');
      for (const variant of CALLER_VARIANTS) {
        const r = row(variant.id);
        if (r) push(`| ${variant.label} | ${range(r.ns, 0)} | ${range(r.cpuNs, 0)} | ${fmt(r.cpuUs.median)} | ${fmt(r.gcMsPer1k)} |`);
      }
      if (sdk && ours) {
        const ratio = ours.ns.median / sdk.ns.median;
        const cpuRatio = ours.cpuNs.median / sdk.cpuNs.median;
        const paired = spread(condition.pairedRatios);
        const pairedCpu = spread(condition.pairedCpuRatios);
        push('', `Caller's cost, ours / SDK: wall clock **${fmt(ratio)}×** on the medians (${fmt(ours.ns.median, 0)} vs ${fmt(sdk.ns.median, 0)} ns), per round ${fmt(paired.median)}× (${fmt(paired.min)}–${fmt(paired.max)}×); CPU time **${fmt(cpuRatio)}×** (${fmt(ours.cpuNs.median, 0)} vs ${fmt(sdk.cpuNs.median, 0)} ns), per round ${fmt(pairedCpu.median)}× (${fmt(pairedCpu.min)}–${fmt(pairedCpu.max)}×). Total CPU per event: ${fmt(ours.cpuUs.median)} µs ours with scrubbing, ${fmt(sdk.cpuUs.median)} µs the SDK without.`, '');
        const verdict = (value: number) => (value <= 1.3 ? 'met' : `**missed** by ${fmt((value / 1.3 - 1) * 100, 0)} %`);
        goals.push(`| 13 | caller's cost of \`codex.tool_result\` (4 KiB), scrubbing on, ${condition.loaded ? 'under load' : 'quiet'}: wall clock / CPU time | ≤ 1.3× SDK | ${fmt(ratio)}× / ${fmt(cpuRatio)}× (${fmt(ours.ns.median, 0)} vs ${fmt(sdk.ns.median, 0)} ns; CPU ${fmt(ours.cpuNs.median, 0)} vs ${fmt(sdk.cpuNs.median, 0)} ns); total CPU ${fmt(ours.cpuUs.median)} vs ${fmt(sdk.cpuUs.median)} µs/event | ${verdict(ratio)} / ${verdict(cpuRatio)} |`);
      }
    }
  }

  if (results.throughput) {
    push('## 2. Sustained delivered throughput (zero loss)', '');
    push('The emitter offers a fixed rate of `codex.sse_event` chunks for a few seconds (timer-paced, in one process, one thread), then flushes; the receiver process counts decoded records. "delivered/s" = records received ÷ (last record received − first emit). The ladder stops at the first loss or when the emitter can no longer offer the rate. Goal: ≥ 30,000 events/s over OTLP/HTTP protobuf with zero loss.', '');
    push('| transport | contender | offered rate (target) | offered (actual) | received / emitted | lost | delivered/s | emitter CPU |', '|---|---|---:|---:|---:|---:|---:|---:|');
    for (const t of results.throughput) {
      push(`| ${t.transport} | ${t.impl === 'ours' ? 'ours' : 'SDK baseline'} | ${t.rate.toLocaleString('en-US')} | ${fmt(t.offered)} | ${t.received.toLocaleString('en-US')} / ${t.emitted.toLocaleString('en-US')} | ${t.lost}${t.errors.length ? ` (receiver errors: ${t.errors.length})` : ''} | ${fmt(t.deliveredPerS)} | ${fmt(t.cpuMs / 1000)} s |`);
    }
    push('', '| transport | contender | highest zero-loss offered rate | delivered/s at that rate | ratio ours/SDK |', '|---|---|---:|---:|---:|');
    const transports = [...new Set(results.throughput.map((t) => t.transport))];
    for (const transport of transports) {
      const best: Partial<Record<Impl, RateTrial>> = {};
      for (const impl of ['sdk', 'ours'] as Impl[]) {
        const ok = results.throughput.filter((t) => t.transport === transport && t.impl === impl && t.lost === 0);
        best[impl] = ok.sort((a, b) => b.offered - a.offered)[0];
      }
      for (const impl of ['sdk', 'ours'] as Impl[]) {
        const b = best[impl];
        push(`| ${transport} | ${impl === 'ours' ? 'ours' : 'SDK baseline'} | ${b ? fmt(b.offered) : 'none'} | ${b ? fmt(b.deliveredPerS) : '–'} | ${impl === 'ours' && b && best.sdk ? `${fmt(b.offered / best.sdk.offered)}×` : ''} |`);
      }
      if (transport === 'http-proto') {
        const b = best.ours;
        const value = b?.offered ?? 0;
        const ladderTop = Math.max(...results.throughput.filter((t) => t.transport === transport && t.impl === 'ours').map((t) => t.rate));
        goals.push(`| 2 | throughput OTLP/HTTP protobuf, zero loss | ≥ 30,000 events/s | ${fmt(value)} events/s${b && b.rate === ladderTop ? ' (top of the ladder)' : ''} | ${value >= 30_000 * 0.98 ? 'met' : `**missed** by ${fmt((1 - value / 30_000) * 100, 0)} %`} |`);
      }
    }
    push('');
  }

  if (results.burst) {
    push('## 3. Burst absorption', '');
    push('N `codex.sse_event` records emitted synchronously in one tick, then a flush; OTLP/HTTP protobuf to the receiver. Doubling, then bisection between the last size without loss and the first with loss.', '');
    push('| contender | burst size | received | result | emit time of the burst | flush time |', '|---|---:|---:|---|---:|---:|');
    for (const t of results.burst) push(`| ${t.impl === 'ours' ? 'ours' : 'SDK baseline'} | ${t.size.toLocaleString('en-US')} | ${t.received.toLocaleString('en-US')} | ${t.ok ? 'no loss' : `**lost ${(t.size - t.received).toLocaleString('en-US')}**`} | ${fmt(t.emitMs)} ms | ${fmt(t.flushMs)} ms |`);
    const largest = (impl: Impl) => Math.max(0, ...results.burst!.filter((t) => t.impl === impl && t.ok).map((t) => t.size));
    const oursMax = largest('ours');
    const sdkMax = largest('sdk');
    const testedMax = Math.max(...results.burst.filter((t) => t.impl === 'ours').map((t) => t.size));
    const oursCapped = oursMax === testedMax;
    push('', `Largest burst without loss: ours **${oursMax.toLocaleString('en-US')}${oursCapped ? ' (largest size tried)' : ''}**, SDK defaults **${sdkMax.toLocaleString('en-US')}** → **${fmt(oursMax / sdkMax)}×**.`, '');
    goals.push(`| 3 | largest burst without loss | ≥ 10× SDK defaults | ${oursMax.toLocaleString('en-US')} vs ${sdkMax.toLocaleString('en-US')} = ${fmt(oursMax / sdkMax)}× | ${oursMax >= 10 * sdkMax ? 'met' : `**missed** by ${fmt((1 - oursMax / (10 * sdkMax)) * 100, 0)} %`} |`);
  }

  if (results.outage) {
    push('## 4. Memory during a collector outage', '');
    push(`${META.outageSeconds} s at 1,000 events/s (mix per 20 events: 18 SSE chunks, 1 API request, 1 tool result with a 4 KiB output), OTLP/HTTP protobuf to a black hole (accepts, reads, never answers) or a closed port. Growth is measured from just before the first event (after a forced GC). The three processes run side by side.`, '');
    push('| case | events | RSS growth, peak | heapUsed growth, peak | heapUsed growth at the end, after GC | shutdown after the outage |', '|---|---:|---:|---:|---:|---:|');
    for (const o of results.outage) {
      push(`| ${o.label} | ${o.emitted.toLocaleString('en-US')} | ${mib(o.peakRss - o.base.rss)} MiB | ${mib(o.peakHeap - o.base.heapUsed)} MiB | ${mib(o.endHeapAfterGc - o.base.heapUsed)} MiB | ${o.shutdownMs === undefined ? 'n/a' : `${fmt(o.shutdownMs, 0)} ms`} |`);
    }
    const pick = (samples: OutageResult['samples']) => samples.filter((s, i) => s.t % 10 === 0 || i === 0 || i === samples.length - 1);
    const header = pick(results.outage[0]?.samples ?? []);
    push('', 'RSS growth over time (MiB, every 10 s and the last sample):', '', `| case | ${header.map((s) => `${s.t} s`).join(' | ')} |`);
    push(`|---|${header.map(() => '---:').join('|')}|`);
    for (const o of results.outage) push(`| ${o.label} | ${pick(o.samples).map((s) => mib(s.rss - o.base.rss)).join(' | ')} |`);
    push('');
    const worst = Math.max(...results.outage.filter((o) => o.impl === 'ours').map((o) => o.peakRss - o.base.rss));
    goals.push(`| 4 | RSS growth, ${META.outageSeconds} s outage at 1,000 events/s | < 64 MiB${META.outageSeconds < 60 ? ` (run was only ${META.outageSeconds} s)` : ''} | ${mib(worst)} MiB (worst case) | ${worst < 64 * MiB ? 'met' : `**missed** by ${mib(worst - 64 * MiB)} MiB`} |`);
  }

  if (results.shutdown) {
    push('## 5. Shutdown time', '');
    push('2 × 2,000 events of the mix (100 ms apart, so an export is in flight), then `shutdown()` over OTLP/HTTP protobuf. "shutdown()" is until the promise resolves; "process exit" until the process actually ends on its own (no `process.exit()`: open sockets and timers keep it alive). Median (min–max).', '');
    push('| collector | contender | shutdown() ms | process exit ms | runs | note |', '|---|---|---:|---:|---:|---|');
    for (const r of results.shutdown) {
      const note = [r.killed ? `killed at the cap in ${r.killed} run(s)` : '', r.delivered !== undefined ? `delivered ${r.delivered.toLocaleString('en-US')} / ${r.emitted!.toLocaleString('en-US')}` : ''].filter(Boolean).join('; ');
      push(`| ${r.target} | ${r.impl === 'ours' ? 'ours' : 'SDK baseline'} | ${range(r.shutdownMs, 0)} | ${range(r.exitMs, 0)} | ${r.runs} | ${note} |`);
    }
    push('');
    const ours = results.shutdown.filter((r) => r.impl === 'ours');
    const worstShutdown = Math.max(...ours.map((r) => r.shutdownMs.max));
    const worstExit = Math.max(...ours.map((r) => (r.killed ? Number.POSITIVE_INFINITY : r.exitMs.max)));
    const ms = (v: number) => (Number.isFinite(v) ? `${fmt(v, 0)} ms` : 'not within the cap (killed)');
    // Within 2 s plus 5 % for timer slack.
    goals.push(`| 5 | shutdown (live / refused / black hole) | ≤ 2 s | shutdown() ≤ ${ms(worstShutdown)}; process exit ≤ ${ms(worstExit)} | ${worstShutdown <= 2100 ? (worstExit <= 2100 ? 'met' : 'shutdown() met; **process exit missed**') : '**missed**'} |`);
  }

  if (results.startup) {
    const s = results.startup;
    push('## 6. Start-up cost', '');
    push(`\`performance.now()\` (ms since the process started) at the end of the first emit, in a fresh process, median (min–max) of ${s.reps} runs; minus the same for an empty ES module (Node's own start-up). Ours: import of \`codex-otel\` + \`parseConfigText\` + \`createTelemetry\` (OTLP/HTTP logs and metrics) + \`startSession\` + one \`sseEvent\`. SDK: import of sdk-logs, resources and the OTLP/HTTP protobuf log exporter + provider + one record.`, '');
    push('| script | ms at the end of the first event | minus empty module |', '|---|---:|---:|');
    push(`| empty module | ${range(s.empty, 1)} | – |`);
    push(`| SDK baseline | ${range(s.sdk, 1)} | ${fmt(s.sdk.median - s.empty.median, 1)} |`);
    push(`| ours | ${range(s.ours, 1)} | **${fmt(s.ours.median - s.empty.median, 1)}** |`);
    push('');
    const value = s.ours.median - s.empty.median;
    goals.push(`| 6 | start-up: import + createTelemetry + first event | < 150 ms | ${fmt(value, 1)} ms (SDK alone ${fmt(s.sdk.median - s.empty.median, 1)} ms) | ${value < 150 ? 'met' : `**missed** by ${fmt(value - 150, 0)} ms`} |`);
  }

  if (results.scrub) {
    const r = results.scrub;
    push('## Secret scrubbing of a typical tool output', '');
    push(`\`createScrubber().scrub(text)\` and \`scrubThenPreview(output, scrubber)\` on a 4 KiB output (52 lines of \`ls -la\`-like text); "with secrets" has an OpenAI project key, an AWS access key id and a GitHub token (${r.redactionsInDirty} redactions, ${r.dirtyStillHasSecret ? '**a secret survived**' : 'none survived'}). Median (min–max) of 7 rounds.`, '');
    push('| operation | no secret, µs | 3 secrets, µs |', '|---|---:|---:|');
    const us = (m: { nsMedian: number; nsMin: number; nsMax: number }) => `${fmt(m.nsMedian / 1000)} (${fmt(m.nsMin / 1000)}–${fmt(m.nsMax / 1000)})`;
    push(`| scrub(4 KiB) | ${us(r.scrubClean)} | ${us(r.scrubDirty)} |`);
    push(`| scrubThenPreview(4 KiB) | ${us(r.previewClean)} | ${us(r.previewDirty)} |`);
    push('');
  }

  if (results.profile) {
    push('## Profile of the emit path (ours, logs + metrics, discarding exporters)', '');
    push('`node --cpu-prof --cpu-prof-interval=100` over 100,000 emits after warm-up; top functions by self time (share of the sampled time of the whole process).', '');
    for (const p of results.profile) {
      push(`### ${EVENT_LABELS[p.event]}`, '', '| self % | self ms | function | where |', '|---:|---:|---|---|');
      for (const row of p.rows) push(`| ${fmt(row.selfPct, 1)} | ${fmt(row.selfMs, 1)} | \`${row.name}\` | ${row.where} |`);
      push('');
    }
  }

  if (goals.length) {
    push('## Goals (issues 8 and 13)', '', '| # | figure | goal | measured | verdict |', '|---|---|---|---|---|', ...goals, '');
  }
  try {
    push(readFileSync(path.join(repoRoot, 'bench', 'NOTES.md'), 'utf8').trimEnd(), '');
  } catch {
    // no notes yet
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------

/** The spans section (bench/spans.ts, its own run) survives a rewrite of the README. */
function keepSpansSection(text: string): string {
  let old = '';
  try {
    old = readFileSync(path.join(repoRoot, 'bench', 'README.md'), 'utf8');
  } catch { /* first run */ }
  const begin = old.indexOf('<!-- spans:begin');
  const end = old.indexOf('<!-- spans:end -->');
  return begin >= 0 && end > begin ? replaceSpansSection(text, old.slice(begin, end + '<!-- spans:end -->'.length)) : text;
}

async function main(): Promise<void> {
  const started = performance.now();
  const resultsFile = path.join(repoRoot, 'dist', 'bench', 'results.json');
  if (argv.includes('--report-only')) {
    // Re-render bench/README.md from the last run's results (e.g. after editing bench/NOTES.md).
    const saved = JSON.parse(readFileSync(resultsFile, 'utf8')) as Results & { meta: Meta };
    Object.assign(META, saved.meta);
    writeFileSync(path.join(repoRoot, 'bench', 'README.md'), keepSpansSection(report(saved, saved.meta.elapsedS)));
    log('re-rendered bench/README.md from dist/bench/results.json');
    return;
  }
  const results: Results = {};
  META.machine = machine();
  const receiver = await startReceiver();
  try {
    if (wanted('parity')) {
      results.parity = (await worker({ mode: 'parity' })).tags['result'];
      log(`parity: ${results.parity!.ok ? 'ok' : results.parity!.problems.join('\n')}`);
    }
    if (wanted('startup')) results.startup = await figureStartup(receiver);
    if (wanted('scrub')) results.scrub = (await worker({ mode: 'scrub', iterations: QUICK ? 500 : 5000 })).tags['result'];
    if (wanted('cost')) results.cost = await figureCost();
    if (wanted('otlpcost')) results.otlpCost = await figureOtlpCost(receiver);
    if (wanted('caller')) results.caller = await figureCaller();
    if (wanted('burst')) results.burst = await figureBurst(receiver);
    if (wanted('throughput')) results.throughput = await figureThroughput(receiver);
    if (wanted('shutdown')) results.shutdown = await figureShutdown(receiver);
    if (wanted('outage')) {
      log(`outage: ${OUTAGE_SECONDS} s`);
      results.outage = await figureOutage(receiver);
    }
    if (wanted('profile')) results.profile = await figureProfile();
  } finally {
    receiver.close();
  }
  const elapsedS = (performance.now() - started) / 1000;
  const text = report(results, elapsedS);
  // Only a run that rewrites the README replaces the results it was rendered from.
  writeFileSync(WRITE_README ? resultsFile : path.join(repoRoot, 'dist', 'bench', 'results-no-readme.json'), JSON.stringify({ ...results, meta: { ...META, elapsedS } }, null, 2));
  if (WRITE_README) {
    writeFileSync(path.join(repoRoot, 'bench', 'README.md'), keepSpansSection(text));
    log('wrote bench/README.md');
  } else process.stdout.write(text);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
