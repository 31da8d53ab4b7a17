/**
 * The hint prefilter may only ever skip work, never a match: a wrong "no pattern can match" leaks a
 * secret. Differential tests on texts an attacker would pick, built from the generated corpus: the
 * scrubber (hint scan, prechecks, line-local runs, the JSON shortcut) against the same rules with no
 * prefilter at all (`test/support/reference-scrub.ts`), output and counts identical; and the scan
 * itself against every pattern's own regex (a pattern that matches must be flagged).
 *
 * Runs: PREFILTER_DIFF_RUNS (default 1500) per property; set it high to search longer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScrubber, scrubStructured, scrubThenCutPreview, SECRET_PATTERNS } from '../../../src/redact/index.js';
import { HintScanner } from '../../../src/redact/prefilter.js';
import { generateSecretCorpus } from '../../support/generated-secret-corpus.js';
import { referenceScrub, referenceScrubber } from '../../support/reference-scrub.js';

const RUNS = Number(process.env['PREFILTER_DIFF_RUNS'] ?? 1500);
/** Generous: a loaded 2-core machine, and many runs when searching longer. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 20);
/** The scanner reads texts longer than this many code units in chunks. */
const CHUNK_UNITS = 16 * 1024;

const corpus = generateSecretCorpus();
const scrubber = createScrubber();
const reference = referenceScrubber();
const scanner = new HintScanner(SECRET_PATTERNS.map((p) => ({ hints: p.hints, ignoreCase: p.flags === 'i' })));
const regexes = SECRET_PATTERNS.map((p) => new RegExp(p.source, p.flags));

const documents = [
  ...corpus.planted.flatMap((p) => Object.values(p.texts)),
  ...corpus.benign.map((b) => b.text),
  ...corpus.endpoints.map((e) => e.url),
];
const values = corpus.planted.map((p) => p.value);
const hints = [...new Set(SECRET_PATTERNS.flatMap((p) => p.hints))];
/** Characters around which the byte scan and the case rules could go wrong. */
const oddChars = [
  '\u00a0', '\uff1d', '\uff1a', '\u00e9', '\u4e2d\u6587', '\ud83d\ude00', '\ud800', '\udc00', '\u212a', '\u017f', '\u0130', '\u0131',
  '\u2028', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ufeff',
];
const separators = ['\n', '\r\n', ' ', '\t', '=', ':', ': ', ':=', '=>', '"', "'", '\\', '\\"', '\\\\"', '\\u0022', '\\n', '/', '-', '_', '.', ',', ';', '&', '?', '@', '{', '}', '[', ']', '`'];
const names = ['password', 'db_pass', 'x_pwd', 'api-key', 'secret', 'client_secret', 'GITHUB_TOKEN', 'aws_secret_access_key', 'Authorization', 'Bearer ', 'basic ',
  'token ', 'AccountKey=', 'https://u:', '://', 'key=', 'sig=', '--password ', 'sshpass -p ', 'docker login -u x -p ', 'mysql -p', 'curl -u a:', 'machine h login u password ',
  '<password>', '</password>', 'key="ApiKey" value="', '[REDACTED:', '[REDACTED:assignment]', 'auth'];

/** A hint with each letter's case drawn at random (`pAsSwOrD`), which only `i` patterns may match. */
const mixedCaseHint = fc.tuple(fc.constantFrom(...hints), fc.integer({ min: 0, max: 2 ** 30 })).map(([hint, bits]) =>
  [...hint].map((c, i) => ((bits >> i % 30) & 1 ? c.toUpperCase() : c.toLowerCase())).join(''));
