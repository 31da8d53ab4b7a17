/**
 * The generated corpus (test/support/generated-secret-corpus.ts) through every channel a secret can leave
 * by, with the exact settle-time scrub of each field; and secretlint's recommended rules as an independent
 * oracle: whatever it flags in a corpus document, the scrubber removes.
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENCODINGS, PLANTED_PER_KIND, generateSecretCorpus } from '../../support/generated-secret-corpus.js';
import { CHANNELS, channelScrubbers, measureChannels, plantedKinds, type ChannelResult } from '../../support/secret-channels.js';

const corpus = generateSecretCorpus();
const scrubbers = channelScrubbers();

async function secretlintFindings(content: string): Promise<string[]> {
  const result = await lintSource({
    source: { filePath: '/corpus/document.txt', content, contentType: 'text' },
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] }, maskSecrets: false },
  });
  return result.messages.map((m) => content.slice(m.range[0], m.range[1]));
}

describe('the generated secret corpus', () => {
  it('is large and broad enough: ≥300 planted secrets, ≥40 kinds, 5 encodings each, ≥300 benign look-alikes', () => {
    expect(corpus.planted.length).toBeGreaterThanOrEqual(300);
    expect(plantedKinds(corpus).length).toBeGreaterThanOrEqual(40);
    for (const secret of corpus.planted) {
      expect(Object.keys(secret.texts).sort()).toEqual([...ENCODINGS].sort());
      for (const encoding of ENCODINGS) expect(secret.texts[encoding].length).toBeGreaterThan(0);
      // The cut really is a cut: not valid JSON.
      expect(() => JSON.parse(secret.texts.cut)).toThrow();
      expect(JSON.parse(secret.texts.json)).toHaveProperty('command');
    }
    expect(corpus.benign.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.planted.map((s) => s.value)).size).toBe(corpus.planted.length);
    expect(PLANTED_PER_KIND).toBeGreaterThanOrEqual(4);
  });

  it('is generated, not stored: the same seed gives the same corpus, another seed other values', () => {
    expect(generateSecretCorpus().planted.map((s) => s.value)).toEqual(corpus.planted.map((s) => s.value));
    expect(generateSecretCorpus(7).planted[0]!.value).not.toBe(corpus.planted[0]!.value);
  });
});

describe('every channel', () => {
  let results: ChannelResult[];
  beforeAll(() => {
    results = measureChannels(corpus, scrubbers);
    // For docs/security.md: the per-channel table.
    console.info(`generated corpus: ${corpus.planted.length} planted secrets, ${plantedKinds(corpus).length} kinds, ` +
      `${ENCODINGS.length} encodings; ${corpus.benign.length} benign documents; ${corpus.endpoints.length} endpoints`);
    for (const r of results) console.info(`  ${r.channel}: missed ${r.missed}/${r.planted}, false positives ${r.falsePositives}/${r.benign}`);
  });

  it.each(CHANNELS.map((c) => [c]))('%s: no planted secret gets through', (channel) => {
    const result = results.find((r) => r.channel === channel)!;
    expect(result.planted).toBeGreaterThan(0);
    expect(result.missedKinds).toEqual([]);
  });

  it.each(CHANNELS.map((c) => [c]))('%s: benign look-alikes come out byte for byte', (channel) => {
    const result = results.find((r) => r.channel === channel)!;
    expect(result.benign).toBeGreaterThan(0);
    expect(result.falsePositiveKinds).toEqual([]);
  });

  it('holds on other seeds too (other values in the same shapes): no miss, no false positive', () => {
    for (const seed of [1, 2, 3]) {
      for (const r of measureChannels(generateSecretCorpus(seed), scrubbers)) {
        expect([...r.missedKinds, ...r.falsePositiveKinds], `seed ${seed} ${r.channel}`).toEqual([]);
      }
    }
  });

  it('is idempotent: a scrubbed text passes every channel again unchanged', () => {
    for (const secret of corpus.planted) {
      for (const encoding of ENCODINGS) {
        for (const channel of ['arguments_json', 'error'] as const) {
          const once = scrubbers[channel](secret.texts[encoding]);
          expect(scrubbers[channel](once), `${secret.kind}/${encoding}/${channel}`).toBe(once);
        }
      }
    }
  });

  it('arguments as JSON: unchanged where nothing matched, whitespace and escapes included', () => {
    const scrub = scrubbers.arguments_json;
    for (const text of ['{ "cmd" : [ "ls", "-la" ] ,\n  "workdir":"/tmp/\\u00e9t\\u00e9", "n": 1.50e3 }', '[]', '{"a":{"b":[true,false,null]}}']) {
      expect(scrub(text)).toBe(text);
    }
    const changed = scrub('{ "cmd" : "export DB_PASSWORD=\\"x1\\"" ,  "note":"caf\\u00e9" }');
    expect(changed).toBe('{ "cmd" : "export DB_PASSWORD=\\"[REDACTED:assignment]\\"" ,  "note":"caf\\u00e9" }');
  });
});

describe('secretlint as an independent oracle', () => {
  it('whatever secretlint flags in a corpus document, the scrubber removes', async () => {
    const scrub = scrubbers.output;
    const documents = [
      ...corpus.planted.flatMap((s) => ENCODINGS.map((e) => ({ name: `${s.kind}#${s.context}/${e}`, text: s.texts[e] }))),
      ...corpus.benign.map((d) => ({ name: `benign ${d.kind}`, text: d.text })),
      ...corpus.endpoints.map((d) => ({ name: d.kind, text: d.url })),
    ];
    let findings = 0;
    let flaggedPlanted = 0;
    let flaggedBenign = 0;
    const disagreements: string[] = [];
    for (const doc of documents) {
      const flagged = await secretlintFindings(doc.text);
      if (flagged.length === 0) continue;
      findings += flagged.length;
      if (doc.name.startsWith('benign')) flaggedBenign++;
      else flaggedPlanted++;
      const out = scrub(doc.text);
      for (const text of flagged) if (out.includes(text)) disagreements.push(`${doc.name}: secretlint flags ${JSON.stringify(text)}, still in ${JSON.stringify(out.slice(0, 200))}`);
    }
    console.info(`secretlint 10.2.2 (recommended preset): ${findings} findings in ${flaggedPlanted} of ${documents.length - corpus.benign.length} planted/endpoint documents ` +
      `and ${flaggedBenign} of ${corpus.benign.length} benign ones; scrubber agrees on ${findings - disagreements.length}/${findings}`);
    expect(findings).toBeGreaterThan(50);
    expect(disagreements).toEqual([]);
  }, 120_000);

  it('flags a planted secret the oracle knows, in each kind it covers (the oracle is not vacuous)', async () => {
    const covered = new Set<string>();
    for (const secret of corpus.planted) {
      if (secret.context !== 0) continue;
      if ((await secretlintFindings(secret.texts.raw)).length > 0) covered.add(secret.kind);
    }
    console.info(`secretlint recognises ${covered.size} of ${plantedKinds(corpus).length} planted kinds: ${[...covered].sort().join(', ')}`);
    expect(covered.size).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
