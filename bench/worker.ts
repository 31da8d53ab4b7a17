/**
 * One benchmark trial in a FRESH process (no JIT cross-talk between variants). Usage:
 *   node dist/bench/worker.js '<json WorkerArgs>'
 * Prints progress lines `@@<tag> <json>` on stdout; the runner parses them. Diagnostics go to stderr.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { createScrubber, scrubThenPreview } from '../src/redact/index.js';
import { EVENT_KINDS, mixKind, toolOutput, type EventKind } from './lib/fixtures.js';
import { createContender, type ContenderOptions } from './lib/impl.js';
import { epochNow, median, sleep } from './lib/stats.js';

export type WorkerArgs =
  | ({ mode: 'cost'; event: EventKind; rate?: number; warmup: number; batches: number; batchSize: number } & ContenderOptions)
  | ({ mode: 'rate'; event: EventKind; rate: number; seconds: number } & ContenderOptions)
  | ({ mode: 'burst'; event: EventKind; size: number } & ContenderOptions)
  | ({ mode: 'outage'; rate: number; seconds: number } & ContenderOptions)
  | ({ mode: 'shutdown'; events: number } & ContenderOptions)
  | { mode: 'parity' }
  | { mode: 'scrub'; iterations: number };

const out = (tag: string, value: unknown) => process.stdout.write(`@@${tag} ${JSON.stringify(value)}\n`);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function gcMeter() {
  let count = 0;
  let ms = 0;
  let on = false;
  const observer = new PerformanceObserver((list) => {
    if (!on) return;
    for (const entry of list.getEntries()) {
      count++;
      ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    start() { on = true; count = 0; ms = 0; },
    stop() { on = false; observer.disconnect(); return { gcCount: count, gcMs: ms }; },
  };
}

/** Figure 1: nanoseconds per emit on the caller's thread, over batches of `batchSize` synchronous emits. */
async function cost(args: Extract<WorkerArgs, { mode: 'cost' }>): Promise<void> {
  const contender = createContender(args);
  const { event, batchSize } = args;
  // Paced (with a real exporter): one batch per slot of batchSize/rate seconds, so the SDK's 2048 queue is not
  // simply overrun (a dropped record is cheaper than a kept one and would flatter the baseline).
  const slotMs = args.rate ? (batchSize / args.rate) * 1000 : 0;
  const runBatches = async (count: number, record: number[] | undefined, recordCpu?: number[]) => {
    let next = performance.now();
    for (let b = 0; b < count; b++) {
      const c0 = recordCpu ? process.cpuUsage() : undefined;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batchSize; i++) contender.emit(event);
      const t1 = process.hrtime.bigint();
      record?.push(Number(t1 - t0) / batchSize);
      if (c0) {
        // The process's CPU time during the batch: unlike the wall clock, it does not advance while another
        // process has the core (a shared machine), and it includes our own threads' work meanwhile (GC).
        const cpu = process.cpuUsage(c0);
        recordCpu!.push(((cpu.user + cpu.system) * 1000) / batchSize);
      }
      if (slotMs) {
        next += slotMs;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        else await tick();
      } else await tick();
    }
  };
  await runBatches(Math.ceil(args.warmup / batchSize), undefined);
  await contender.flush();
  const gc = gcMeter();
  const perBatch: number[] = [];
  const cpuPerBatch: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  gc.start();
  await runBatches(args.batches, perBatch, cpuPerBatch);
  await contender.flush();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const events = args.batches * batchSize;
  out('result', {
    nsPerEvent: median(perBatch),
    perBatch,
    cpuNsPerEvent: median(cpuPerBatch),
    cpuUsPerEvent: (cpu.user + cpu.system) / events,
    wallMs,
    events,
    ...gc.stop(),
  });
  await contender.shutdown();
}