/** A piece of a corpus document: cuts fall anywhere, so hints and secrets arrive split and misaligned. */
const slice = fc.tuple(fc.constantFrom(...documents), fc.nat(), fc.nat()).map(([doc, a, b]) => {
  const from = a % (doc.length + 1);
  return doc.slice(from, from + (b % (doc.length - from + 1)));
});
const fragment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...documents) },
  { weight: 3, arbitrary: slice },
  { weight: 2, arbitrary: fc.constantFrom(...values) },
  { weight: 3, arbitrary: fc.constantFrom(...hints) },
  { weight: 2, arbitrary: mixedCaseHint },
  { weight: 3, arbitrary: fc.constantFrom(...names) },
  { weight: 3, arbitrary: fc.constantFrom(...separators) },
  { weight: 3, arbitrary: fc.constantFrom(...oddChars) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

/** Encodings a field arrives in: as is, JSON-escaped, inside Codex-style arguments, with `\u0022` quotes. */
const encodings: ReadonlyArray<(text: string) => string> = [
  (t) => t,
  (t) => JSON.stringify(t),
  (t) => JSON.stringify({ cmd: t }),
  (t) => JSON.stringify({ command: ['bash', '-lc', t] }),
  (t) => JSON.stringify({ password: t, nested: { api_key: t } }),
  (t) => JSON.stringify(t).replace(/\\"/g, '\\u0022'),
  (t) => JSON.stringify(JSON.stringify({ token: t })),
];

const text = fc
  .tuple(fc.array(fragment, { maxLength: 24 }), fc.constantFrom(...encodings), fc.array(fc.constantFrom('a', '\u00e9', '\u4e2d', '\ud83d\ude00', '\ud800'), { maxLength: 7 }))
  .map(([parts, encode, lead]) => lead.join('') + encode(parts.join('')));

/** A filler of 1, 2, 3 or 4 UTF-8 bytes per character, pushing a text's tail across the scanner's chunk edge. */
const longText = fc
  .tuple(fc.constantFrom('x', '\u00e9', '\u4e2d', '\ud83d\ude00', '\ud800'), fc.integer({ min: -48, max: 8 }), fc.array(fragment, { minLength: 1, maxLength: 6 }), fc.nat({ max: 2 }))
  .map(([filler, shift, parts, copies]) => {
    const lead = filler.repeat(Math.max(0, Math.floor((CHUNK_UNITS * (copies + 1) + shift) / filler.length)));
    return `${lead}${parts.join('')}${filler.repeat(20)}`;
  });

function expectScanSound(t: string): void {
  const flags = [...scanner.scan(t)];
  expect(flags, JSON.stringify(t)).toEqual([...scanner.scanEach(t)]);
  regexes.forEach((regex, i) => {
    if (flags[i] === 0) expect(regex.test(t), `${SECRET_PATTERNS[i]!.kind} matches but was skipped in ${JSON.stringify(t)}`).toBe(false);
  });
}

function expectScrubLikeReference(t: string): void {
  const expected = referenceScrub(t);
  expect(scrubber.scrub(t), JSON.stringify(t)).toBe(expected.text);
  expect(scrubber.lastRedactionCount, JSON.stringify(t)).toBe(expected.count);
}

function expectStructuredLikeReference(t: string): void {
  const ours = { redactions: 0 };
  const theirs = { redactions: 0 };
  expect(scrubStructured(t, scrubber, ours), JSON.stringify(t)).toBe(scrubStructured(t, reference, theirs));
  expect(ours.redactions, JSON.stringify(t)).toBe(theirs.redactions);
}

describe('hint prefilter against no prefilter', () => {
  it('never skips a pattern that matches, on corpus-built texts in every encoding', () => {
    fc.assert(fc.property(text, (t) => expectScanSound(t)), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it('scrubs free text exactly as running every pattern does', () => {
    fc.assert(fc.property(text, (t) => expectScrubLikeReference(t)), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it('scrubs JSON and its strings exactly as with no prefilter (the shortcut for texts without escapes included)', () => {
    fc.assert(fc.property(text, (t) => expectStructuredLikeReference(t)), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it('is the same on long texts, a hint on either side of the chunk edges', () => {
    fc.assert(
      fc.property(longText, (t) => {
        expectScanSound(t);
        expectScrubLikeReference(t);
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 10)) },
    );
  }, TIMEOUT_MS);

  it('cuts the same preview, windowed outputs included', () => {
    const output = fc.oneof(text, longText, longText.map((t) => t.repeat(5)));
    fc.assert(
      fc.property(output, fc.constantFrom(16, 2048, 40_000), (t, maxBytes) => {
        const ours = { redactions: 0 };
        const theirs = { redactions: 0 };
        expect(scrubThenCutPreview(t, scrubber, ours, maxBytes)).toEqual(scrubThenCutPreview(t, reference, theirs, maxBytes));
        expect(ours.redactions).toBe(theirs.redactions);
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 10)) },
    );
  }, TIMEOUT_MS);

  it('handles the edges: empty and tiny texts, hints at the very start and end, every alignment', () => {
    const samples = ['', 'a', '\ud800', '.', 'SK', 'sk-', 'eyJ'];
    for (const hint of hints) {
      for (const lead of ['', 'a', 'ab', 'abc', '\u00e9', '\u4e2d', '\ud83d\ude00', '\ud800', '\u00a0\uff1d']) {
        samples.push(`${lead}${hint}`, `${hint}${lead}`, `${lead}${hint.toUpperCase()}`, `${lead}${hint.toLowerCase()}`);
      }
    }
    for (const value of values) samples.push(value, ` ${value}`, `${value}\n`, JSON.stringify(value).slice(1, -1));
    for (const t of samples) {
      expectScanSound(t);
      expectScrubLikeReference(t);
      expectStructuredLikeReference(t);
    }
  }, TIMEOUT_MS);
});
