/** The README's compatibility table is the rendering of deliberate-differences.json, never hand-edited. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { readDifferences } from './deliberate-differences.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('README.md compatibility table is up to date (npm run readme:compat)', async () => {
  await expect(promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'readme-compat-table.mjs'), '--check'], { cwd: root }))
    .resolves.toBeDefined();
});

test('every deliberate difference is described in full, once', () => {
  const rows = readDifferences();
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  for (const row of rows) for (const field of ['topic', 'codex', 'ours', 'why'] as const) expect(row[field].length, `${row.id}.${field}`).toBeGreaterThan(0);
});
