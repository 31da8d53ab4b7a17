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
 * on the same spool) then replays what the first left, and the invariant holds across both ledgers.
 *
 * Deterministic: time is virtual (fake timers for setTimeout/setImmediate/Date/performance), the retry
 * jitter takes its randomness from the generated case, and fast-check runs a fixed seed. The same case
 * always takes the same path, so a failure reproduces.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DeliveryError, DeliveryLogProcessor, DeliveryStats, RetryPolicy, Spool } from '../../src/export/delivery/index.js';

const dir = mkdtempSync(join(tmpdir(), 'codex-otel-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Answer = 'ok' | 'retryable' | 'rejected' | 'auth' | 'throw' | 'late';

class ScriptedExporter implements LogRecordExporter {
  exported = 0;
  private index = 0;
  /** `limit`: more records than this in one request are answered "too large" (HTTP 413), like a proxy's body limit. */
  constructor(private readonly answers: Answer[], private readonly limit?: number) {}
  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
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

async function runCase(c: Case): Promise<void> {
  const spoolDir = join(dir, `s${++run}`);
  const statsA = new DeliveryStats(() => undefined);
  const statsB = new DeliveryStats(() => undefined);
  const exporterA = new ScriptedExporter(c.first, c.limit ?? undefined);
  const exporterB = new ScriptedExporter(c.second, c.limit ?? undefined);
  const retry = new RetryPolicy({ initialBackoffMs: 1, maxBackoffMs: 5, budgetMs: 30, maxAttempts: 3, random: seeded(c.seed) });
  const build = (exporter: LogRecordExporter, stats: DeliveryStats, replayOnStart: boolean) => new DeliveryLogProcessor({
    exporter, stats, maxQueueSize: c.queue, maxExportBatchSize: Math.min(c.batch, c.queue), scheduledDelayMillis: 1,
    exportTimeoutMillis: 50, retry,
    ...(c.spool ? { spool: new Spool({ directory: spoolDir, maxBytes: 1 << 20, stats }) } : {}),
    replayOnStart,
  });

  // First process: emits in waves, then shuts down with a bound.
  const first = build(exporterA, statsA, false);
  const logger = new LoggerProvider({ processors: [first] }).getLogger('prop');
  let emitted = 0;
  for (const count of c.emits) {
    for (let i = 0; i < count; i++) {
      expect(() => logger.emit({ body: `r${emitted}`, attributes: { i: emitted } })).not.toThrow();
      emitted++;
      expect(first.queued).toBeLessThanOrEqual(c.queue);
    }
    await vi.advanceTimersByTimeAsync(c.gapMs);
  }
  const closing = first.shutdownBy(performance.now() + 200);
  await vi.advanceTimersByTimeAsync(2000);
  await closing;

  const a = statsA.snapshot();
  const onDisk = () => (c.spool ? new Spool({ directory: spoolDir, maxBytes: 1 << 20, stats: new DeliveryStats(() => undefined) }).pending().records : 0);
  expect(a.emitted).toBe(emitted);
  expect(a.exported).toBe(exporterA.exported);
  expect(a.inMemory).toBe(0);
  expect(a.pendingInSpool).toBe(onDisk());
  expect(a.exported + a.pendingInSpool + a.dropped.total).toBe(emitted);
  if (!c.spool) expect(a.spooled).toBe(0);
  // Splitting goes down to single records: only a record too large on its own is dropped as too large.
  if (c.limit !== null && c.limit >= 1) expect(a.dropped.too_large).toBe(0);
  if (c.limit === 0) expect(a.exported).toBe(0);

  // Second process on the same spool: replays what the first left; the invariant holds across both.
  const second = build(exporterB, statsB, true);
  await vi.advanceTimersByTimeAsync(500);
  const closingB = second.shutdownBy(performance.now() + 200);
  await vi.advanceTimersByTimeAsync(2000);
  await closingB;
  const b = statsB.snapshot();
  expect(b.inMemory).toBe(0);
  expect(b.exported).toBe(exporterB.exported);
  if (c.limit !== null && c.limit >= 1) expect(b.dropped.too_large).toBe(0);
  expect(a.pendingInSpool + b.pendingInSpool).toBe(onDisk());
  expect(a.exported + b.exported + onDisk() + a.dropped.total + b.dropped.total).toBe(a.emitted + b.emitted);
}

describe('DeliveryLogProcessor ledger', () => {
  it('emitted = exported + pending in the spool + dropped, per process and across two sharing a spool', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          queue: fc.integer({ min: 1, max: 50 }),
          batch: fc.integer({ min: 1, max: 50 }),
          emits: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }),
          gapMs: fc.integer({ min: 0, max: 20 }),
          first: answers,
          second: answers,
          spool: fc.boolean(),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          limit: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
        }),
        async (c) => {
          vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date', 'performance'] });
          try {
            await runCase(c);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 60, seed: 4242 },
    );
  });
});
