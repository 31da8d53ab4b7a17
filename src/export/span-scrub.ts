/**
 * Scrubbing of spans on the export path, as log records are settled (src/redact/deferred.ts): when a span
 * batch leaves the in-memory queue, before the spool, a file or the network sees it. Every string
 * attribute of the span and of its events and links goes through the field policy of log records; the
 * status message (an error text the caller passed: an API error, a tool failure) and the span name (a tool
 * span is named after the tool, which is caller input like `tool_name`) through the free-text rules.
 * Nothing runs on the caller's path; a crash before export leaves the raw text in memory only.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FieldScrub } from '../redact/deferred.js';

/** What span scrubbing needs of the content policy: the field policy and the free-text rules. */
export interface SpanScrubPolicy {
  fieldScrub(key: string): FieldScrub | undefined;
  scrub(text: string, counter: { redactions: number }): string;
}

/** Returns the settle hook of a span processor: scrubs each span once, in place (idempotent across processors). */
export function spanScrubber(policy: SpanScrubPolicy): (spans: ReadableSpan[]) => void {
  const done = new WeakSet<ReadableSpan>();
  const counter = { redactions: 0 };
  const attributes = (map: Record<string, unknown> | undefined) => {
    if (!map) return;
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (typeof value === 'string') {
        const scrub = policy.fieldScrub(key);
        if (scrub) {
          const scrubbed = safe(() => scrub(value, counter));
          if (scrubbed === undefined) delete map[key];
          else map[key] = scrubbed;
        }
      } else if (Array.isArray(value) && value.some((item) => typeof item === 'string')) {
        const scrub = policy.fieldScrub(key);
        if (scrub) map[key] = value.map((item: unknown) => (typeof item === 'string' ? safe(() => scrub(item, counter)) ?? '' : item));
      }
    }
  };
  return (spans) => {
    for (const span of spans) {
      if (done.has(span)) continue;
      done.add(span);
      const name = span.name;
      if (typeof name === 'string' && name !== '') (span as { name: string }).name = safe(() => policy.scrub(name, counter)) ?? '';
      attributes(span.attributes as Record<string, unknown>);
      for (const event of span.events) attributes(event.attributes as Record<string, unknown> | undefined);
      for (const link of span.links) attributes(link.attributes as Record<string, unknown> | undefined);
      const message = span.status.message;
      if (typeof message === 'string' && message !== '') {
        (span.status as { message?: string }).message = safe(() => policy.scrub(message, counter)) ?? '';
      }
    }
  };
}

/** A scrub that throws yields a marker, never the input. */
function safe(work: () => string | undefined): string | undefined {
  try {
    return work();
  } catch {
    return '[REDACTED:scrub_failed]';
  }
}
