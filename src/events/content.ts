import type { OtelConfig } from '../config/types.js';
import { compileExtraPatterns, createScrubber, promptLength, redactPrompt, scrubThenCutPreview, scrubWindow } from '../redact/index.js';
import type { ContentPolicy } from './context.js';

/**
 * Contract §5 for one telemetry instance: secrets scrubbed from every free-text field (arguments,
 * output, errors, logged prompts), the tool output cut to its `[otel.tool_result] max_bytes` preview
 * after scrubbing, prompts
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
  // Free text is sent cut to 32 K; only the 64 K scrub window (that plus a margin for a secret across the
  // cut) is scrubbed, so a caller passing megabytes does not pay for scrubbing what is never sent.
  return {
    scrub: (text, counter) => scrubber.scrub(scrubWindow(text), counter),
    preview: (text, counter) => scrubThenCutPreview(text, scrubber, counter, config.toolResultMaxBytes),
    prompt: (text, counter) => redactPrompt(scrubWindow(text), logUserPrompt, scrubber, counter),
    promptLength,
  };
}

