import { describe, expect, it } from 'vitest';
import { SECRET_KINDS, SECRET_PATTERNS, createScrubber, findRe2Incompatibilities, redactionMarker } from '../../../src/redact/index.js';
import { valueNotStartingWithMarker } from '../../../src/redact/patterns.js';

const GROUPS = { nothing: 0, prefix: 1, 'prefix-and-suffix': 2 } as const;

describe('secret patterns as data', () => {
  it.each(SECRET_PATTERNS.map((p, i) => [`${i} ${p.kind}`, p] as const))('%s is valid in JavaScript and RE2, with the groups it declares', (_name, pattern) => {
    expect(findRe2Incompatibilities(pattern.source)).toEqual([]);
    // `\s`, `\d` and a bare `.` mean different things in the two engines.
    const outsideClasses = pattern.source.replace(/\[(?:\\.|[^\]\\])*\]/g, '').replace(/\\[^sSdD]/g, '');
    expect(outsideClasses).not.toMatch(/\\[sSdD]|\./);
    const regex = new RegExp(`${pattern.source}|`, pattern.flags);
    expect(regex.exec('')!.length - 1).toBe(GROUPS[pattern.preserve]);
    expect(new RegExp(pattern.source, pattern.flags).test('')).toBe(false);
    expect(pattern.kind).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(pattern.hints.length).toBeGreaterThan(0);
  });

  it('no pattern matches a marker, in any of the contexts that precede a secret', () => {
    const contexts = ['', 'DB_PASSWORD=', 'password: ', '"token": "', "api_key='", 'Authorization: Bearer ', 'Authorization: Basic ',
      'https://user:', 'aws_secret_access_key = ', 'AccountKey='];
    for (const kind of [...SECRET_KINDS, 'scrub_failed']) {
      for (const context of contexts) {
        const text = `${context}${redactionMarker(kind)}@host "' end`;
        for (const pattern of SECRET_PATTERNS) {
          expect(new RegExp(pattern.source, pattern.flags).test(text), `${pattern.kind} on ${text}`).toBe(false);
        }
      }
    }
  });

  it('the marker guard accepts every other value, including ones that start like the marker', () => {
    const guard = new RegExp(`^${valueNotStartingWithMarker('\\s')}`);
    for (const value of ['a', '[a', '[R', '[RX', '[REDACTE_', '[REDACTEDx', '[redacted:', 'REDACTED:']) {
      expect(guard.test(value) || value === '[R', value).toBe(true);
    }
    for (const value of ['[REDACTED:x]', '[REDACTED:', '[', '[RED']) expect(guard.test(value), value).toBe(false);
  });

  it('flags what RE2 cannot read', () => {
    expect(findRe2Incompatibilities('a(?=b)')).toHaveLength(1);
    expect(findRe2Incompatibilities('a(?!b)')).toHaveLength(1);
    expect(findRe2Incompatibilities('(?<=a)b')).toHaveLength(1);
    expect(findRe2Incompatibilities('(?<!a)b')).toHaveLength(1);
    expect(findRe2Incompatibilities('(a)\\1')).toHaveLength(1);
    expect(findRe2Incompatibilities('a*+')).toHaveLength(1);
    expect(findRe2Incompatibilities('a{1,2000}')).toHaveLength(1);
    expect(findRe2Incompatibilities('(?<name>a)')).toHaveLength(1);
    expect(findRe2Incompatibilities('[\\1]a{2,5}(?:x)\\bq+?')).toEqual([]);
  });

  it('scrubbing reports the specific kind when a token sits in a secret-named variable', () => {
    const scrub = createScrubber();
    expect(scrub.scrub('GITHUB_TOKEN=ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0001')).toBe('GITHUB_TOKEN=[REDACTED:github_token]');
    expect(scrub.lastRedactionCount).toBe(1);
  });
});

describe('prechecks', () => {
  it('never skip a pattern that would match', async () => {
    const { default: fc } = await import('fast-check');
    const { loadSecretCorpus } = await import('../../support/secret-corpus.js');
    const texts = loadSecretCorpus().planted.flatMap((d) => d.text.split('\n'));
    const withPrecheck = SECRET_PATTERNS.filter((p) => p.precheck !== undefined);
    expect(withPrecheck.length).toBeGreaterThan(0);
    const check = (text: string) => {
      for (const pattern of SECRET_PATTERNS) {
        const matches = new RegExp(pattern.source, pattern.flags).test(text);
        if (!matches) continue;
        if (pattern.precheck !== undefined) expect(new RegExp(pattern.precheck, pattern.flags).test(text), `${pattern.kind}: ${text}`).toBe(true);
        const lower = text.toLowerCase();
        expect(pattern.hints.some((h) => (pattern.flags === 'i' ? lower.includes(h.toLowerCase()) : text.includes(h))), `${pattern.kind}: ${text}`).toBe(true);
      }
    };
    texts.forEach(check);
    const pieces = fc.constantFrom('Password', 'x_pwd', 'db.pass', 'API-KEY', 'secret', 'TOKEN', '"', "'", ' ', '\t', ':', '=', ':=', '=>', 'v', '/', '-');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => check(parts.join(''))), { numRuns: 2000 });
  });
});

describe('the shortest match', () => {
  it(`no built-in pattern matches a text shorter than MIN_MATCH_LENGTH (the scrubber skips those)`, async () => {
    const { default: fc } = await import('fast-check');
    const { MIN_MATCH_LENGTH } = await import('../../../src/redact/scrubber.js');
    const pieces = fc.constantFrom('?', '&', ';', 'key', 'sig', 'auth', '=', ':', ' ', '_', '-', 'p', 'pwd', 'pass', 'x', '"', "'", '\\', '/', '@', 'a', '1', '[', '\n');
    const short = fc.array(pieces, { maxLength: 5 }).map((parts) => parts.join('').slice(0, MIN_MATCH_LENGTH - 1));
    const regexes = SECRET_PATTERNS.map((p) => new RegExp(p.source, p.flags));
    fc.assert(fc.property(short, (text) => regexes.every((r) => !r.test(text))), { numRuns: 20000 });
    for (const text of ['?key=', '_pwd=', 'key=x', 'pass:', '-p x']) expect(regexes.some((r) => r.test(text)), text).toBe(false);
  });
});
