import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { emptyReadStats, readOtlpJsonLogs } from '../../../src/cli/audit/read-otlp-json.js';
import { CODEX_SAMPLE, CONV_A, MALFORMED, readAll, tempDir } from './helpers.js';

describe('readOtlpJsonLogs', () => {
  it('streams the Collector file-exporter sample of real Codex output', async () => {
    const { records, stats } = await readAll(CODEX_SAMPLE);
    expect(records).toHaveLength(28);
    expect(stats).toEqual({ files: 1, lines: 6, blankLines: 0, logLines: 5, traceLines: 0, otherSignalLines: 1, documents: 0, malformedLines: 0, malformed: [], records: 28, spans: 0 });
    const first = records[0]!;
    expect(first.name).toBe('codex.conversation_starts');
    expect(first.time).toBe(Date.parse('2025-09-30T10:00:00.000Z'));
    expect(first.attributes['conversation.id']).toBe(CONV_A);
    expect(first.attributes['context_window']).toBe(272000);
    expect(first.resource['service.name']).toBe('codex_cli_rs');
    expect(first.location).toEqual({ file: CODEX_SAMPLE, line: 1 });
    expect(records.every((r) => r.name?.startsWith('codex.'))).toBe(true);
    // no record took its time from observedTimeUnixNano (250 ms later in the sample)
    for (const r of records) expect(r.time).toBe(Date.parse(String(r.attributes['event.timestamp'])));
  });

  it('reads a gzip file by its magic bytes, whatever its name', async () => {
    const dir = tempDir();
    const gz = gzipSync(readFileSync(CODEX_SAMPLE));
    writeFileSync(join(dir, 'logs.jsonl.gz'), gz);
    writeFileSync(join(dir, 'export.jsonl'), gz);
    const plain = await readAll(CODEX_SAMPLE);
    for (const name of ['logs.jsonl.gz', 'export.jsonl']) {
      const { records, stats } = await readAll(join(dir, name));
      expect(stats.records).toBe(28);
      expect(records.map((r) => [r.name, r.time, r.attributes['call_id'] ?? null])).toEqual(plain.records.map((r) => [r.name, r.time, r.attributes['call_id'] ?? null]));
    }
  });

  it('reads concatenated gzip members (appended archives)', async () => {
    const dir = tempDir();
    const text = readFileSync(CODEX_SAMPLE);
    writeFileSync(join(dir, 'both.jsonl.gz'), Buffer.concat([gzipSync(text), gzipSync(text)]));
    const { stats } = await readAll(join(dir, 'both.jsonl.gz'));
    expect(stats.records).toBe(56);
  });

  it('counts malformed lines with their locations and keeps reading', async () => {
    const { records, stats } = await readAll(MALFORMED);
    expect(records.map((r) => r.name)).toEqual(['codex.user_prompt', 'codex.tool_decision']);
    expect(records.map((r) => r.location.line)).toEqual([1, 9]);
    expect(stats.lines).toBe(10);
    expect(stats.blankLines).toBe(1);
    expect(stats.otherSignalLines).toBe(0);
    expect(stats.traceLines).toBe(1);
    expect(stats.logLines).toBe(2);
    expect(stats.malformedLines).toBe(6);
    expect(stats.malformed).toEqual([
      { file: MALFORMED, line: 2, reason: 'not JSON' },
      { file: MALFORMED, line: 3, reason: 'not JSON' },
      { file: MALFORMED, line: 4, reason: 'not an OTLP export request (no resourceLogs, resourceSpans or resourceMetrics)' },
      { file: MALFORMED, line: 5, reason: 'not an OTLP export request (not a JSON object)' },
      { file: MALFORMED, line: 7, reason: 'resourceLogs is not an array' },
    ]);
  });

  it('keeps as many malformed examples as asked, and uses the label in locations', async () => {
    const stats = emptyReadStats();
    for await (const _ of readOtlpJsonLogs(MALFORMED, stats, { label: 'm.jsonl', maxMalformedExamples: 2 })) { /* drain */ }
    expect(stats.malformedLines).toBe(6);
    expect(stats.malformed.map((m) => `${m.file}:${m.line}`)).toEqual(['m.jsonl:2', 'm.jsonl:3']);
  });

  it('handles CRLF line ends, a byte-order mark and a last line without newline', async () => {
    const dir = tempDir();
    const lines = readFileSync(CODEX_SAMPLE, 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'crlf.jsonl'), `\uFEFF${lines.join('\r\n')}`);
    const { stats } = await readAll(join(dir, 'crlf.jsonl'));
    expect(stats).toMatchObject({ lines: 6, malformedLines: 0, records: 28 });
  });

  it('accumulates stats over several files', async () => {
    const stats = emptyReadStats();
    await readAll(CODEX_SAMPLE, stats);
    await readAll(MALFORMED, stats);
    expect(stats).toMatchObject({ files: 2, lines: 16, records: 30, malformedLines: 6 });
  });

  it('rejects a missing file with ENOENT', async () => {
    await expect(readAll(join(tempDir(), 'nope.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('yields what it could read from a truncated gzip file, then rejects', async () => {
    const dir = tempDir();
    const text = readFileSync(CODEX_SAMPLE);
    const gz = gzipSync(Buffer.concat([text, text, text, text]));
    const file = join(dir, 'cut.jsonl.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.9)));
    const seen: string[] = [];
    const stats = emptyReadStats();
    await expect((async () => {
      for await (const record of readOtlpJsonLogs(file, stats)) seen.push(record.name ?? '');
    })()).rejects.toMatchObject({ code: 'Z_BUF_ERROR' });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(4 * 28);
  });

  it('stops reading when the consumer stops early', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.jsonl');
    const line = readFileSync(CODEX_SAMPLE, 'utf8');
    writeFileSync(file, line.repeat(300));
    const stats = emptyReadStats();
    let n = 0;
    for await (const _ of readOtlpJsonLogs(file, stats)) if (++n === 3) break;
    expect(n).toBe(3);
    expect(stats.lines).toBe(1);
  });
});