/** Figure 2: emit at an offered rate for `seconds`, then flush; the runner counts what arrived. */
async function rate(args: Extract<WorkerArgs, { mode: 'rate' }>): Promise<void> {
  const contender = createContender(args);
  for (let i = 0; i < 200; i++) contender.emit(args.event); // JIT warm-up, delivered too (counted)
  await contender.flush();
  let emitted = 200;
  const perMs = args.rate / 1000;
  const start = performance.now();
  const startAt = epochNow();
  const endMs = args.seconds * 1000;
  let maxLag = 0;
  let scheduled = 0;
  const cpu0 = process.cpuUsage();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= endMs) break;
    const target = Math.floor(elapsed * perMs);
    // Catch up at most 20 ms of backlog at once: a saturated emitter offers less, which is reported.
    const due = Math.min(target - scheduled, Math.ceil(perMs * 20));
    maxLag = Math.max(maxLag, target - scheduled - due);
    for (let i = 0; i < due; i++) contender.emit(args.event);
    scheduled += due;
    await sleep(1);
  }
  emitted += scheduled;
  const emitEndAt = epochNow();
  await contender.flush();
  const flushedAt = epochNow();
  const cpu = process.cpuUsage(cpu0);
  out('result', {
    emitted,
    startAt,
    emitEndAt,
    flushedAt,
    offeredRate: scheduled / ((emitEndAt - startAt) / 1000),
    maxBacklog: maxLag,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
  await contender.shutdown();
}

/** Figure 3: `size` events in one synchronous tick, then a flush. */
async function burst(args: Extract<WorkerArgs, { mode: 'burst' }>): Promise<void> {
  const contender = createContender(args);
  const t0 = performance.now();
  for (let i = 0; i < args.size; i++) contender.emit(args.event);
  const emitMs = performance.now() - t0;
  const startAt = epochNow();
  const mem = process.memoryUsage();
  await contender.flush();
  await sleep(50);
  await contender.flush();
  out('result', { emitted: args.size, emitMs, flushMs: epochNow() - startAt, rssAfterBurst: mem.rss, heapAfterBurst: mem.heapUsed });
  await contender.shutdown();
}

/** Figure 4: `rate` events/s of the mix for `seconds` while the collector is unreachable; RSS and heap each second. */
async function outage(args: Extract<WorkerArgs, { mode: 'outage' }>): Promise<void> {
  const contender = createContender(args);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  const samples: Array<{ t: number; rss: number; heapUsed: number; external: number }> = [];
  const start = performance.now();
  let emitted = 0;
  let nextSample = 1000;
  const perMs = args.rate / 1000;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= args.seconds * 1000) break;
    const target = Math.floor(elapsed * perMs);
    while (emitted < target) contender.emit(mixKind(emitted++));
    if (elapsed >= nextSample) {
      const m = process.memoryUsage();
      samples.push({ t: Math.round(elapsed / 1000), rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers });
      nextSample += 1000;
    }
    await sleep(5);
  }
  const before = process.memoryUsage();
  gc?.();
  const after = process.memoryUsage();
  out('result', { emitted, base, samples, end: before, endAfterGc: after });
  const t0 = performance.now();
  await contender.shutdown();
  out('shutdown', { ms: performance.now() - t0 });
  process.exit(0);
}

/** Figure 5: emit some events, let exports start, then shutdown; the runner also times the process exit. */
async function shutdown(args: Extract<WorkerArgs, { mode: 'shutdown' }>): Promise<void> {
  const contender = createContender(args);
  for (let i = 0; i < args.events; i++) contender.emit(mixKind(i));
  await sleep(100);
  for (let i = 0; i < args.events; i++) contender.emit(mixKind(i));
  out('shutdown-start', { at: Date.now() });
  const t0 = performance.now();
  await contender.shutdown();
  out('result', { shutdownMs: performance.now() - t0 });
  // No process.exit(): the runner measures when the process really ends (open sockets, timers).
}

