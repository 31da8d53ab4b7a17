/**
 * The committed captures of the real Codex binary: test/fixtures/codex-<version>/<scenario>/
 * {logs,metrics,traces}.json, OTLP/JSON exactly as the binary sent it (nothing normalised).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OtlpJsonDocument } from './capture-receiver.js';

export const FIXTURES_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const SIGNALS = ['logs', 'metrics', 'traces'] as const;
export type CapturedSignal = (typeof SIGNALS)[number];
export type CaptureFiles = Record<CapturedSignal, OtlpJsonDocument>;

export function fixtureFolder(codexVersion: string, scenario: string): string {
  return path.join(FIXTURES_ROOT, `codex-${codexVersion}`, scenario);
}

export async function writeCaptureFixture(codexVersion: string, scenario: string, files: CaptureFiles): Promise<string> {
  const folder = fixtureFolder(codexVersion, scenario);
  await mkdir(folder, { recursive: true });
  for (const signal of SIGNALS) await writeFile(path.join(folder, `${signal}.json`), `${JSON.stringify(files[signal], null, 2)}\n`);
  return folder;
}

export async function readCaptureFixture(codexVersion: string, scenario: string): Promise<CaptureFiles> {
  const folder = fixtureFolder(codexVersion, scenario);
  const read = async (signal: CapturedSignal) => JSON.parse(await readFile(path.join(folder, `${signal}.json`), 'utf8')) as OtlpJsonDocument;
  return { logs: await read('logs'), metrics: await read('metrics'), traces: await read('traces') };
}
