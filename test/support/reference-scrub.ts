/**
 * The scrubber without any of its shortcuts, as the reference for differential tests: every pattern's
 * regex (built-in, then extra) replaces over the whole text, one after the other. No hint scan, no
 * precheck, no line splitting, no minimum length.
 */
import { redactionMarker, SECRET_PATTERNS, type CompiledSecretPattern, type RedactionCounter, type Scrubber } from '../../src/redact/index.js';
import { isBenignName, isCodeOrReference } from '../../src/redact/keep.js';

export function referenceScrub(text: string, extras: readonly CompiledSecretPattern[] = []): { text: string; count: number } {
  let count = 0;
  let result = text;
  const steps = [
    ...SECRET_PATTERNS.map((p) => ({ kind: p.kind, preserve: p.preserve, regex: new RegExp(p.source, `g${p.flags}`), keep: p.keep !== undefined })),
    ...extras.map((p) => ({ kind: p.kind, preserve: p.preserve, regex: new RegExp(p.regex.source, p.regex.flags), keep: false })),
  ];
  for (const { kind, preserve, regex, keep } of steps) {
    const marker = redactionMarker(kind);
    result = result.replace(regex, (match: string, ...groups: unknown[]) => {
      const [prefix, suffix] = groups;
      const secret = match.slice(String(prefix ?? '').length, match.length - (preserve === 'prefix-and-suffix' ? String(suffix ?? '').length : 0));
      if (keep && (isCodeOrReference(secret) || (preserve !== 'nothing' && isBenignName(String(prefix ?? ''))))) return match;
      count++;
      if (preserve === 'nothing') return marker;
      if (preserve === 'prefix') return `${String(prefix ?? '')}${marker}`;
      return `${String(prefix ?? '')}${marker}${String(suffix ?? '')}`;
    });
  }
  return { text: result, count };
}

/** A `Scrubber` over `referenceScrub` whose `mayMatch` always says yes: structured scrubbing with no prefilter. */
export function referenceScrubber(extras: readonly CompiledSecretPattern[] = []): Scrubber {
  let last = 0;
  return {
    enabled: true,
    scrub(text: string, counter?: RedactionCounter): string {
      const { text: out, count } = referenceScrub(text, extras);
      last = count;
      if (counter) counter.redactions += count;
      return out;
    },
    mayMatch: () => true,
    get lastRedactionCount() {
      return last;
    },
  };
}
