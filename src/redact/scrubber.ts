import { compileBuiltInPattern, type CompiledSecretPattern } from './compile.js';
import { SECRET_PATTERNS, redactionMarker } from './patterns.js';
import { isBenignName, isCodeOrReference } from './keep.js';
import { HintScanner, primeRegex } from './prefilter.js';
import { scrubThroughEscapes } from './unicode-escapes.js';

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
  /**
   * False when no built-in pattern can match anywhere in `text` (none of their hints occurs) and no
   * extra pattern is configured: a cheap test for texts that are scrubbed piece by piece (JSON).
   */
  mayMatch(text: string): boolean;
}

export interface ScrubberOptions {
  /** Default true. Only an explicit `false` turns scrubbing off. */
  enabled?: boolean;
  /** From `compileExtraPatterns`; they run after the built-in patterns. */
  extraPatterns?: readonly CompiledSecretPattern[];
}

/** Shorter texts hold no match of any pattern (checked in the tests against every built-in pattern). */
export const MIN_MATCH_LENGTH = 6;

/** What `scrub` returns when a pattern pass throws (e.g. the result would exceed the maximum string length). */
export const SCRUB_FAILED = redactionMarker('scrub_failed');

type Replacer = (match: string, ...groups: unknown[]) => string;

interface Step {
  readonly pattern: CompiledSecretPattern;
  readonly replace: Replacer;
}

/**
 * How the steps run. Consecutive single-line steps that share a precheck form one `lines` unit: they
 * run, one after the other, on the lines where the precheck matches (see `applyOnLines`).
 */
type Unit =
  | { readonly type: 'whole'; readonly index: number; readonly precheck: RegExp | undefined }
  | { readonly type: 'lines'; readonly indexes: readonly number[]; readonly precheck: RegExp };

interface BuiltInPlan {
  readonly patterns: readonly CompiledSecretPattern[];
  readonly scanner: HintScanner;
  /** Per built-in pattern: which patterns' hints its marker contains (a replacement can add them). */
  readonly markerHints: readonly Uint8Array[];
}

// Compiled once: RegExp objects are reused by every scrubber (scrub is synchronous and resets lastIndex).
let builtIns: BuiltInPlan | undefined;
function builtInPlan(): BuiltInPlan {
  if (!builtIns) {
    const patterns = SECRET_PATTERNS.map(compileBuiltInPattern);
    for (const pattern of patterns) primeRegex(pattern.regex);
    const scanner = new HintScanner(patterns.map((p) => (p.spec ? { hints: p.spec.hints, ignoreCase: p.spec.flags === 'i' } : undefined)));
    builtIns = { patterns, scanner, markerHints: patterns.map((p) => scanner.scanEach(redactionMarker(p.kind))) };
  }
  return builtIns;
}

export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  const enabled = options.enabled !== false;
  const tally = { count: 0 };
  const plan = builtInPlan();
  const steps: Step[] = [...plan.patterns, ...(options.extraPatterns ?? [])].map((pattern) => ({
    pattern,
    replace: replacerFor(pattern, tally),
  }));
  const units = planUnits(steps);
  let lastRedactionCount = 0;

  function scrub(text: string, counter?: RedactionCounter): string {
    tally.count = 0;
    let result = text;
    // No pattern matches fewer characters (`?key=x`, `_pwd=x`): nothing to look for.
    if (enabled && !(typeof text === 'string' && text.length < MIN_MATCH_LENGTH)) {
      try {
        if (typeof text !== 'string') throw new TypeError('scrub expects a string');
        // `\uXXXX` escapes (JSON writers, cut previews): the rules read the decoded text.
        result = scrubThroughEscapes(text, (view) => applySteps(plan, steps, units, tally, view));
      } catch {
        tally.count = 1;
        result = SCRUB_FAILED;
      }
    }
    lastRedactionCount = tally.count;
    if (counter) counter.redactions += tally.count;
    return result;
  }

  const extras = options.extraPatterns?.length ?? 0;
  function mayMatch(text: string): boolean {
    if (!enabled || text.length < MIN_MATCH_LENGTH) return false;
    if (extras > 0) return true;
    const flags = plan.scanner.scan(text);
    for (let i = 0; i < flags.length; i++) if (flags[i] === 1) return true;
    return false;
  }

  return {
    enabled,
    scrub,
    mayMatch,
    get lastRedactionCount() {
      return lastRedactionCount;
    },
  };
}

