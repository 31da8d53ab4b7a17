import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool } from '../../src/export/delivery/spool.js';
import { DeliveryStats } from '../../src/export/delivery/stats.js';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

const dir = mkdtempSync(join(tmpdir(), 'codex-otel-spool-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(text: string): ReadableLogRecord {
  return {
    hrTime: [1, 0], hrTimeObserved: [1, 0], severityNumber: 9, severityText: 'INFO', body: undefined, eventName: 'e',
    attributes: { text }, droppedAttributesCount: 0, resource: { attributes: {} } as never,
    instrumentationScope: { name: 'codex_otel.log_only' }, spanContext: undefined,
  } as unknown as ReadableLogRecord;
}

describe('two spools of one process on one folder', () => {
  it('never give two batches the same file name (each spooled batch is on disk)', () => {
    const a = new Spool({ directory: dir, maxBytes: 1e9, stats: new DeliveryStats(() => undefined) });
    const b = new Spool({ directory: dir, maxBytes: 1e9, stats: new DeliveryStats(() => undefined) });
    for (let i = 0; i < 300; i++) {
      a.store([record(`A${i}`)]);
      b.store([record(`B${i}`)]);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl'))).toHaveLength(600);
  });
});