/** Both contenders to an in-memory exporter: same event names, keys and values (timestamps aside). */
async function parity(): Promise<void> {
  const problems: string[] = [];
  const capture = async (impl: 'ours' | 'sdk') => {
    const memory = new InMemoryLogRecordExporter();
    const contender = createContender({ impl, logs: 'none', metrics: 'none', extraLogExporter: memory });
    for (const kind of EVENT_KINDS) contender.emit(kind);
    await contender.flush();
    const records = memory.getFinishedLogRecords().map((r) => ({ eventName: r.eventName, severity: r.severityNumber, attributes: { ...r.attributes } }));
    await contender.shutdown();
    return records;
  };
  const ours = await capture('ours');
  const sdk = await capture('sdk');
  EVENT_KINDS.forEach((kind, i) => {
    const a = ours[i];
    const b = sdk[i];
    if (!a || !b) {
      problems.push(`${kind}: missing record (ours ${ours.length}, sdk ${sdk.length})`);
      return;
    }
    if (a.eventName !== b.eventName) problems.push(`${kind}: eventName ${a.eventName} vs ${b.eventName}`);
    // Our own attributes (`codex_otel.*`, the record id) come after everything Codex sends: the baseline
    // sends exactly Codex's keys, and ours must start with them, in the same order.
    const keysA = Object.keys(a.attributes);
    const keysB = Object.keys(b.attributes);
    const codexKeysA = keysA.slice(0, keysB.length);
    const ownKeysA = keysA.slice(keysB.length);
    if (codexKeysA.join(',') !== keysB.join(',') || !ownKeysA.every((key) => key.startsWith('codex_otel.'))) {
      problems.push(`${kind}: keys differ\n ours ${keysA.join(',')}\n sdk  ${keysB.join(',')}`);
    }
    for (const key of keysB) {
      if (key === 'event.timestamp') continue;
      if (a.attributes[key] !== b.attributes[key]) problems.push(`${kind}: ${key} = ${JSON.stringify(a.attributes[key])} vs ${JSON.stringify(b.attributes[key])}`);
    }
  });
  out('result', {
    ok: problems.length === 0,
    problems,
    attributeCounts: ours.map((r) => Object.keys(r.attributes).length),
    baselineAttributeCounts: sdk.map((r) => Object.keys(r.attributes).length),
  });
}

/** Secret scrubbing of a typical 4 KiB tool output, with and without secrets. */
async function scrub(args: Extract<WorkerArgs, { mode: 'scrub' }>): Promise<void> {
  const scrubber = createScrubber();
  const clean = toolOutput(false);
  const dirty = toolOutput(true);
  const counter = { redactions: 0 };
  const measure = (fn: () => string) => {
    for (let i = 0; i < Math.min(2000, args.iterations); i++) fn();
    const runs: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < args.iterations; i++) fn();
      runs.push(Number(process.hrtime.bigint() - t0) / args.iterations);
    }
    return { nsMedian: median(runs), nsMin: Math.min(...runs), nsMax: Math.max(...runs) };
  };
  const dirtyResult = scrubber.scrub(dirty, counter);
  out('result', {
    redactionsInDirty: counter.redactions,
    dirtyStillHasSecret: /sk-proj-|AKIA|ghp_/.test(dirtyResult),
    scrubClean: measure(() => scrubber.scrub(clean)),
    scrubDirty: measure(() => scrubber.scrub(dirty)),
    previewClean: measure(() => scrubThenPreview(clean, scrubber)),
    previewDirty: measure(() => scrubThenPreview(dirty, scrubber)),
  });
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  switch (args.mode) {
    case 'cost': return cost(args);
    case 'rate': return rate(args);
    case 'burst': return burst(args);
    case 'outage': return outage(args);
    case 'shutdown': return shutdown(args);
    case 'parity': return parity();
    case 'scrub': return scrub(args);
    default: throw new Error(`unknown mode ${JSON.stringify(args)}`);
  }
}

main().then(
  () => {
    const mode = (JSON.parse(process.argv[2] ?? '{}') as { mode?: string }).mode;
    if (mode !== 'shutdown') process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`worker failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
