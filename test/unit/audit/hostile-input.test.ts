import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { runAudit, type AuditProgress } from '../../../src/cli/audit/command.js';
import { csvField } from '../../../src/cli/audit/format.js';
import { emptyReadStats, readOtlpJson } from '../../../src/cli/audit/read-otlp-json.js';
import { brokenLimit, DEFAULT_DECOMPRESSION_LIMITS, parseByteSize } from '../../../src/cli/audit/source.js';
import { CODEX_SAMPLE, recordingIo, tempDir } from './helpers.js';
import { common, sdkLogsJson } from './sdk-otlp.js';

const T = Date.parse('2026-12-01T10:00:00.000Z');
const MiB = 1024 * 1024;

async function audit(...argv: string[]) {
  const io = recordingIo();
  const code = await main(['audit', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

/**
 * A decompression bomb: 32 gzip members of 64 MiB of zeros each (gzip reads concatenated members as
 * one stream): about 2 MB on disk, 2 GiB decompressed. Compressing 64 MiB once keeps the test fast.
 */
function writeBomb(file: string): number {
  const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
  writeFileSync(file, Buffer.concat(Array.from({ length: 32 }, () => member)));
  return statSync(file).size;
}

describe('bounded decompression', () => {
  it('refuses a 2 MB gzip that expands to 2 GiB after reading a small part of it, with a clear message', async () => {
    const dir = tempDir();
    const bomb = join(dir, 'bomb.jsonl.gz');
    const size = writeBomb(bomb);
    expect(size).toBeGreaterThan(1.5 * MiB);
    expect(size).toBeLessThan(3 * MiB);
    const progress: AuditProgress[] = [];
    const io = recordingIo();
    const code = await runAudit({ paths: [bomb, CODEX_SAMPLE], format: 'json', onProgress: (p) => progress.push(p) }, io);
    expect(code).toBe(2);
    expect(io.stderr[0]).toMatch(new RegExp(`^audit: ${bomb}: refused: gzip data expands more than 200× .*--max-compression-ratio`));
    // Stopped early: far less than the file was read from disk before the refusal.
    const bombBytes = Math.max(...progress.filter((p) => p.file === bomb).map((p) => p.bytesRead));
    expect(bombBytes).toBeLessThan(size / 4);
    // The other file is still reported, the refused one is listed as an error.
    const report = JSON.parse(io.stdout.join('\n')) as { events: number; input: { errors: string[]; files: string[] } };
    expect(report.events).toBe(28);
    expect(report.input.files).toEqual([CODEX_SAMPLE]);
    expect(report.input.errors).toHaveLength(1);
  });

  it('prints no report when the only file is refused', async () => {
    const bomb = join(tempDir(), 'bomb.gz');
    writeBomb(bomb);
    const { code, out, err } = await audit(bomb);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/refused: gzip data expands more than 200×[^\n]*\naudit: no file could be read; no report$/);
  });

  it('refuses a file beyond --max-decompressed-size, and accepts it with a larger one', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.jsonl.gz');
    const line = readFileSync(CODEX_SAMPLE, 'utf8');
    writeFileSync(file, gzipSync(line.repeat(Math.ceil((2 * MiB) / line.length))));
    const small = await audit('--format', 'json', '--max-decompressed-size', '1MiB', file);
    expect(small.code).toBe(2);
    expect(small.err).toContain(`audit: ${file}: refused: gzip data expands beyond 1 MiB (limit --max-decompressed-size)`);
    const large = await audit('--format', 'json', '--max-decompressed-size', '8MiB', file);
    expect(large.code).toBe(0);
  });

  it('checks the ratio only past a grace size, so small well-compressed files pass', () => {
    const limits = DEFAULT_DECOMPRESSION_LIMITS;
    expect(brokenLimit(limits.ratioGraceBytes, 1, limits)).toBeNull();
    expect(brokenLimit(limits.ratioGraceBytes + 1, 1, limits)).toMatch(/more than 200×/);
    expect(brokenLimit(100 * MiB, MiB, limits)).toBeNull();
    expect(brokenLimit(limits.maxDecompressedBytes + 1, limits.maxDecompressedBytes, limits)).toMatch(/beyond 8 GiB/);
  });

  it('rejects a limit that is not a size or a ratio as a usage error', async () => {
    expect(parseByteSize('512MiB')).toBe(512 * MiB);
    expect(parseByteSize('2g')).toBe(2 * 1024 * MiB);
    expect(parseByteSize('1048576')).toBe(MiB);
    expect(parseByteSize('lots')).toBeNull();
    const size = await audit('--max-decompressed-size', 'lots', CODEX_SAMPLE);
    expect(size).toMatchObject({ code: 2, out: '' });
    expect(size.err).toContain('--max-decompressed-size: expected a size');
    const ratio = await audit('--max-compression-ratio', '0', CODEX_SAMPLE);
    expect(ratio).toMatchObject({ code: 2, out: '' });
  });
});

describe('bounded memory', () => {
  it('skips a line longer than the record limit without holding it, and keeps reading', async () => {
    const file = join(tempDir(), 'long.jsonl');
    const good = await sdkLogsJson([{ attributes: { 'event.name': 'codex.user_prompt', prompt_length: '3', ...common('c', 'codex_exec', null, T) } }]);
    writeFileSync(file, `${good}\n{"resourceLogs":[${'x'.repeat(5000)}]}\n${good}\n`);
    const stats = emptyReadStats();
    let records = 0;
    for await (const _ of readOtlpJson(file, stats, { maxRecordBytes: 4096 })) records++;
    expect(records).toBe(2);
    expect(stats.malformed).toEqual([{ file, line: 2, reason: 'line longer than 4096 bytes (limit of one record), skipped' }]);
  });

  it('stops a whole document at a single value larger than the record limit', async () => {
    const file = join(tempDir(), 'huge.json');
    const record = { attributes: [{ key: 'event.name', value: { stringValue: 'codex.tool_result' } }, { key: 'output', value: { stringValue: 'y'.repeat(300_000) } }] };
    writeFileSync(file, `{\n  "resourceLogs": [{ "scopeLogs": [{ "logRecords": [${JSON.stringify(record)}] }] }]\n}\n`);
    const stats = emptyReadStats();
    let records = 0;
    for await (const _ of readOtlpJson(file, stats, { maxRecordBytes: 100_000 })) records++;
    expect(records).toBe(0);
    expect(stats.malformed[0]?.reason).toBe('a single value larger than 100000 bytes (limit of one record); the rest of the file is skipped');
  });
});

describe('missing paths', () => {
  it('are said to be missing before anything is read or printed, exit 2', async () => {
    const missing = join(tempDir(), 'gone');
    const { code, out, err } = await audit(CODEX_SAMPLE, missing);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`audit: ${missing}: no such file or directory\naudit: nothing was read; no report`);
  });

  it('the same for every format, and for a folder with nothing to read', async () => {
    const empty = tempDir();
    writeFileSync(join(empty, 'notes.txt'), 'x');
    for (const format of ['table', 'csv', 'html']) {
      const { code, out, err } = await audit('--format', format, empty);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(`audit: ${empty}: no OTLP/JSON files`);
    }
  });

  it('under --json are a JSON refusal on stdout, not a report', async () => {
    const missing = join(tempDir(), 'gone');
    for (const flags of [['--json'], ['--format', 'json']]) {
      const { code, out, err } = await audit(...flags, missing);
      expect(code).toBe(2);
      expect(JSON.parse(out)).toEqual({ ok: false, error: 'nothing was read; no report', errors: [`${missing}: no such file or directory`] });
      expect(err).toContain(`audit: ${missing}: no such file or directory`);
    }
    const usage = await audit('--json', '--since', 'soon', CODEX_SAMPLE);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.out)).toMatchObject({ ok: false, error: expect.stringContaining('--since') });
  });
});

