/**
 * One spool folder, two signals: each file is tagged by its name (`logs-…`, `traces-…`), each view of the
 * folder claims, counts and reads only its own signal's files, spool files written before spans were
 * spooled (`logs-…`) still replay, and over the cap the oldest batch of either signal goes first, counted
 * in its own account of the ledger. Real SDK records and spans, real files.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryStats, Spool } from '../../../src/export/delivery/index.js';
import { TRACES_CODEC } from '../../../src/export/delivery/spool-codec.js';

const dir = mkdtempSync(join(tmpdir(), 'codex-otel-spool-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function records(count: number) {
  const exporter = new InMemoryLogRecordExporter();
  const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('t');
  for (let i = 0; i < count; i++) logger.emit({ eventName: 'codex.tool_result', attributes: { call_id: `c-${i}` } });
  return exporter.getFinishedLogRecords();
}

function spans(count: number) {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
  for (let i = 0; i < count; i++) tracer.startSpan('exec_command', { attributes: { call_id: `c-${i}`, aborted: true } }).end();
  return exporter.getFinishedSpans();
}

function views(folder: string, maxBytes = 1 << 20) {
  const stats = new DeliveryStats(() => undefined);
  const logs = new Spool({ directory: folder, maxBytes, stats, accountOf: (signal) => stats.account(signal) });
  return { stats, logs, traces: logs.forSignal(TRACES_CODEC, stats.spans) };
}

describe('one spool, two signals', () => {
  it('each view sees only its own files; both kinds are ours (not foreign)', () => {
    const folder = join(dir, 'views');
    const { logs, traces } = views(folder);
    expect(logs.store(records(3))).toMatch(/^logs-\d{13}-\d+-\d+-n3\.jsonl$/);
    expect(traces.store(spans(4))).toMatch(/^traces-\d{13}-\d+-\d+-n4\.jsonl$/);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    expect(logs.pending()).toEqual({ files: 1, records: 3 });
    expect(traces.pending()).toEqual({ files: 1, records: 4 });
    expect(logs.foreign()).toEqual(['notes.txt']);
    const claimedSpans = traces.claimNext()!;
    expect(claimedSpans.readyName.startsWith('traces-')).toBe(true);
    expect(traces.read(claimedSpans).map((s) => s.attributes['call_id'])).toEqual(['c-0', 'c-1', 'c-2', 'c-3']);
    expect(traces.claimNext()).toBeUndefined();
    const claimedLogs = logs.claimNext()!;
    expect(logs.read(claimedLogs).map((r) => r.attributes['call_id'])).toEqual(['c-0', 'c-1', 'c-2']);
  });

  it('a spool file written before spans were spooled (same name, same format) still replays as log records', () => {
    const folder = join(dir, 'old');
    const line = Buffer.from(new Spool({ directory: folder, maxBytes: 1 << 20, stats: new DeliveryStats(() => undefined) }).encode(records(2))!);
    rmSync(folder, { recursive: true, force: true });
    const { logs, traces } = views(folder);
    // The name and content the previous release wrote.
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'logs-1764000000000-4242-7-n2.jsonl'), line);
    expect(traces.pending()).toEqual({ files: 0, records: 0 });
    const claimed = logs.claimNext()!;
    expect(logs.read(claimed)).toHaveLength(2);
  });

  it('over the cap, the oldest batch goes first whatever its signal, counted in its own account', async () => {
    const folder = join(dir, 'cap');
    const probe = views(join(dir, 'probe'));
    const spanBytes = probe.traces.encode(spans(5))!.length;
    const logBytes = probe.logs.encode(records(5))!.length;
    // Room for two batches, not three.
    const { stats, logs, traces } = views(folder, spanBytes + logBytes + Math.min(spanBytes, logBytes) - 1);
    const oldest = traces.store(spans(5))!;
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond in the name
    logs.store(records(5));
    await new Promise((resolve) => setTimeout(resolve, 5));
    logs.store(records(5));
    expect(existsSync(join(folder, oldest))).toBe(false);
    expect(stats.spans.snapshot().dropped.spool_full).toBe(5);
    expect(stats.snapshot().dropped.spool_full).toBe(0);
    expect(readdirSync(folder).filter((name) => name.startsWith('logs-'))).toHaveLength(2);
    // Each account still balances: spooled = pending + dropped from the spool.
    expect(stats.spans.snapshot().pendingInSpool).toBe(traces.pending().records);
    expect(stats.snapshot().pendingInSpool).toBe(logs.pending().records);
  });
});
