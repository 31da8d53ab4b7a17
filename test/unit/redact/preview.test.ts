import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PREVIEW_TRUNCATION_NOTICE as NOTICE,
  SCRUB_WINDOW,
  createScrubber,
  outputPreview,
  scrubThenPreview,
} from '../../../src/redact/index.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('outputPreview (contract §4)', () => {
  it('returns short output unchanged, CRLF and trailing newline included', () => {
    for (const text of ['', 'ok', 'a\r\nb\r\n', 'line\n'.repeat(64), 'é'.repeat(1024)]) expect(outputPreview(text)).toBe(text);
  });

  it('cuts at 64 lines: the first 64 lines, a newline, the notice', () => {
    const text = Array.from({ length: 65 }, (_, i) => `l${i}`).join('\n');
    expect(outputPreview(text)).toBe(`${Array.from({ length: 64 }, (_, i) => `l${i}`).join('\n')}\n${NOTICE}`);
    // 64 lines plus a final newline is not a 65th line.
    expect(outputPreview('x\n'.repeat(64))).toBe('x\n'.repeat(64));
    expect(outputPreview(`${'x\n'.repeat(64)}y`)).toBe(`${'x\n'.repeat(63)}x\n${NOTICE}`);
  });

  it('cuts at 2048 bytes, keeping the partial last line, and normalises CRLF only when cutting', () => {
    const text = `head\r\n${'a'.repeat(3000)}`;
    expect(outputPreview(text)).toBe(`head\n${'a'.repeat(2048 - 6)}\n${NOTICE}`);
  });

  it('takes the 64 lines of the byte-cut text, not of the whole output', () => {
    const text = `${'b'.repeat(2040)}\n1234567\n${'c\n'.repeat(100)}`;
    // Bytes 0..2047 end inside "1234567": two lines survive, the second one cut.
    expect(outputPreview(text)).toBe(`${'b'.repeat(2040)}\n1234567\n${NOTICE}`);
    const cutMidLine = `${'b'.repeat(2045)}\nxyz`;
    expect(outputPreview(cutMidLine)).toBe(`${'b'.repeat(2045)}\nxy\n${NOTICE}`);
  });

  it('never splits a multi-byte character at the byte boundary', () => {
    // 2047 ASCII bytes, then a 2-byte "é": it does not fit, so it is dropped whole.
    expect(outputPreview(`${'a'.repeat(2047)}é tail`)).toBe(`${'a'.repeat(2047)}\n${NOTICE}`);
    // 3-byte "€" after 2046 bytes: dropped; after 2045 bytes: kept.
    expect(outputPreview(`${'a'.repeat(2046)}€€`)).toBe(`${'a'.repeat(2046)}\n${NOTICE}`);
    expect(outputPreview(`${'a'.repeat(2045)}€€`)).toBe(`${'a'.repeat(2045)}€\n${NOTICE}`);
    // 4-byte emoji (a surrogate pair) after 2045 bytes: dropped whole, never half a pair.
    expect(outputPreview(`${'a'.repeat(2045)}😀😀`)).toBe(`${'a'.repeat(2045)}\n${NOTICE}`);
    expect(outputPreview(`${'a'.repeat(2044)}😀😀`)).toBe(`${'a'.repeat(2044)}😀\n${NOTICE}`);
  });

  it('counts a lone surrogate as the 3 bytes of U+FFFD', () => {
    const text = `${'a'.repeat(2045)}\ud800xyz`;
    expect(outputPreview(text)).toBe(`${'a'.repeat(2045)}\ud800\n${NOTICE}`);
  });

  it('adds the notice when the caller says the text is already a cut', () => {
    expect(outputPreview('short', { alreadyCut: true })).toBe(`short\n${NOTICE}`);
  });

  it('holds its caps for any text', () => {
    const line = fc.string({ unit: 'binary', maxLength: 200 });
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 5000 }), fc.array(line, { maxLength: 120 }).map((l) => l.join('\n')),
      fc.array(fc.constantFrom('a', 'é', '€', '😀', '\n', '\r\n', '\ud800', '\udc00'), { maxLength: 3000 }).map((l) => l.join('')));
    fc.assert(
      fc.property(text, (input) => {
        const preview = outputPreview(input);
        if (preview === input) {
          expect(bytes(input) <= 2048 || input.length === 0).toBe(true);
          return;
        }
        expect(preview.endsWith(`\n${NOTICE}`)).toBe(true);
        const kept = preview.slice(0, -(NOTICE.length + 1));
        expect(bytes(kept)).toBeLessThanOrEqual(2048);
        expect(kept.split('\n').length).toBeLessThanOrEqual(64);
        // Never half a surrogate pair at the cut.
        const last = kept.charCodeAt(kept.length - 1);
        const inInput = input.charCodeAt(kept.length);
        expect(last >= 0xd800 && last <= 0xdbff && inInput >= 0xdc00 && inInput <= 0xdfff && input.startsWith(kept)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('scrubThenPreview', () => {
  const scrubber = createScrubber();
  const token = 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0001';

  it('scrubs before cutting, so a secret straddling the cut cannot leak its first half', () => {
    const output = `${'x'.repeat(2030)}${token}`;
    expect(outputPreview(output)).toContain('ghp_FAKEfakeFA');
    expect(scrubThenPreview(output, scrubber)).toBe(outputPreview(`${'x'.repeat(2030)}[REDACTED:github_token]`));
  });

  it('counts the redactions of the output', () => {
    const counter = { redactions: 0 };
    scrubThenPreview(`a ${token} b password=fake`, scrubber, counter);
    expect(counter.redactions).toBe(2);
  });

  it('scrubs only a bounded window of huge output, and marks the preview as cut even if the rest shrank away', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(SCRUB_WINDOW + 10)}`;
    const preview = scrubThenPreview(key, scrubber);
    expect(preview).toBe(`[REDACTED:private_key]\n${NOTICE}`);
    const huge = `${token}\n${'y'.repeat(50_000_000)}`;
    const started = performance.now();
    expect(scrubThenPreview(huge, scrubber).startsWith('[REDACTED:github_token]\n')).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not split a surrogate pair at the scrub window edge', () => {
    const output = `${'a'.repeat(SCRUB_WINDOW - 1)}😀rest`;
    expect(() => scrubThenPreview(output, scrubber)).not.toThrow();
  });
});
