import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { emptyReadStats, readOtlpJson, type AuditItem, type ReadStats } from '../../../src/cli/audit/read-otlp-json.js';
import { tempDir } from './helpers.js';
import { common, sdkLogsJson, sdkTracesJson } from './sdk-otlp.js';

const T = Date.parse('2026-12-01T10:00:00.000Z');

async function readItems(path: string, stats: ReadStats = emptyReadStats(), maxRecordBytes?: number): Promise<{ items: AuditItem[]; stats: ReadStats }> {
  const items: AuditItem[] = [];
  for await (const item of readOtlpJson(path, stats, maxRecordBytes === undefined ? {} : { maxRecordBytes })) items.push(item);
  return { items, stats };
}

function summary(items: AuditItem[]): string[] {
  return items.map((i) => i.kind === 'log'
    ? `log ${i.record.name} ${String(i.record.attributes['call_id'] ?? '-')} ${String(i.record.resource['service.name'] ?? '-')} ${i.record.scope ?? '-'}`
    : `span ${i.span.name} ${String(i.span.attributes['call_id'] ?? '-')} ${String(i.span.resource['service.name'] ?? '-')} ${i.span.scope ?? '-'}`);
}

async function sampleLogs(): Promise<string> {
  return sdkLogsJson([
    { attributes: { 'event.name': 'codex.tool_decision', tool_name: 'exec_command', call_id: 'call_1', decision: 'approved', source: 'User', ...common('conv-1', 'codex_exec', 'a@example.com', T) } },
    { attributes: {}, severityNumber: 5, body: 'flushing OTEL metrics', eventName: 'event otel/src/metrics/client.rs:88' },
    { attributes: { 'event.name': 'codex.tool_decision', tool_name: 'exec_command', call_id: 'call_2', decision: 'denied', source: 'User', ...common('conv-1', 'codex_exec', 'a@example.com', T + 1000) } },
  ]);
}

async function sampleTraces(): Promise<string> {
  return sdkTracesJson([
    { name: 'exec_command', attributes: { call_id: 'call_3', tool_name: 'exec_command', aborted: true, 'conversation.id': 'conv-2', 'turn.id': 't1' }, start: T, end: T + 2000 },
    { name: 'turn/start', attributes: { 'turn.id': 't1' }, start: T, end: T + 3000 },
  ]);
}

