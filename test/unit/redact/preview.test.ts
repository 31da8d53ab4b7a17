import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PREVIEW_TRUNCATION_NOTICE as NOTICE,
  SCRUB_WINDOW,
  createScrubber,
  cutPreview,
  outputPreview,
  scrubThenPreview,
} from '../../../src/redact/index.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('outputPreview (contract §5: bytes only, [otel.tool_result] max_bytes)', () => {
  it('returns output that fits unchanged, however many lines it has', () => {
    for (const text of ['', 'ok', 'a\r\nb\r\n', 'line\n'.repeat(300), 'é'.repeat(1024)]) expect(outputPreview(text)).toBe(text);
    expect(cutPreview('line\n'.repeat(300))).toEqual({ text: 'line\n'.repeat(300), truncated: false });
  });

  it('cuts at 2048 bytes: the prefix, a newline, the notice; CRLF is kept as it is', () => {
    const text = `head\r\n${'a'.repeat(3000)}`;
    expect(outputPreview(text)).toBe(`head\r\n${'a'.repeat(2048 - 6)}\n${NOTICE}`);
    expect(cutPreview(text).truncated).toBe(true);
  });

  it('adds no newline when the prefix already ends with one, or is empty', () => {
    expect(outputPreview(`${'b'.repeat(2047)}\nrest`)).toBe(`${'b'.repeat(2047)}\n${NOTICE}`);
    expect(outputPreview('€€', { maxBytes: 2 })).toBe(NOTICE);
  });

  it('uses the configured size', () => {
    expect(outputPreview('abcdef', { maxBytes: 4 })).toBe(`abcd\n${NOTICE}`);
    expect(outputPreview('x'.repeat(5000), { maxBytes: 8192 })).toBe('x'.repeat(5000));
    expect(outputPreview('abc', { maxBytes: 0 })).toBe(NOTICE);
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
        expect(preview.endsWith(NOTICE)).toBe(true);
        const kept = preview.slice(0, -NOTICE.length).replace(/\n$/, (newline, offset: number) => (input[offset] === '\n' ? newline : ''));
        expect(input.startsWith(kept)).toBe(true);
        expect(bytes(kept)).toBeLessThanOrEqual(2048);
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
