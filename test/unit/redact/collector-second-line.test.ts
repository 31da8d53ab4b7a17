/**
 * The Collector's second line (collector/secrets.yaml) run by Go's own regexp engine, the one inside the
 * real Collector: every pattern must compile, and on the generated corpus in raw Codex-style form
 * (arguments as the JSON text Codex sends, output as the tool printed it, endpoints as configured) no
 * planted secret may get through. The differences from the client (which parses JSON and filters code
 * and references) are measured, not assumed.
 *
 * Set CODEX_OTEL_SECRET_REPLAY=<file> to also write the documents as an OTLP/JSON logs request
 * (`<file>`, POST it to a Collector's /v1/logs) and what must not come out of it (`<file>.needles.json`):
 * scripts/write-secret-replay.sh does that.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PATTERNS } from '../../../src/redact/index.js';
import { loadCollectorSecretRules } from '../../support/collector-secret-rules.js';
import { generateSecretCorpus } from '../../support/generated-secret-corpus.js';
import { channelScrubbers, leaks } from '../../support/secret-channels.js';
import { otlpReplay, replayDocuments, type CollectorChannel } from '../../support/secret-replay.js';

const corpus = generateSecretCorpus();
const rules = loadCollectorSecretRules();
const client = channelScrubbers();
const CLIENT_OF: Record<CollectorChannel, (text: string) => string> = {
  arguments: client.arguments_json,
  output: client.output,
  endpoint: client.endpoint,
};

function findGo(): string {
  for (const candidate of [process.env['GO'], 'go', '/usr/local/go/bin/go']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('Go is needed to run the Collector rules with Go regexp (set GO=/path/to/go)');
}

interface GoResult {
  goVersion: string;
  compiled: number;
  compileErrors: Array<{ source: string; error: string }>;
  results: Array<{ id: string; transformed: string; redacted: string; masked: number }>;
}

describe('the Collector second line, in Go regexp', () => {
  const docs = replayDocuments(corpus);
  let dir: string;
  let go: GoResult;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-otel-second-line-'));
    const input = join(dir, 'input.json');
    const output = join(dir, 'output.json');
    writeFileSync(input, JSON.stringify({
      rules: rules.bodyRules,
      blocked: rules.blocked,
      documents: docs.map((d) => ({ id: d.id, text: d.text })),
    }));
    const program = fileURLToPath(new URL('../../collector-second-line/main.go', import.meta.url));
    const run = spawnSync('nice', ['-n', '10', findGo(), 'run', program, input, output], {
      encoding: 'utf8',
      timeout: 300_000,
      // Stdlib only: no module download, no toolchain switch.
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    });
    if (run.status !== 0) throw new Error(`go run failed (${run.status}): ${run.stderr}`);
    go = JSON.parse(readFileSync(output, 'utf8')) as GoResult;
    const replay = process.env['CODEX_OTEL_SECRET_REPLAY'];
    if (replay) {
      writeFileSync(replay, JSON.stringify(otlpReplay(docs)));
      writeFileSync(`${replay}.needles.json`, JSON.stringify(docs.map(({ id, channel, kind, needles }) => ({ call_id: id, channel, kind, needles })), null, 1));
      console.info(`wrote ${docs.length} replay records to ${replay} and their needles to ${replay}.needles.json`);
    }
  }, 320_000);
  afterAll(() => {
    if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it('compiles every pattern of collector/secrets.yaml with Go regexp (transform rules and blocked values)', () => {
    expect(go.compileErrors).toEqual([]);
    expect(go.compiled).toBe(rules.bodyRules.length + rules.blocked.length);
    expect(rules.bodyRules.length).toBe(SECRET_PATTERNS.length);
    expect(go.goVersion).toMatch(/^go1\./);
  });

  it('lets no planted secret through in raw Codex-style arguments, output and endpoints', () => {
    const byId = new Map(go.results.map((r) => [r.id, r]));
    const counts: Record<CollectorChannel, { planted: number; transformMissed: number; redactionMissed: number; clientMissed: number; benign: number; collectorFp: number; clientFp: number; differs: number }> = {
      arguments: { planted: 0, transformMissed: 0, redactionMissed: 0, clientMissed: 0, benign: 0, collectorFp: 0, clientFp: 0, differs: 0 },
      output: { planted: 0, transformMissed: 0, redactionMissed: 0, clientMissed: 0, benign: 0, collectorFp: 0, clientFp: 0, differs: 0 },
      endpoint: { planted: 0, transformMissed: 0, redactionMissed: 0, clientMissed: 0, benign: 0, collectorFp: 0, clientFp: 0, differs: 0 },
    };
    const misses: string[] = [];
    const falsePositives: string[] = [];
    for (const doc of docs) {
      const result = byId.get(doc.id)!;
      const fromClient = CLIENT_OF[doc.channel](doc.text);
      const c = counts[doc.channel];
      if (doc.needles.length > 0) {
        c.planted++;
        if (leaks(doc.needles, result.transformed)) c.transformMissed++;
        if (leaks(doc.needles, result.redacted)) {
          c.redactionMissed++;
          misses.push(`${doc.id} ${doc.kind}: ${result.redacted.slice(0, 200)}`);
        }
        if (leaks(doc.needles, fromClient)) c.clientMissed++;
        const clientPreviewed = doc.channel === 'output' ? fromClient : fromClient;
        if (clientPreviewed !== result.transformed) c.differs++;
      } else {
        c.benign++;
        if (result.redacted !== doc.text) {
          c.collectorFp++;
          falsePositives.push(`${doc.channel} ${doc.kind}: ${result.transformed.slice(0, 160)}`);
        }
        if (fromClient !== doc.text) c.clientFp++;
      }
    }
    for (const [channel, c] of Object.entries(counts)) {
      console.info(`second line, ${channel}: planted ${c.planted}, missed by transform ${c.transformMissed}, by transform+redaction ${c.redactionMissed} ` +
        `(client ${c.clientMissed}); output differs from the client's on ${c.differs}; benign ${c.benign}, changed by the Collector ${c.collectorFp} (client ${c.clientFp})`);
    }
    console.info(`second line false positives (the client's code/reference filters and JSON parsing, which RE2 rules cannot run):\n  ${[...new Set(falsePositives.map((f) => f.split(':')[0]))].join('\n  ')}`);
    expect(misses).toEqual([]);
    expect(counts.arguments.planted + counts.output.planted).toBeGreaterThan(1000);
  });

  it('the redaction processor finds nothing the transform left, on benign and planted text alike, except where the transform had nothing to do', () => {
    for (const result of go.results) {
      const doc = docs.find((d) => d.id === result.id)!;
      // After the transform, no rule matches again: the masked count only ever signals a real miss.
      if (doc.needles.length > 0) expect(result.masked, `${doc.id} ${doc.kind}: ${result.transformed} -> ${result.redacted}`).toBe(0);
    }
  });
});