describe('reading OTLP/JSON made by the SDK', () => {
  it('reads JSON lines of logs and traces requests in one file', async () => {
    const file = join(tempDir(), 'mixed.jsonl');
    writeFileSync(file, `${await sampleLogs()}\n${await sampleTraces()}\n`);
    const { items, stats } = await readItems(file);
    expect(summary(items)).toEqual([
      'log codex.tool_decision call_1 codex_exec codex_otel.log_only',
      'log null - codex_exec codex_otel.log_only',
      'log codex.tool_decision call_2 codex_exec codex_otel.log_only',
      'span exec_command call_3 codex-app-server codex-app-server',
      'span turn/start - codex-app-server codex-app-server',
    ]);
    expect(stats).toMatchObject({ lines: 2, logLines: 1, traceLines: 1, documents: 0, records: 3, spans: 2, malformedLines: 0 });
    const span = items[3]!;
    expect(span.kind === 'span' && [span.span.start, span.span.end, span.span.attributes['aborted']]).toEqual([T, T + 2000, true]);
  });

  it('reads a pretty-printed whole document the same as its one-line form, plain and gzip', async () => {
    const dir = tempDir();
    const oneLine = await sampleLogs();
    writeFileSync(join(dir, 'line.jsonl'), `${oneLine}\n`);
    writeFileSync(join(dir, 'pretty.json'), JSON.stringify(JSON.parse(oneLine), null, 2));
    writeFileSync(join(dir, 'pretty.json.gz'), gzipSync(JSON.stringify(JSON.parse(oneLine), null, 2)));
    const line = await readItems(join(dir, 'line.jsonl'));
    for (const name of ['pretty.json', 'pretty.json.gz']) {
      const doc = await readItems(join(dir, name));
      expect(doc.stats).toMatchObject({ documents: 1, records: 3, malformedLines: 0 });
      expect(doc.items.map((i) => i.kind === 'log' && { ...i.record, location: null })).toEqual(line.items.map((i) => i.kind === 'log' && { ...i.record, location: null }));
    }
  });

  it('reads a document holding an array of requests, and several concatenated documents', async () => {
    const dir = tempDir();
    const logs = JSON.parse(await sampleLogs()) as unknown;
    const traces = JSON.parse(await sampleTraces()) as unknown;
    writeFileSync(join(dir, 'array.json'), JSON.stringify([logs, traces], null, 1));
    writeFileSync(join(dir, 'concatenated.json'), `${JSON.stringify(traces, null, 2)}\n${JSON.stringify(logs, null, 2)}\n`);
    const array = await readItems(join(dir, 'array.json'));
    expect(array.items.map((i) => i.kind)).toEqual(['log', 'log', 'log', 'span', 'span']);
    const concatenated = await readItems(join(dir, 'concatenated.json'));
    expect(concatenated.items.map((i) => i.kind)).toEqual(['span', 'span', 'log', 'log', 'log']);
    expect(concatenated.stats.malformedLines).toBe(0);
  });

  it('gives each record of a document its own resource and scope', async () => {
    const a = JSON.parse(await sdkLogsJson([{ attributes: { 'event.name': 'codex.a' } }], { 'service.name': 'one' }, 'scope-one')) as { resourceLogs: unknown[] };
    const b = JSON.parse(await sdkLogsJson([{ attributes: { 'event.name': 'codex.b' } }], { 'service.name': 'two' }, 'scope-two')) as { resourceLogs: unknown[] };
    const noResource = { scopeLogs: [{ logRecords: [{ attributes: [{ key: 'event.name', value: { stringValue: 'codex.c' } }] }] }] };
    const file = join(tempDir(), 'resources.json');
    writeFileSync(file, JSON.stringify({ resourceLogs: [...a.resourceLogs, ...b.resourceLogs, noResource] }, null, 2));
    const { items } = await readItems(file);
    expect(summary(items)).toEqual([
      'log codex.a - one scope-one',
      'log codex.b - two scope-two',
      'log codex.c - - -',
    ]);
  });

  it('keeps what came before invalid JSON in a document, and says the rest was skipped', async () => {
    const file = join(tempDir(), 'cut.json');
    const pretty = JSON.stringify(JSON.parse(await sampleLogs()), null, 2);
    writeFileSync(file, `${pretty.slice(0, pretty.lastIndexOf('"codex.tool_decision"'))}}}}]]]`);
    const { items, stats } = await readItems(file);
    expect(items.length).toBe(2);
    expect(stats.malformedLines).toBe(1);
    expect(stats.malformed[0]!.reason).toMatch(/^not valid JSON .*the rest of the file is skipped$/);
    expect(stats.malformed[0]!.line).toBe(0);
  });

  it('reads JSON lines whose first line is damaged as JSON lines, not as a document', async () => {
    const file = join(tempDir(), 'damaged.jsonl');
    const logs = await sampleLogs();
    writeFileSync(file, `${logs.slice(logs.length / 2)}\n${logs}\n${logs}\n`.replace(/^/, '{"resourceLogs":[{'));
    const { items, stats } = await readItems(file);
    expect(items).toHaveLength(6);
    expect(stats).toMatchObject({ lines: 3, documents: 0, malformedLines: 1 });
    expect(stats.malformed[0]).toMatchObject({ line: 1, reason: 'not JSON' });
  });

  it('counts a document that is not an export request as malformed', async () => {
    const file = join(tempDir(), 'other.json');
    writeFileSync(file, JSON.stringify({ hello: ['world'] }, null, 2));
    const { items, stats } = await readItems(file);
    expect(items).toEqual([]);
    expect(stats.malformed.map((m) => m.reason)).toEqual(['not an OTLP export request (no resourceLogs, resourceSpans or resourceMetrics)']);
  });

  it('drops metrics documents element by element without reading them', async () => {
    const file = join(tempDir(), 'metrics.json');
    writeFileSync(file, JSON.stringify({ resourceMetrics: [{ resource: {}, scopeMetrics: [{ metrics: [{ name: 'codex.tool.call', sum: { dataPoints: [] } }] }] }] }, null, 2));
    const { items, stats } = await readItems(file);
    expect(items).toEqual([]);
    expect(stats.malformedLines).toBe(0);
  });
});
