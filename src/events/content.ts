import type { OtelConfig } from '../config/types.js';
import { compileExtraPatterns, createScrubber, promptLength, redactPrompt, scrubThenPreview } from '../redact/index.js';
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
    scrub: (text, counter) => scrubber.scrub(text, counter),
    preview: (text, counter) => scrubThenPreview(text, scrubber, counter),
    prompt: (text, counter) => redactPrompt(text, logUserPrompt, scrubber, counter),
    promptLength,
  };
}
