import type { RedactionCounter, Scrubber } from './scrubber.js';

/** Contract §4: what `codex.user_prompt` carries as `prompt` unless `log_user_prompt = true`. */
export const PROMPT_REDACTED = '[REDACTED]';

/** `[REDACTED]` unless prompts are logged; then the prompt with its secrets scrubbed. */
export function redactPrompt(text: string, logUserPrompt: boolean, scrubber: Scrubber, counter?: RedactionCounter): string {
  if (logUserPrompt !== true) return PROMPT_REDACTED;
  return scrubber.scrub(text, counter);
}

/**
 * Unicode code points of the prompt (`prompt_length`), counted on the original text. A surrogate
 * pair is one code point; a lone surrogate counts as one (it becomes one U+FFFD on the wire).
 */
export function promptLength(text: string): number {
  if (typeof text !== 'string') return 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
