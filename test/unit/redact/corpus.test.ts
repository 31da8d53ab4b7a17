import { describe, expect, it } from 'vitest';
import { SECRET_KINDS, createScrubber, outputPreview, scrubThenPreview } from '../../../src/redact/index.js';
import { loadSecretCorpus } from '../../support/secret-corpus.js';

const corpus = loadSecretCorpus();
const scrubber = createScrubber();

describe('the secret corpus', () => {
  it('plants every kind the scrubber knows', () => {
    const planted = new Set(corpus.secrets.map((s) => s.kind));
    // The hand-written documents plant the original 17 kinds; the generated corpus (generated-corpus.test.ts) plants all.
    expect(['private_key', 'jwt', 'github_token', 'url_password', 'assignment'].filter((kind) => !planted.has(kind))).toEqual([]);
    expect(corpus.secrets.length).toBeGreaterThanOrEqual(60);
    expect(corpus.clean.length).toBeGreaterThanOrEqual(10);
  });

  it('removes every planted secret (miss rate 0) and changes nothing else', () => {
    const misses: string[] = [];
    for (const doc of corpus.planted) {
      const scrubbed = scrubber.scrub(doc.text);
      for (const secret of doc.secrets) {
        if (scrubbed.includes(secret.value)) misses.push(`${doc.name}: ${secret.kind} ${JSON.stringify(secret.value.slice(0, 24))}`);
      }
      expect(scrubbed, doc.name).toBe(doc.expected);
      expect(scrubber.lastRedactionCount, doc.name).toBe(doc.secrets.length + doc.overRedactions.length);
    }
    expect(misses).toEqual([]);
  });

  it('leaves ordinary output alone (no false positives)', () => {
    let redactions = 0;
    for (const doc of corpus.clean) {
      const scrubbed = scrubber.scrub(doc.text);
      redactions += scrubber.lastRedactionCount;
      expect(scrubbed, doc.name).toBe(doc.text);
    }
    expect(redactions).toBe(0);
  });

  it('is idempotent: scrubbed output passes a second scrub untouched', () => {
    for (const doc of corpus.planted) {
      const once = scrubber.scrub(doc.text);
      expect(scrubber.scrub(once), doc.name).toBe(once);
      expect(scrubber.lastRedactionCount, doc.name).toBe(0);
    }
  });

  it('keeps planted secrets out of the tool output preview, wherever the cut falls', () => {
    for (const doc of corpus.planted) {
      for (const secret of doc.secrets) {
        // Pad so the preview's 2048-byte cut lands in the middle of the secret.
        const at = doc.text.indexOf(secret.value);
        const padding = 'x'.repeat(Math.max(0, 2048 - at - Math.floor(secret.value.length / 2)));
        const preview = scrubThenPreview(padding + doc.text, scrubber);
        expect(preview, `${doc.name} ${secret.kind}`).toBe(outputPreview(padding + doc.expected));
      }
    }
  });

  it('reports its numbers', () => {
    const cleanLines = corpus.clean.reduce((n, d) => n + d.text.split('\n').length, 0);
    const cleanBytes = corpus.clean.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
    const overRedactions = corpus.planted.reduce((n, d) => n + d.overRedactions.length, 0);
    // Visible in the test output for docs/security.md; nothing is written.
    console.info(
      `secret corpus: ${corpus.secrets.length} planted secrets in ${corpus.planted.length} documents, ` +
        `${new Set(corpus.secrets.map((s) => s.kind)).size} kinds, 0 missed; clean: ${corpus.clean.length} documents, ${cleanLines} lines, ` +
        `${cleanBytes} bytes, 0 redactions; documented over-redactions: ${overRedactions}`,
    );
    expect(overRedactions).toBe(1);
  });
});
