import { compileBuiltInPattern, type CompiledSecretPattern } from './compile.js';
import { SECRET_PATTERNS, redactionMarker } from './patterns.js';

/** Accumulates redactions across the fields of one event. */
export interface RedactionCounter {
  redactions: number;
}

export interface Scrubber {
  /** False only when the operator wrote `enabled = false`. */
  readonly enabled: boolean;
  /**
   * The text with every secret replaced by `[REDACTED:<kind>]`; the same string when nothing
   * matched. Never throws: if scrubbing fails, the result is `[REDACTED:scrub_failed]`, never the
   * input. Adds the number of replacements to `counter` when one is given.
   */
  scrub(text: string, counter?: RedactionCounter): string;
  /** Replacements made by the most recent `scrub` call. */
  readonly lastRedactionCount: number;
}

export interface ScrubberOptions {
  /** Default true. Only an explicit `false` turns scrubbing off. */
  enabled?: boolean;
  /** From `compileExtraPatterns`; they run after the built-in patterns. */
  extraPatterns?: readonly CompiledSecretPattern[];
}

/** What `scrub` returns when a pattern pass throws (e.g. the result would exceed the maximum string length). */
export const SCRUB_FAILED = redactionMarker('scrub_failed');

type Replacer = (match: string, ...groups: unknown[]) => string;

interface Step {
  readonly pattern: CompiledSecretPattern;
  readonly replace: Replacer;
}

// Compiled once: RegExp objects are reused by every scrubber (scrub is synchronous and resets lastIndex).
let builtIns: readonly CompiledSecretPattern[] | undefined;
function builtInPatterns(): readonly CompiledSecretPattern[] {
  builtIns ??= SECRET_PATTERNS.map(compileBuiltInPattern);
  return builtIns;
}

export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  const enabled = options.enabled !== false;
  const tally = { count: 0 };
  const steps: Step[] = [...builtInPatterns(), ...(options.extraPatterns ?? [])].map((pattern) => ({
    pattern,
    replace: replacerFor(pattern, tally),
  }));
  let lastRedactionCount = 0;

  function scrub(text: string, counter?: RedactionCounter): string {
    tally.count = 0;
    let result = text;
    if (enabled) {
      try {
        result = applySteps(steps, text);
      } catch {
        tally.count = 1;
        result = SCRUB_FAILED;
      }
    }
    lastRedactionCount = tally.count;
    if (counter) counter.redactions += tally.count;
    return result;
  }

  return {
    enabled,
    scrub,
    get lastRedactionCount() {
      return lastRedactionCount;
    },
  };
}

function applySteps(steps: readonly Step[], text: string): string {
  if (typeof text !== 'string') throw new TypeError('scrub expects a string');
  let result = text;
  for (const { pattern, replace } of steps) {
    if (!pattern.mayMatch(result)) continue;
    pattern.regex.lastIndex = 0;
    result = result.replace(pattern.regex, replace);
  }
  return result;
}

function replacerFor(pattern: CompiledSecretPattern, tally: { count: number }): Replacer {
  const marker = redactionMarker(pattern.kind);
  switch (pattern.preserve) {
    case 'nothing':
      return () => {
        tally.count++;
        return marker;
      };
    case 'prefix':
      return (_match, prefix) => {
        tally.count++;
        return `${String(prefix ?? '')}${marker}`;
      };
    case 'prefix-and-suffix':
      return (_match, prefix, suffix) => {
        tally.count++;
        return `${String(prefix ?? '')}${marker}${String(suffix ?? '')}`;
      };
  }
}
