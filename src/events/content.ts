import type { OtelConfig } from '../config/types.js';
import { compileExtraPatterns, createScrubber, fieldHandling, PREVIEW_TRUNCATION_NOTICE, promptLength, redactPrompt, scrubField, scrubThenCutPreview, scrubThenPreview, scrubWindow } from '../redact/index.js';
import type { FieldScrub } from '../redact/deferred.js';
import type { ContentPolicy, RedactionCounter } from './context.js';
import { MAX_STRING_LENGTH, toWireString } from './values.js';

/** Short values repeat (tool names, kinds, models): their scrubbed form is remembered, up to this many. */
const SHORT_TEXT = 64;
const CACHE_CAPACITY = 1024;
const OUTPUT_TRUNCATED = 'output_truncated';
/**
 * The largest preview, in bytes, whose cut form (prefix, `\n`, notice) fits in the longest string we send.
 * A larger `max_bytes` would have the wire cut drop the notice and `output_truncated` say false of a cut
 * output (the emitter keeps only the scrub window of a long one, which then fits such a preview whole).
 */
const MAX_PREVIEW_BYTES = MAX_STRING_LENGTH - PREVIEW_TRUNCATION_NOTICE.length - 1;

/**
 * Contract §5 for one telemetry instance: secrets scrubbed from every string field (arguments as JSON,
 * output, errors, endpoints, MCP fields, tool names, logged prompts), the tool output cut to its
 * `[otel.tool_result] max_bytes` preview after scrubbing, prompts `[REDACTED]` unless `log_user_prompt = true`.
 */
export function createContentPolicy(config: OtelConfig): ContentPolicy {
  const extra = compileExtraPatterns(config.extensions.redaction.extraPatterns);
  // The config loader rejects invalid patterns; a config built by hand keeps the built-in ones.
  const scrubber = createScrubber({
    enabled: config.extensions.redaction.enabled,
    extraPatterns: extra.ok ? extra.patterns : [],
  });
  const logUserPrompt = config.logUserPrompt;
  const cache = new Map<string, readonly [string, number]>();
  // Free text is sent cut to 32 K; only the 64 K scrub window (that plus a margin for a secret across the
  // cut) is scrubbed, so a caller passing megabytes does not pay for scrubbing what is never sent.
  const text = (raw: string, counter: RedactionCounter): string => {
    if (raw.length > SHORT_TEXT) return scrubber.scrub(scrubWindow(raw), counter);
    const hit = cache.get(raw);
    if (hit !== undefined) {
      counter.redactions += hit[1];
      return hit[0];
    }
    const scrubbed = scrubber.scrub(raw, counter);
    if (cache.size >= CACHE_CAPACITY) cache.clear();
    cache.set(raw, [scrubbed, scrubber.lastRedactionCount]);
    return scrubbed;
  };
  const maxBytes = Math.min(config.toolResultMaxBytes, MAX_PREVIEW_BYTES);
  // `output_truncated` says whether the preview was cut; the cut is made here, after scrubbing (which
  // changes lengths), so the record's flag is settled here too.
  const preview: FieldScrub = (raw, counter, attributes) => {
    const cut = scrubThenCutPreview(raw, scrubber, counter, maxBytes);
    if (attributes !== undefined && typeof attributes[OUTPUT_TRUNCATED] === 'boolean') attributes[OUTPUT_TRUNCATED] = cut.truncated;
    return toWireString(cut.text);
  };
  const scrubs = new Map<string, FieldScrub | undefined>();
  return {
    scrub: text,
    preview: (raw, counter) => scrubThenPreview(raw, scrubber, counter, maxBytes),
    prompt: (raw, counter) => redactPrompt(scrubWindow(raw), logUserPrompt, scrubber, counter),
    promptLength,
    logUserPrompt,
    fieldScrub(key) {
      if (scrubs.has(key)) return scrubs.get(key);
      const handling = fieldHandling(key);
      let scrub: FieldScrub | undefined;
      if (handling === 'preview') scrub = preview;
      else if (handling === 'text') scrub = (raw, counter) => toWireString(text(raw, counter));
      else if (handling !== 'closed') scrub = (raw, counter) => toWireString(scrubField(handling, scrubWindow(raw), scrubber, counter));
      scrubs.set(key, scrub);
      return scrub;
    },
  };
}
