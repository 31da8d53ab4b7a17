import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { emptyReadStats, readOtlpJsonLogs, type ReadStats } from '../../../src/cli/audit/read-otlp-json.js';
import type { AuditRecord } from '../../../src/cli/audit/otlp-json.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/audit');
/** The hand-made Collector file-exporter sample of real Codex output (see its README for the expected counts). */
export const CODEX_SAMPLE = join(FIXTURES, 'codex-collector-export.jsonl');
export const MALFORMED = join(FIXTURES, 'malformed.jsonl');

export const CONV_A = '0199a213-81c0-7800-8aa1-bbab2a035a53';
export const CONV_B = '0199a2f0-1d2e-7a31-9c44-5e0f6b7c8d9e';
export const CONV_C = '0199a35b-77aa-7c10-8b3e-0a1b2c3d4e5f';
export const CONV_D = '01999a10-0b0b-7d00-a111-222233334444';

/** An io that records what a command prints. */
export function recordingIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), env: {}, isTty: false };
}

/** Reads a whole file through the streaming reader. */
export async function readAll(path: string, stats: ReadStats = emptyReadStats()): Promise<{ records: AuditRecord[]; stats: ReadStats }> {
  const records: AuditRecord[] = [];
  for await (const record of readOtlpJsonLogs(path, stats)) records.push(record);
  return { records, stats };
}

const made: string[] = [];

export function tempDir(prefix = 'codex-otel-audit-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
