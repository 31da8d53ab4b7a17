/**
 * Previews that are not JSON (a document cut by the preview, JSON a tool printed) from writers that
 * spell characters as `\uXXXX` (`\u0022`, `\u003d`, `\u003a`, `\u00a0`, `\uff1d`, whole values): the
 * free-text rules run on the decoded text, and the output keeps the input's bytes wherever nothing matched.
 */
import { describe, expect, it } from 'vitest';
import { createScrubber, scrubStructured } from '../../../src/redact/index.js';
import { generateSecretCorpus, UESCAPE_STYLES } from '../../support/generated-secret-corpus.js';
import { channelScrubbers, leaks, measureChannels } from '../../support/secret-channels.js';

const scrubber = createScrubber();
const scrubbers = channelScrubbers();

describe('the uescaped encoding', () => {
  it('is in the corpus for every planted secret, in every style, and is not JSON', () => {
    const corpus = generateSecretCorpus();
    let escaped = 0;
    for (const secret of corpus.planted) {
      if (/\\u[0-9a-fA-F]{4}/.test(secret.texts.uescaped)) escaped++;
      expect(() => JSON.parse(secret.texts.uescaped)).toThrow();
    }
    // A few texts have nothing a style escapes (`machine h login u password x` in the .NET style).
    expect(escaped).toBeGreaterThanOrEqual(corpus.planted.length * 0.95);
    expect(UESCAPE_STYLES.length).toBeGreaterThanOrEqual(3);
  });

  it('lets no planted secret through any free-text channel, and changes no benign look-alike, on several seeds', () => {
    const misses: string[] = [];
    const falsePositives: string[] = [];
    for (const seed of [undefined, 1, 2, 3, 11]) {
      const corpus = generateSecretCorpus(seed);
      for (const r of measureChannels(corpus, scrubbers)) {
        misses.push(...r.missedKinds.filter((k) => k.includes('/uescaped:')).map((k) => `seed ${seed} ${r.channel} ${k}`));
        falsePositives.push(...r.falsePositiveKinds.filter((k) => k.includes('/uescaped:')).map((k) => `seed ${seed} ${r.channel} ${k}`));
      }
    }
    expect(misses).toEqual([]);
    expect(falsePositives).toEqual([]);
  });
});

describe('escaped separators and quotes in cut previews', () => {
  const cases: Array<[string, string]> = [
    [String.raw`{"body":"{\u0022password\u0022\u003a\u0020\u0022hunter2-Xq9vLm7Rt\u0022, \u0022user`, 'hunter2-Xq9vLm7Rt'],
    [String.raw`"password"\u003a\u0020"hunter2-Xq9vLm7Rt"`, 'hunter2-Xq9vLm7Rt'],
    [String.raw`API_KEY\uff1dZr8mQw2LpX7vTn4K and more`, 'Zr8mQw2LpX7vTn4K'],
    [String.raw`{"out":"DB_PASSWORD\u00a0=\u00a0Pq7Lm2Zx9Vb4Nc and the rest`, 'Pq7Lm2Zx9Vb4Nc'],
    [String.raw`export DB_PASSWORD\u003d\u0027Pq7Lm2Zx9Vb4Nc\u0027; make`, 'Pq7Lm2Zx9Vb4Nc'],
    [String.raw`{"cmd":"export X_TOKEN\\u003d\\u0022Pq7Lm2Zx9Vb4NcWq\\u0022 && run`, 'Pq7Lm2Zx9Vb4NcWq'],
    [String.raw`{"cmd":"echo \u0067\u0068\u0070\u005f` + [...'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('') + ' and', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'],
  ];

  it.each(cases)('%s', (text, secret) => {
    const out = scrubber.scrub(text);
    expect(leaks([secret], out), out).toBe(false);
    expect(out).toContain('[REDACTED:');
    expect(scrubStructured(text, scrubber)).toBe(out);
    // Idempotent, and the kept context keeps its escapes.
    expect(scrubber.scrub(out)).toBe(out);
  });

  it('keeps the bytes of everything that did not match, escapes included', () => {
    const text = String.raw`{"msg":"caf\u00e9 \ud83d\ude00 \ud800 \u005cu0022 password\u003a\u0020\u0022Pq7Lm2Zx9Vb4Nc\u0022, next\u003a \u00e9t\u00e9`;
    const out = scrubber.scrub(text);
    expect(out).toBe(String.raw`{"msg":"caf\u00e9 \ud83d\ude00 \ud800 \u005cu0022 password\u003a\u0020\u0022[REDACTED:assignment]\u0022, next\u003a \u00e9t\u00e9`);
  });

  it('maps redactions across surrogate pairs, several per text, side by side', () => {
    const text = String.raw`x \ud83d\ude00 token\u003d\ud83d\ude00Zr8mQw2LpX7vTn4K\u00e9 and GITHUB_TOKEN\u003d\u0027ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5\u0027\u0020API_KEY\uff1dPq7Lm2Zx9Vb4Nc`;
    const out = scrubber.scrub(text);
    expect(out).toBe(String.raw`x \ud83d\ude00 token\u003d[REDACTED:assignment] and GITHUB_TOKEN\u003d\u0027[REDACTED:github_token]\u0027\u0020API_KEY\uff1d[REDACTED:assignment]`);
    expect(scrubber.lastRedactionCount).toBe(3);
  });

  it('returns the very same string when nothing matches', () => {
    const text = String.raw`{"msg":"caf\u00e9 max_tokens\u003d4096 \u0022ok\u0022`;
    expect(scrubber.scrub(text)).toBe(text);
    expect(scrubber.lastRedactionCount).toBe(0);
  });
});
