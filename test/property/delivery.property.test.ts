/**
 * The delivery ledger under random fault schedules: whatever the exporter answers (success, retryable,
 * rejected, auth failure, a throw, never, "too large" above a record limit), whatever the queue and batch
 * sizes, with or without a spool,
 * every emitted record is in exactly one place when the processor has shut down:
 *
 *     emitted = exported + pending in the spool + dropped (by reason)
 *
 * Each side is observed independently: `emitted` by this test, `exported` by the exporter, the spool's
 * pending records on disk; only the drops come from the ledger. A second "process" (a second processor
 * on the same spool) then replays what the first left, and the invariant holds across both ledgers. The
 * same for spans (the ledger's spans account, the spool's traces files), and for both signals sharing one
 * spool under a small cap, where the oldest batch of either signal is evicted first.
 *
 * Deterministic: time is virtual (fake timers for setTimeout/setImmediate/Date/performance), the retry
 * jitter takes its randomness from the generated case, and fast-check runs a fixed seed. The same case
 * always takes the same path, so a failure reproduces.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DeliveryError, DeliveryLogProcessor, DeliveryStats, RetryPolicy, Spool } from '../../src/export/delivery/index.js';
import { DeliverySpanProcessor } from '../../src/export/delivery/processor.js';
import { TRACES_CODEC } from '../../src/export/delivery/spool-codec.js';
import type { SignalLedger } from '../../src/export/delivery/stats.js';

const dir = mkdtempSync(join(tmpdir(), 'codex-otel-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Answer = 'ok' | 'retryable' | 'rejected' | 'auth' | 'throw' | 'late';

class ScriptedExporter implements LogRecordExporter {
  exported = 0;
  private index = 0;
  /** `limit`: more records than this in one request are answered "too large" (HTTP 413), like a proxy's body limit. */
  constructor(private readonly answers: Answer[], private readonly limit?: number) {}
  export(records: unknown[], done: (result: ExportResult) => void): void {
    if (this.limit !== undefined && records.length > this.limit) {
      setImmediate(() => done({ code: ExportResultCode.FAILED, error: new DeliveryError('413', { retryable: false, rejected: false, tooLarge: true, what: 'HTTP 413' }) }));
      return;
    }
    const answer = this.answers[this.index++ % this.answers.length]!;
    const fail = (retryable: boolean, rejected: boolean) =>
      done({ code: ExportResultCode.FAILED, error: new DeliveryError('x', { retryable, rejected, what: answer }) });
    switch (answer) {
      case 'ok': setImmediate(() => { this.exported += records.length; done({ code: ExportResultCode.SUCCESS }); }); break;
      case 'retryable': setImmediate(() => fail(true, false)); break;
      case 'rejected': fail(false, true); break;
      case 'auth': fail(false, false); break;
      case 'throw': throw new Error('exporter threw');
      case 'late': break; // never answers: the watchdog or the shutdown bound handles it
    }
  }
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}

/** A seeded source in [0, 1) (mulberry32) for the retry jitter. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const answers = fc.array(fc.constantFrom<Answer>('ok', 'ok', 'retryable', 'rejected', 'auth', 'throw', 'late'), { minLength: 1, maxLength: 6 });

interface Case {
  queue: number;
  batch: number;
  emits: number[];
  gapMs: number;
  first: Answer[];
  second: Answer[];
  spool: boolean;
  seed: number;
  limit: number | null;
}

let run = 0;

type Signal = 'logs' | 'traces';

/** One signal's processor in one "process": how to build it, emit one item into it, and read its account. */
interface Lane {
  signal: Signal;
  exporter: ScriptedExporter;
  stats: DeliveryStats;
  processor: { readonly queued: number; shutdownBy(deadline: number): Promise<void> };
  emit(n: number): void;
  account(): SignalLedger;
}

/**
 * Runs one schedule for each signal in `signals`, every lane with its own exporter but one spool folder and
 * cap (`cap` bytes: small caps make the oldest batches of either signal go first), in two "processes".
 */