function planUnits(steps: readonly Step[]): Unit[] {
  const units: Unit[] = [];
  const prechecks = new Map<string, RegExp>();
  const precheckFor = (source: string, flags: string, global: boolean): RegExp => {
    const key = `${global ? 'g' : ''}${flags}/${source}`;
    let regex = prechecks.get(key);
    if (!regex) prechecks.set(key, (regex = primeRegex(new RegExp(source, `${global ? 'g' : ''}${flags}`))));
    return regex;
  };
  steps.forEach(({ pattern }, index) => {
    const spec = pattern.spec;
    if (spec?.precheck === undefined) {
      units.push({ type: 'whole', index, precheck: undefined });
      return;
    }
    if (spec.singleLine !== true) {
      units.push({ type: 'whole', index, precheck: precheckFor(spec.precheck, spec.flags, false) });
      return;
    }
    const precheck = precheckFor(spec.precheck, spec.flags, true);
    const last = units[units.length - 1];
    if (last?.type === 'lines' && last.precheck === precheck) units[units.length - 1] = { ...last, indexes: [...last.indexes, index] };
    else units.push({ type: 'lines', indexes: [index], precheck });
  });
  return units;
}

/**
 * Runs the patterns in order. Each pattern is skipped when its hints are absent: they are looked up
 * once, in one pass (`HintScanner`), and after a replacement the hints its marker brings are added
 * (a hint cannot straddle a marker's brackets, and a replacement only removes text otherwise).
 */
function applySteps(plan: BuiltInPlan, steps: readonly Step[], units: readonly Unit[], tally: { count: number }, text: string): string {
  if (typeof text !== 'string') throw new TypeError('scrub expects a string');
  const builtInCount = plan.patterns.length;
  const mayMatch = plan.scanner.scan(text);
  const replaced = (index: number): void => {
    const hints = plan.markerHints[index];
    if (hints) for (let i = 0; i < hints.length; i++) if (hints[i] === 1) mayMatch[i] = 1;
  };
  let result = text;
  for (const unit of units) {
    const before = tally.count;
    if (unit.type === 'whole') {
      const { pattern, replace } = steps[unit.index]!;
      if (unit.index < builtInCount ? mayMatch[unit.index] === 0 : !pattern.mayMatch(result)) continue;
      if (unit.precheck !== undefined && !unit.precheck.test(result)) continue;
      pattern.regex.lastIndex = 0;
      result = result.replace(pattern.regex, replace);
      if (tally.count !== before) replaced(unit.index);
    } else {
      if (unit.indexes.every((index) => (index < builtInCount ? mayMatch[index] === 0 : !steps[index]!.pattern.mayMatch(result)))) continue;
      result = applyOnLines(result, unit.precheck, unit.indexes.map((index) => steps[index]!));
      if (tally.count !== before) unit.indexes.forEach(replaced);
    }
  }
  return result;
}

/**
 * Runs `steps` (single-line patterns, see `SecretPattern.singleLine`) on the lines of `text` where
 * `precheck` matches, runs of such lines together, and leaves the other lines alone: a line without
 * a precheck match holds no match of any of them, before or after the others ran. Same result as
 * running each step on the whole text, since no match crosses a line feed (one that starts on the
 * `\n` before a line keeps it in group 1; on the slice, `^` matches there instead).
 */
function applyOnLines(text: string, precheck: RegExp, steps: readonly Step[]): string {
  let result = '';
  let copied = 0;
  let start = -1;
  let end = -1;
  const flush = (): void => {
    let slice = text.slice(start, end);
    for (const { pattern, replace } of steps) {
      pattern.regex.lastIndex = 0;
      slice = slice.replace(pattern.regex, replace);
    }
    result += text.slice(copied, start) + slice;
    copied = end;
  };
  precheck.lastIndex = 0;
  for (let match = precheck.exec(text); match !== null; match = precheck.exec(text)) {
    const lineStart = text.lastIndexOf('\n', match.index) + 1;
    let lineEnd = text.indexOf('\n', match.index + match[0].length);
    if (lineEnd === -1) lineEnd = text.length;
    if (start !== -1 && lineStart === end + 1) end = lineEnd;
    else {
      if (start !== -1) flush();
      start = lineStart;
      end = lineEnd;
    }
    if (lineEnd >= text.length) break;
    precheck.lastIndex = lineEnd + 1;
  }
  if (start === -1) return text;
  flush();
  result += text.slice(copied);
  return result === text ? text : result;
}

function replacerFor(pattern: CompiledSecretPattern, tally: { count: number }): Replacer {
  const marker = redactionMarker(pattern.kind);
  const keeps = pattern.spec?.keep === 'code-or-reference';
  switch (pattern.preserve) {
    case 'nothing':
      return (match) => {
        if (keeps && isCodeOrReference(match)) return match;
        tally.count++;
        return marker;
      };
    case 'prefix':
      return (match, prefix) => {
        const kept = String(prefix ?? '');
        if (keeps && (isCodeOrReference(match.slice(kept.length)) || isBenignName(kept))) return match;
        tally.count++;
        return `${kept}${marker}`;
      };
    case 'prefix-and-suffix':
      return (match, prefix, suffix) => {
        const kept = String(prefix ?? '');
        const after = String(suffix ?? '');
        if (keeps && isCodeOrReference(match.slice(kept.length, match.length - after.length))) return match;
        tally.count++;
        return `${kept}${marker}${after}`;
      };
  }
}
