import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCRUB_FAILED, compileExtraPatterns, createScrubber, type RedactionCounter } from '../../../src/redact/index.js';

const GITHUB = 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0001';

describe('createScrubber', () => {
  it('is on by default and replaces each secret with its marker', () => {
    const scrubber = createScrubber();
    expect(scrubber.enabled).toBe(true);
    expect(scrubber.scrub(`token ${GITHUB} and password=hunter2-fake`)).toBe('token [REDACTED:github_token] and password=[REDACTED:assignment]');
    expect(scrubber.lastRedactionCount).toBe(2);
  });

  it('keeps names, headers and URL users, replacing only the value', () => {
    const scrubber = createScrubber();
    expect(scrubber.scrub('mysql://root:fake-pw@db:3306/x')).toBe('mysql://root:[REDACTED:url_password]@db:3306/x');
    expect(scrubber.scrub('Proxy-Authorization: Basic ZmFrZTpmYWtl')).toBe('Proxy-Authorization: Basic [REDACTED:basic_auth]');
    expect(scrubber.scrub("'api-key': 'fake value'")).toBe("'api-key': '[REDACTED:assignment]'");
  });

  it('returns the very same string and a zero count when nothing matches', () => {
    const scrubber = createScrubber();
    scrubber.scrub(`x ${GITHUB}`);
    const text = 'PWD=/home/dev max_tokens: 4096 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    expect(scrubber.scrub(text)).toBe(text);
    expect(scrubber.lastRedactionCount).toBe(0);
  });

  it('adds to a per-event counter across fields', () => {
    const scrubber = createScrubber();
    const counter: RedactionCounter = { redactions: 0 };
    scrubber.scrub(`a ${GITHUB}`, counter);
    scrubber.scrub('b password=fake1 token=fake2', counter);
    scrubber.scrub('nothing here', counter);
    expect(counter.redactions).toBe(3);
  });

  it('turns off only on an explicit false', () => {
    expect(createScrubber({ enabled: undefined }).scrub(GITHUB)).toBe('[REDACTED:github_token]');
    expect(createScrubber({ enabled: 'false' as unknown as boolean }).enabled).toBe(true);
    const off = createScrubber({ enabled: false });
    expect(off.scrub(GITHUB)).toBe(GITHUB);
    expect(off.lastRedactionCount).toBe(0);
  });

  it('fails closed: a failure returns the failure marker, never the input', () => {
    const scrubber = createScrubber();
    expect(scrubber.scrub(undefined as unknown as string)).toBe(SCRUB_FAILED);
    expect(scrubber.lastRedactionCount).toBe(1);
  });

  it('applies extra patterns after the built-in ones', () => {
    const compiled = compileExtraPatterns([{ kind: 'acme_key', regex: 'ACME-[0-9A-F]{16}' }, { kind: 'Employee.ID', regex: '(?i)emp-[0-9]{6}' }]);
    if (!compiled.ok) throw new Error('expected valid patterns');
    const scrubber = createScrubber({ extraPatterns: compiled.patterns });
    expect(scrubber.scrub('key ACME-0123456789ABCDEF for EMP-123456')).toBe('key [REDACTED:acme_key] for [REDACTED:Employee.ID]');
  });
});

describe('compileExtraPatterns', () => {
  it('reports each invalid entry by position, without echoing the regex', () => {
    const result = compileExtraPatterns([
      { kind: 'ok', regex: 'x+' },
      { kind: 'bad kind!', regex: 'x' },
      { kind: 'broken', regex: 'ab(secretfragment' },
      { kind: 'empty', regex: 'a*' },
      { kind: 'self', regex: '\\[REDACTED:[a-z]+\\]' },
      { kind: 'blank', regex: '' },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
    expect(result.errors.map((e) => e.message).join(' ')).not.toContain('secretfragment');
  });

  it('returns compiled patterns for a valid list', () => {
    const result = compileExtraPatterns([]);
    expect(result).toEqual({ ok: true, patterns: [] });
  });
});

describe('scrub on hostile input', () => {
  const scrubber = createScrubber();

  it('never throws and stays idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const once = scrubber.scrub(text);
        expect(typeof once).toBe('string');
        expect(scrubber.scrub(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on text built from the patterns’ own building blocks', () => {
    const pieces = fc.constantFrom('password', 'TOKEN', '=', ': ', '"', "'", '[REDACTED:', ']', '://', 'u:', '@', 'Authorization: Bearer ',
      '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', '-', 'eyJ', '.', 'AKIA', 'ghp_', 'sk-', 'A', '0', ' ', '\n', '\ud800', '\udc00', '😀');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 80 }), (parts) => {
        const text = parts.join('');
        const once = scrubber.scrub(text);
        expect(scrubber.scrub(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a long run of name characters', 'key_token_'.repeat(100_000)],
    ['many assignment starts without values', ' password='.repeat(100_000)],
    ['many URL schemes without user info', 'a.b+c-d://'.repeat(50_000)],
    ['a URL password that never reaches @', `https://u:${':'.repeat(500_000)}`],
    ['many PEM headers without a body end', '-----BEGIN PRIVATE KEY-----'.repeat(30_000)],
    ['many JWT starts', 'eyJabcde.'.repeat(100_000)],
    ['quoted values that never close', '"secret": "\\'.repeat(50_000)],
  ])('stays fast on %s', (_name, text) => {
    const started = performance.now();
    scrubber.scrub(text);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