async function runCase(c: Case, signals: Signal[] = ['logs'], cap = 1 << 20): Promise<void> {
  const spoolDir = join(dir, `s${++run}`);
  const retry = new RetryPolicy({ initialBackoffMs: 1, maxBackoffMs: 5, budgetMs: 30, maxAttempts: 3, random: seeded(c.seed) });
  const buildProcess = (answersOf: Answer[], replayOnStart: boolean): Lane[] => {
    const stats = new DeliveryStats(() => undefined);
    const logsSpool = new Spool({ directory: spoolDir, maxBytes: cap, stats, accountOf: (signal) => stats.account(signal) });
    return signals.map((signal) => {
      const exporter = new ScriptedExporter(answersOf, c.limit ?? undefined);
      const account = stats.account(signal);
      const options = {
        stats: account, maxQueueSize: c.queue, maxExportBatchSize: Math.min(c.batch, c.queue), scheduledDelayMillis: 1,
        exportTimeoutMillis: 50, retry, replayOnStart, label: signal,
      };
      if (signal === 'logs') {
        const processor = new DeliveryLogProcessor({ ...options, exporter, ...(c.spool ? { spool: logsSpool } : {}) });
        const logger = new LoggerProvider({ processors: [processor] }).getLogger('prop');
        return { signal, exporter, stats, processor, account: () => account, emit: (n) => logger.emit({ body: `r${n}`, attributes: { i: n } }) } satisfies Lane;
      }
      // These spans carry nothing to scrub: the scrubber is the identity.
      const processor = new DeliverySpanProcessor({ ...options, exporter, settle: () => undefined, ...(c.spool ? { spool: logsSpool.forSignal(TRACES_CODEC, account) } : {}) });
      const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('prop');
      return { signal, exporter, stats, processor, account: () => account, emit: (n) => tracer.startSpan(`s${n}`, { attributes: { i: n } }).end() } satisfies Lane;
    });
  };
  const onDisk = (signal: Signal) => {
    if (!c.spool) return 0;
    const stats = new DeliveryStats(() => undefined);
    const logs = new Spool({ directory: spoolDir, maxBytes: cap, stats });
    return (signal === 'logs' ? logs : logs.forSignal(TRACES_CODEC, stats.spans)).pending().records;
  };

  // First process: emits in waves, then shuts down with a bound.
  const first = buildProcess(c.first, false);
  let emitted = 0;
  for (const count of c.emits) {
    for (let i = 0; i < count; i++) {
      for (const lane of first) {
        expect(() => lane.emit(emitted)).not.toThrow();
        expect(lane.processor.queued).toBeLessThanOrEqual(c.queue);
      }
      emitted++;
    }
    await vi.advanceTimersByTimeAsync(c.gapMs);
  }
  const closing = Promise.all(first.map((lane) => lane.processor.shutdownBy(performance.now() + 200)));
  await vi.advanceTimersByTimeAsync(2000);
  await closing;

  for (const lane of first) {
    const a = lane.account().snapshot();
    expect(a.emitted).toBe(emitted);
    expect(a.exported).toBe(lane.exporter.exported);
    expect(a.inMemory).toBe(0);
    expect(a.pendingInSpool).toBe(onDisk(lane.signal));
    expect(a.exported + a.pendingInSpool + a.dropped.total).toBe(emitted);
    if (!c.spool) expect(a.spooled).toBe(0);
    // Splitting goes down to single records: only a record too large on its own is dropped as too large.
    if (c.limit !== null && c.limit >= 1) expect(a.dropped.too_large).toBe(0);
    if (c.limit === 0) expect(a.exported).toBe(0);
  }

  // Second process on the same spool: replays what the first left; the invariant holds across both.
  const second = buildProcess(c.second, true);
  await vi.advanceTimersByTimeAsync(500);
  const closingB = Promise.all(second.map((lane) => lane.processor.shutdownBy(performance.now() + 200)));
  await vi.advanceTimersByTimeAsync(2000);
  await closingB;
  second.forEach((lane, index) => {
    const a = first[index]!.account().snapshot();
    const b = lane.account().snapshot();
    expect(b.inMemory).toBe(0);
    expect(b.exported).toBe(lane.exporter.exported);
    if (c.limit !== null && c.limit >= 1) expect(b.dropped.too_large).toBe(0);
    expect(a.pendingInSpool + b.pendingInSpool).toBe(onDisk(lane.signal));
    expect(a.exported + b.exported + onDisk(lane.signal) + a.dropped.total + b.dropped.total).toBe(a.emitted + b.emitted);
  });
}

const cases = fc.record({
  queue: fc.integer({ min: 1, max: 50 }),
  batch: fc.integer({ min: 1, max: 50 }),
  emits: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }),
  gapMs: fc.integer({ min: 0, max: 20 }),
  first: answers,
  second: answers,
  spool: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  limit: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
});

async function withVirtualTime(work: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  try {
    await work();
  } finally {
    vi.useRealTimers();
  }
}

describe('the delivery ledger', () => {
  it('log records: emitted = exported + pending in the spool + dropped, per process and across two sharing a spool', async () => {
    await fc.assert(fc.asyncProperty(cases, (c) => withVirtualTime(() => runCase(c))), { numRuns: 60, seed: 4242 });
  });

  it('spans: the same invariant for the spans account (DeliverySpanProcessor, the spool\'s traces files)', async () => {
    await fc.assert(fc.asyncProperty(cases, (c) => withVirtualTime(() => runCase(c, ['traces']))), { numRuns: 40, seed: 4243 });
  });

  it('both signals on one spool under a small cap: the oldest batch of either goes first, counted in its own account', async () => {
    await fc.assert(
      fc.asyncProperty(cases, fc.integer({ min: 1_500, max: 12_000 }), (c, cap) => withVirtualTime(() => runCase({ ...c, spool: true }, ['logs', 'traces'], cap))),
      { numRuns: 40, seed: 4244 },
    );
  });
});
