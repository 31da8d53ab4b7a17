/**
 * The scrubber's execution strategy (one-pass hint scan, line-local assignment patterns, native UTF-8
 * prefix length) against the straightforward one: every pattern, in order, over the whole text, with
 * no prefilter at all. Output and redaction counts must be identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExtraPatterns, createScrubber, SECRET_PATTERNS } from '../../../src/redact/index.js';
import { HintScanner } from '../../../src/redact/prefilter.js';
import { utf8PrefixLength, utf8PrefixLengthByUnits } from '../../../src/redact/preview.js';
import { loadSecretCorpus } from '../../support/secret-corpus.js';
import { referenceScrub } from '../../support/reference-scrub.js';

const corpus = loadSecretCorpus();

const extras = (() => {
  const compiled = compileExtraPatterns([{ kind: 'acme_key', regex: 'ACME-[0-9A-F]{8}' }, { kind: 'token', regex: '(?i)emp-[0-9]{4}' }]);
  if (!compiled.ok) throw new Error('expected valid patterns');
  return compiled.patterns;
})();

const scrubber = createScrubber();
const withExtras = createScrubber({ extraPatterns: extras });

function expectSameAsReference(text: string): void {
  const expected = referenceScrub(text);
  expect(scrubber.scrub(text), JSON.stringify(text)).toBe(expected.text);
  expect(scrubber.lastRedactionCount, JSON.stringify(text)).toBe(expected.count);
  const expectedWithExtras = referenceScrub(text, extras);
  expect(withExtras.scrub(text), JSON.stringify(text)).toBe(expectedWithExtras.text);
  expect(withExtras.lastRedactionCount, JSON.stringify(text)).toBe(expectedWithExtras.count);
}

const documents = [...corpus.planted, ...corpus.clean];
const lines = documents.flatMap((d) => d.text.split('\n'));
const secrets = corpus.secrets.map((s) => s.value);
const separators = ['\n', '\r\n', '\r', ' ', '\t', '=', ':', ': ', ':=', '=>', '"', "'", '\\', '/', '-', '_', '.', ',', ';', '&', '@', '$', '{', '[', ']', '`'];
const names = ['password', 'PASSWORD', 'db_pass', 'x_pwd', 'api-key', 'Api_Key', 'secret', 'client_secret', 'TOKEN', 'GITHUB_TOKEN', 'passphrase',
  'aws_secret_access_key', 'Authorization', 'Bearer ', 'basic ', 'AccountKey=', 'https://u:', '://', 'key', 'KeY', 'sk-', 'eyJ', 'xox', 'k_live_',
  '[REDACTED:', '[REDACTED:assignment]', '[REDACTED:github_token]', 'ACME-0123ABCD', 'emp-1234', 'é', '😀', '\ud800', '\u212a', '\u017f'];
const fragment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...lines) },
  { weight: 2, arbitrary: fc.constantFrom(...secrets) },
  { weight: 4, arbitrary: fc.constantFrom(...separators) },
  { weight: 4, arbitrary: fc.constantFrom(...names) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

describe('scrubbing strategy', () => {
  it('matches the whole-text reference on the corpus, its documents joined, and its lines', () => {
    for (const doc of documents) expectSameAsReference(doc.text);
    expectSameAsReference(documents.map((d) => d.text).join('\n'));
    expectSameAsReference(documents.map((d) => d.text).join('\r\n'));
    for (const line of lines) expectSameAsReference(line);
  });

  it('matches the whole-text reference on texts built from corpus fragments, secrets, names and separators', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), (parts) => expectSameAsReference(parts.join(''))),
      { numRuns: 3000 },
    );
  });

  it('matches the reference on assignments at line edges', () => {
    for (const text of ['password=a\npassword=b', '\npassword=a', 'password=a\n', 'x\n"token": "v"\r\n\'api_key\': \'w\'', '\n\npwd_x\n_pwd: v\n',
      'a password=x\rb token=y', '\u2028password=x', 'password=\nvalue', 'token: "a\nb"', '-password=x\n/password=y\n.password=z']) {
      expectSameAsReference(text);
    }
  });
});

describe('HintScanner', () => {
  const specs = SECRET_PATTERNS.map((p) => ({ hints: p.hints, ignoreCase: p.flags === 'i' }));
  const scanner = new HintScanner(specs);
  /** The per-pattern tests the scanner replaces. */
  const expected = (text: string) =>
    specs.map(({ hints, ignoreCase }) =>
      (ignoreCase ? hints.some((h) => new RegExp(h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i').test(text)) : hints.some((h) => text.includes(h))) ? 1 : 0);
  const hintPieces = [...new Set(SECRET_PATTERNS.flatMap((p) => p.hints.flatMap((h) => [h, h.toUpperCase(), h.toLowerCase(), h.slice(0, -1), h.slice(1)])))];

  it('finds exactly the patterns whose hints occur, overlapping and repeated hints included', () => {
    const piece = fc.oneof(fc.constantFrom(...hintPieces), fc.constantFrom('a', 's', 'k', '-', '_', ' ', '\n', '\u212a', 'é'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect([...scanner.scan(text)], text).toEqual(expected(text));
        expect([...scanner.scanEach(text)], text).toEqual(expected(text));
      }),
      { numRuns: 3000 },
    );
    for (const text of ['accessecret', 'sk-ant-', 'xsk-ant-', 'passecretoken', 'SHAREDACCESSKEY=', 'SharedAccessKey=', 'ghp_gho_']) {
      expect([...scanner.scan(text)], text).toEqual(expected(text));
    }
  });

  it('finds hints in long texts, read in chunks, wherever a hint falls against the chunk edges', () => {
    // Texts longer than 16 Ki code units are read in overlapping chunks of that size.
    const hints = [...new Set(SECRET_PATTERNS.flatMap((p) => p.hints))];
    for (const filler of ['a', '\u00e9', '\ud83d\ude00']) {
      for (const hint of hints) {
        for (const shift of [-hint.length, -1, 0, 1]) {
          const before = filler.repeat(Math.ceil((16 * 1024 + shift) / filler.length));
          const text = `${before}${hint}${filler.repeat(50)}`;
          expect([...scanner.scan(text)], `${hint} at ${before.length}`).toEqual(expected(text));
        }
      }
    }
    const long = `${'x'.repeat(40_000)}ghp_${'y'.repeat(40_000)}PASSWORD`;
    expect([...scanner.scan(long)]).toEqual(expected(long));
  });

  it('treats patterns without hints as always possible', () => {
    const mixed = new HintScanner([undefined, { hints: [], ignoreCase: false }, { hints: ['[x'], ignoreCase: false }, { hints: ['abc'], ignoreCase: true }]);
    expect([...mixed.scan('zzz')]).toEqual([1, 1, 1, 0]);
    expect([...mixed.scan('xABCx')]).toEqual([1, 1, 1, 1]);
  });
});

describe('single-line patterns', () => {
  it('declare a precheck, and cannot match a line feed after their first character', () => {
    const singleLine = SECRET_PATTERNS.filter((p) => p.singleLine === true);
    expect(singleLine.length).toBeGreaterThan(0);
    for (const pattern of singleLine) {
      expect(pattern.precheck, pattern.source).toBeDefined();
      // The first character may be any non-name character (a line feed too): `(?:^|[^…])` opening group 1.
      const opening = /^\(\(\?:\^\|\[\^[^\]]*\]\)/.exec(pattern.source);
      expect(opening, pattern.source).not.toBeNull();
      const { classes, outside } = splitClasses(pattern.source.slice(opening![0].length));
      for (const cls of classes) {
        // Every class either excludes the line feed explicitly or lists only characters and ranges without it.
        if (cls.startsWith('[^')) expect(cls, pattern.source).toContain('\\n');
        else {
          expect(cls, pattern.source).not.toMatch(/\\[nsSWD]/);
          expect(new RegExp(cls).test('\n'), cls).toBe(false);
        }
      }
      // Outside classes: no escape that can stand for a line feed, and no `.`.
      expect(outside, pattern.source).not.toMatch(/\\[nsSWDrux]|(?:^|[^\\])\./);
    }
  });
});

/** The character classes of a regex source, and what is left outside them (escapes kept). */
function splitClasses(source: string): { classes: string[]; outside: string } {
  const classes: string[] = [];
  let outside = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      outside += source.slice(i, i + 2);
      i++;
    } else if (ch === '[') {
      let j = i + 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      classes.push(source.slice(i, j + 1));
      i = j;
    } else outside += ch;
  }
  return { classes, outside };
}

describe('utf8PrefixLength', () => {
  it('agrees with the code-unit-by-code-unit count', () => {
    const unit = fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udc00', '\n', '\u07ff', '\u0800', '\uffff');
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 3000 }), fc.array(unit, { maxLength: 2500 }).map((u) => u.join('')));
    const limit = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 2047, 2048, 2049), fc.integer({ min: 0, max: 5000 }));
    fc.assert(
      fc.property(text, limit, (t, max) => {
        expect(utf8PrefixLength(t, max)).toBe(utf8PrefixLengthByUnits(t, max));
      }),
      { numRuns: 3000 },
    );
    for (const max of [-1, Number.NaN, 2.5, 100_000]) {
      const t = `${'a'.repeat(40_000)}😀`;
      expect(utf8PrefixLength(t, max), String(max)).toBe(utf8PrefixLengthByUnits(t, max));
    }
  });

  it('never ends between the halves of a pair at the byte limit', () => {
    for (let ascii = 2040; ascii <= 2048; ascii++) {
      const t = `${'a'.repeat(ascii)}😀😀`;
      expect(utf8PrefixLength(t, 2048), String(ascii)).toBe(utf8PrefixLengthByUnits(t, 2048));
    }
  });
});
