import type { OtelConfig } from '../config/types.js';
import { compileExtraPatterns, createScrubber, promptLength, redactPrompt, SCRUB_WINDOW, scrubThenPreview } from '../redact/index.js';
import type { ContentPolicy } from './context.js';

/**
 * Contract §4 for one telemetry instance: secrets scrubbed from every free-text field (arguments,
 * output, errors, logged prompts), the tool output cut to its preview after scrubbing, prompts
 * `[REDACTED]` unless `log_user_prompt = true`.
 */
export function createContentPolicy(config: OtelConfig): ContentPolicy {
  const extra = compileExtraPatterns(config.extensions.redaction.extraPatterns);
  // The config loader rejects invalid patterns; a config built by hand keeps the built-in ones.
  const scrubber = createScrubber({
    enabled: config.extensions.redaction.enabled,
    extraPatterns: extra.ok ? extra.patterns : [],
  });
  const logUserPrompt = config.logUserPrompt;
  return {
    scrub: (text, counter) => scrubber.scrub(window(text), counter),
    preview: (text, counter) => scrubThenPreview(text, scrubber, counter),
    prompt: (text, counter) => redactPrompt(window(text), logUserPrompt, scrubber, counter),
    promptLength,
  };
}

/**
 * Free text is sent cut to MAX_STRING_LENGTH (32 K), so only the first SCRUB_WINDOW (64 K) is scrubbed:
 * all that is sent plus a margin for a secret that straddles the cut. A caller passing megabytes does
 * not pay for scrubbing what is never sent.
 */
function window(text: string): string {
  if (text.length <= SCRUB_WINDOW) return text;
  const end = text.charCodeAt(SCRUB_WINDOW - 1) >= 0xd800 && text.charCodeAt(SCRUB_WINDOW - 1) <= 0xdbff ? SCRUB_WINDOW - 1 : SCRUB_WINDOW;
  return text.slice(0, end);
}
