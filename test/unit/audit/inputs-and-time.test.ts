import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandAuditInputs, isDataFileName, orderLogFileNames } from '../../../src/cli/audit/inputs.js';
import { parseTimeBound } from '../../../src/cli/audit/time-bound.js';
import { tempDir } from './helpers.js';

const NOW = Date.parse('2025-09-30T13:00:00Z');

describe('parseTimeBound', () => {
  it('reads RFC 3339 times with Z, offsets and fractions', () => {
    expect(parseTimeBound('2025-09-30T10:00:00Z', NOW)).toEqual({ ok: true, millis: Date.parse('2025-09-30T10:00:00Z') });
    expect(parseTimeBound('2025-09-30T12:00:00.5+02:00', NOW)).toEqual({ ok: true, millis: Date.parse('2025-09-30T10:00:00.500Z') });
    expect(parseTimeBound('2025-09-30t10:00:00z', NOW)).toEqual({ ok: true, millis: Date.parse('2025-09-30T10:00:00Z') });
    expect(parseTimeBound('2025-09-30 10:00:00Z', NOW)).toEqual({ ok: true, millis: Date.parse('2025-09-30T10:00:00Z') });
  });

  it('reads a bare date as midnight UTC', () => {
    expect(parseTimeBound('2025-09-30', NOW)).toEqual({ ok: true, millis: Date.parse('2025-09-30T00:00:00Z') });
  });

  it('reads durations back from now', () => {
    expect(parseTimeBound('24h', NOW)).toEqual({ ok: true, millis: NOW - 86_400_000 });
    expect(parseTimeBound('7d', NOW)).toEqual({ ok: true, millis: NOW - 7 * 86_400_000 });
    expect(parseTimeBound('30m', NOW)).toEqual({ ok: true, millis: NOW - 1_800_000 });
    expect(parseTimeBound('1h30m', NOW)).toEqual({ ok: true, millis: NOW - 5_400_000 });
    expect(parseTimeBound('90s', NOW)).toEqual({ ok: true, millis: NOW - 90_000 });
    expect(parseTimeBound('2w', NOW)).toEqual({ ok: true, millis: NOW - 14 * 86_400_000 });
  });

  it('rejects anything else with a message that shows the forms', () => {
    for (const bad of ['yesterday', '', '24', 'h', '-1h', '1.5h', '2025-13-01T00:00:00Z', '2025-02-30', '2025-09-30T10:00:00', '2025-09-30T25:00:00Z', '1y']) {
      const result = parseTimeBound(bad, NOW);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.message).toContain('24h');
    }
  });
});

describe('audit inputs', () => {
  it('orders rotated files oldest first', () => {
    expect(orderLogFileNames(['logs.jsonl', 'logs.1.jsonl', 'logs.10.jsonl', 'logs.2.jsonl.gz', 'codex.jsonl'])).toEqual([
      'codex.jsonl', 'logs.10.jsonl', 'logs.2.jsonl.gz', 'logs.1.jsonl', 'logs.jsonl',
    ]);
  });

  it('includes *.json, *.jsonl and *.ndjson, plain or .gz, traces files too; not metrics files', () => {
    expect(['logs.jsonl', 'logs.3.jsonl', 'logs.jsonl.gz', 'export.JSONL', 'metrics.jsonl', 'metrics.1.jsonl', 'metrics.json', 'traces.jsonl', 'traces.json.gz', 'notes.txt', 'logs.json', 'a.ndjson', 'x.gz'].filter(isDataFileName))
      .toEqual(['logs.jsonl', 'logs.3.jsonl', 'logs.jsonl.gz', 'export.JSONL', 'traces.jsonl', 'traces.json.gz', 'logs.json', 'a.ndjson']);
  });

  it('expands directories recursively, keeps files as given, skips duplicates and names what is missing', async () => {
    const dir = tempDir();
    for (const name of ['logs.jsonl', 'logs.1.jsonl', 'metrics.jsonl', 'readme.txt']) writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, 'sub.jsonl'));
    writeFileSync(join(dir, 'sub.jsonl', 'traces.json'), '');
    mkdirSync(join(dir, 'a', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'a', 'deeper', 'logs.json.gz'), '');
    symlinkSync(dir, join(dir, 'a', 'loop'));
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const result = await expandAuditInputs([dir, join(dir, 'logs.jsonl'), join(dir, 'readme.txt'), join(dir, 'gone.jsonl'), empty]);
    expect(result.files).toEqual([
      join(dir, 'logs.1.jsonl'), join(dir, 'logs.jsonl'), join(dir, 'a', 'deeper', 'logs.json.gz'), join(dir, 'sub.jsonl', 'traces.json'), join(dir, 'readme.txt'),
    ]);
    expect(result.errors).toEqual([
      `${join(dir, 'gone.jsonl')}: no such file or directory`,
      `${empty}: no OTLP/JSON files (*.json, *.jsonl, *.ndjson, optionally .gz) in this directory or below`,
    ]);
  });
});