describe('CSV injection (OWASP)', () => {
  it('prefixes a quote to text cells starting with = + - @ tab or CR, and quotes every text cell', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe(`"'+1"`);
    expect(csvField('-2+3')).toBe(`"'-2+3"`);
    expect(csvField('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvField('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvField('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvField('shell')).toBe('"shell"');
    expect(csvField('a,=b')).toBe('"a,=b"');
    expect(csvField(42)).toBe('42');
    expect(csvField(null)).toBe('');
  });

  it('neutralises hostile attribute values in every section of a real audit', async () => {
    const hostile = ['=cmd|\' /C calc\'!A0', '+SUM(1)', '-1+1', '@import', '\tx', '\rx'];
    const file = join(tempDir(), 'hostile.jsonl');
    writeFileSync(file, `${await sdkLogsJson(hostile.map((value, i) => ({
      attributes: { 'event.name': 'codex.tool_decision', tool_name: value, call_id: `c${i}`, decision: 'denied', source: value, ...common(value, value, value, T + i) },
    })))}\n`);
    const { code, out } = await audit('--format', 'csv', file);
    expect(code).toBe(0);
    const cells = parseCsv(out);
    const dangerous = cells.filter((cell) => /^[=+\-@\t\r]/.test(cell));
    expect(dangerous).toEqual([]);
    for (const value of hostile) expect(cells).toContain(`'${value}`);
  });
});

/** RFC 4180 cells of a CSV text (sections and blank lines included), for the assertions above. */
function parseCsv(text: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') { value += '"'; i += 2; continue; }
        if (text[i] === '"') { i++; break; }
        value += text[i++];
      }
      cells.push(value);
    } else {
      let value = '';
      while (i < text.length && text[i] !== ',' && text[i] !== '\n') value += text[i++];
      cells.push(value);
    }
    if (text[i] === ',' || text[i] === '\n') i++;
  }
  return cells;
}
