import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROMPT_REDACTED, createScrubber, promptLength, redactPrompt } from '../../../src/redact/index.js';

describe('redactPrompt', () => {
  const scrubber = createScrubber();
  const prompt = 'deploy with sk-proj-FAKEfakeFAKEfakeFAKEfake0001 please';

  it('sends [REDACTED] unless prompts are logged', () => {
    expect(redactPrompt(prompt, false, scrubber)).toBe(PROMPT_REDACTED);
    expect(PROMPT_REDACTED).toBe('[REDACTED]');
  });

  it('scrubs the prompt when prompts are logged, and counts', () => {
    const counter = { redactions: 0 };
    expect(redactPrompt(prompt, true, scrubber, counter)).toBe('deploy with [REDACTED:openai_api_key] please');
    expect(counter.redactions).toBe(1);
  });
});

describe('promptLength', () => {
  it('counts code points, not UTF-16 units or bytes', () => {
    expect(promptLength('')).toBe(0);
    expect(promptLength('héllo')).toBe(5);
    expect(promptLength('😀👍🏽')).toBe(3);
    expect(promptLength('a\ud800b')).toBe(3);
    expect(promptLength('\udc00\ud800')).toBe(2);
    expect(promptLength(undefined as unknown as string)).toBe(0);
  });

  it('agrees with the string iterator on any input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(promptLength(text)).toBe([...text].length);
    }), { numRuns: 1000 });
  });
});
