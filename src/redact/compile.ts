import { redactionMarker, type PreservedContext, type SecretPattern } from './patterns.js';
import { escapeRegex } from './prefilter.js';

/** A pattern ready for the scrubber. */
export interface CompiledSecretPattern {
  readonly kind: string;
  /** Global regex; the scrubber resets `lastIndex` itself. */
  readonly regex: RegExp;
  readonly preserve: PreservedContext;
  /** False when the text cannot contain a match: a cheap substring test run before the regex. */
  readonly mayMatch: (text: string) => boolean;
  /**
   * Built-in patterns: the data compiled here. The scrubber reads its hints, precheck and `singleLine`
   * to test all patterns in one pass and to run line-local patterns on the lines that need them.
   */
  readonly spec?: SecretPattern;
}

/** An operator-supplied pattern, as it comes from `[otel.codex_otel.redaction] extra_patterns`. */
export interface ExtraPatternSpec {
  kind: string;
  regex: string;
}

export interface ExtraPatternError {
  /** Position in the list the operator wrote. */
  index: number;
  message: string;
}

export type ExtraPatternsResult =
  | { ok: true; patterns: CompiledSecretPattern[] }
  | { ok: false; errors: ExtraPatternError[] };

/** The charset the config loader accepts for `kind`; it ends up inside `[REDACTED:<kind>]`. */
const KIND_SYNTAX = /^[A-Za-z0-9_.-]{1,64}$/;
/** The way RE2 writes a case-insensitive pattern; accepted here so one spelling works in both places. */
const CASE_INSENSITIVE_PREFIX = '(?i)';

export function compileBuiltInPattern(pattern: SecretPattern): CompiledSecretPattern {
  return {
    kind: pattern.kind,
    regex: new RegExp(pattern.source, `g${pattern.flags}`),
    preserve: pattern.preserve,
    mayMatch: pattern.precheck === undefined ? hintTest(pattern.hints, pattern.flags === 'i') : regexTest(pattern.precheck, pattern.flags),
    spec: pattern,
  };
}

/**
 * Compiles the operator's extra patterns. Each one replaces its whole match. Errors name the list
 * position and never echo the regex, which may itself contain a fragment of a secret.
 */
export function compileExtraPatterns(list: readonly ExtraPatternSpec[]): ExtraPatternsResult {
  const patterns: CompiledSecretPattern[] = [];
  const errors: ExtraPatternError[] = [];
  list.forEach((spec, index) => {
    const problem = checkExtraPattern(spec);
    if (typeof problem === 'string') errors.push({ index, message: problem });
    else patterns.push(problem);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, patterns };
}

function checkExtraPattern(spec: ExtraPatternSpec): CompiledSecretPattern | string {
  const kind: unknown = spec?.kind;
  const source: unknown = spec?.regex;
  if (typeof kind !== 'string' || !KIND_SYNTAX.test(kind)) {
    return 'kind must be 1 to 64 letters, digits, "_", "-" or "."';
  }
  if (typeof source !== 'string' || source === '') return 'regex must be a non-empty string';
  const caseInsensitive = source.startsWith(CASE_INSENSITIVE_PREFIX);
  const body = caseInsensitive ? source.slice(CASE_INSENSITIVE_PREFIX.length) : source;
  let regex: RegExp;
  try {
    regex = new RegExp(body, caseInsensitive ? 'gi' : 'g');
  } catch (error) {
    // V8 quotes the whole source in its message ("Invalid regular expression: /…/: reason"); keep the reason.
    const reason = String((error as Error).message).split(': ').pop();
    return `regex is not a valid JavaScript regular expression: ${reason}`;
  }
  if (matches(regex, '')) return 'regex matches the empty string';
  // A pattern that matches its own marker would redact its output again on every pass through a
  // second line of defence, and count it each time.
  if (matches(regex, redactionMarker(kind))) return `regex matches its own replacement ${redactionMarker(kind)}`;
  return { kind, regex, preserve: 'nothing', mayMatch: always };
}

function matches(regex: RegExp, text: string): boolean {
  regex.lastIndex = 0;
  const found = regex.test(text);
  regex.lastIndex = 0;
  return found;
}

const always = (): boolean => true;

function hintTest(hints: readonly string[], caseInsensitive: boolean): (text: string) => boolean {
  if (hints.length === 0) return always;
  if (caseInsensitive) {
    const anyHint = new RegExp(hints.map(escapeRegex).join('|'), 'i');
    return (text) => anyHint.test(text);
  }
  return (text) => {
    for (const hint of hints) if (text.includes(hint)) return true;
    return false;
  };
}

// Patterns that share a precheck share one test, which remembers its last answer: the three
// assignment patterns ask about the same text in a row.
const prechecks = new Map<string, (text: string) => boolean>();

function regexTest(source: string, flags: string): (text: string) => boolean {
  const key = `${flags}/${source}`;
  let test = prechecks.get(key);
  if (!test) {
    const precheck = new RegExp(source, flags);
    let lastText: string | undefined;
    let lastAnswer = false;
    test = (text) => {
      if (text !== lastText) {
        lastAnswer = precheck.test(text);
        lastText = text;
      }
      return lastAnswer;
    };
    prechecks.set(key, test);
  }
  return test;
}
