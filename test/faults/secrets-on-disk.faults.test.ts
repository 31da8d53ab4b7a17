/**
 * Scrubbing runs when a batch leaves the in-memory queue (src/redact/deferred.ts): raw text must never
 * reach the disk. With the collector down the records go to the spool; with file output to JSON lines;
 * and at any moment between emit and export (a crash), what is on disk holds no planted value.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/index.js';
import { generateSecretCorpus } from '../support/generated-secret-corpus.js';
import { closedPort } from '../support/otlp-receiver.js';
import { faultToml, startFaultTelemetry, tempDir } from './support.js';

const corpus = generateSecretCorpus();
const needles = [...new Set(corpus.planted.flatMap((s) => s.needles.flatMap((n) => [n, JSON.stringify(n).slice(1, -1)])))].map((n) => Buffer.from(n));

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function leaksIn(dir: string): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(needle)) found.push(`${file}: ${needle.toString().slice(0, 24)}`);
  }
  return found;
}

let refused: string;
const dir = tempDir('codex-otel-secrets-disk-');
beforeAll(async () => {
  refused = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(() => dir.remove());

describe('raw text never reaches the disk', () => {
  it('spool (collector down): every record spooled, no planted value in any spool byte', async () => {
    const spoolDir = join(dir.path, 'spool');
    const fileDir = join(dir.path, 'file');
    const toml = `${faultToml({ target: refused, spoolDir, shutdownMs: 30_000, batchSize: 64, delayMs: 10 })}file = { directory = "${fileDir}" }\n`;
    const parsed = parseConfigText(toml, { env: {}, baseDir: process.cwd() });
    expect(parsed.errors).toEqual([]);
    const telemetry = startFaultTelemetry(parsed.config!, { delivery: { retry: { maxAttempts: 1 } } });
    const session = telemetry.startSession({ conversationId: 'disk-1', model: 'gpt-5' });
    for (const secret of corpus.planted) {
      session.toolResult({ toolName: 'shell', callId: secret.kind, arguments: secret.texts.json, durationMs: 1, success: false, output: secret.texts.raw });
      session.apiRequest({ attempt: 0, durationMs: 1, status: 500, error: secret.texts.cut });
    }
    // A crash now: the queue is in memory, and whatever the disk holds already must be clean.
    expect(leaksIn(dir.path)).toEqual([]);
    const result = await telemetry.shutdown();
    expect(result.delivery!.spooled).toBe(2 * corpus.planted.length);
    expect(filesUnder(spoolDir).length).toBeGreaterThan(0);
    expect(filesUnder(fileDir).length).toBeGreaterThan(0);
    expect(leaksIn(spoolDir)).toEqual([]);
    expect(leaksIn(fileDir)).toEqual([]);
    // And they are the scrubbed records, not empty ones.
    const spooled = filesUnder(spoolDir).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(spooled).toContain('[REDACTED:');
    expect(filesUnder(fileDir).map((f) => readFileSync(f, 'utf8')).join('\n')).toContain('[REDACTED:');
  }, 60_000);
});
