/**
 * The scrubber's prefilter: which patterns' hint literals occur in a text, found in one regex pass per
 * case mode instead of one substring or regex scan per pattern.
 *
 * Same answers as testing each pattern's hints on its own (`text.includes(hint)`, or the hint as a
 * case-insensitive regex for `i` patterns): the scan looks for every hint of every still-undecided
 * pattern at once, and at each hit checks which hints start there. It resumes one character after
 * the hit, so hints that overlap are not missed, and drops the hints of the patterns it has just
 * decided, so a text full of `key` and `token` costs one hit per pattern, not one per occurrence.
 */

export interface HintSpec {
  readonly hints: readonly string[];
  readonly ignoreCase: boolean;
}

interface HintEntry {
  readonly hint: string;
  /** Bits of the patterns this hint is a hint of. */
  owners: number;
  /** Whether the hint occurs at `index` of `text`, with the same case rule as the pattern's own test. */
  readonly at: (text: string, index: number) => boolean;
}

/** Pruned regexes kept per case mode; past this, new combinations are compiled and not kept. */
const MAX_CACHED_REGEXES = 256;
/** Patterns tracked in one integer bit mask; more patterns take more masks (and one more pass each). */
const MAX_PATTERNS = 30;

class HintGroup {
  private readonly entries: HintEntry[] = [];
  private readonly byFirst = new Map<string, HintEntry[]>();
  private readonly cache = new Map<number, RegExp | null>();
  allOwners = 0;

  constructor(private readonly ignoreCase: boolean) {}

  add(hint: string, bit: number): void {
    const key = this.ignoreCase ? hint.toLowerCase() : hint;
    let entry = this.entries.find((e) => (this.ignoreCase ? e.hint.toLowerCase() : e.hint) === key);
    if (!entry) {
      const sticky = this.ignoreCase ? new RegExp(escapeRegex(hint), 'iy') : undefined;
      const at = sticky
        ? (text: string, index: number) => {
            sticky.lastIndex = index;
            return sticky.test(text);
          }
        : (text: string, index: number) => text.startsWith(hint, index);
      entry = { hint, owners: 0, at };
      this.entries.push(entry);
      const first = this.firstKey(hint);
      const list = this.byFirst.get(first);
      if (list) list.push(entry);
      else this.byFirst.set(first, [entry]);
    }
    entry.owners |= bit;
    this.allOwners |= bit;
  }

  /** Like `scan`, one hint at a time: for the few short texts (markers) scanned ahead of time. */
  scanEach(text: string, found: number): number {
    for (const entry of this.entries) {
      const present = this.ignoreCase ? new RegExp(escapeRegex(entry.hint), 'i').test(text) : text.includes(entry.hint);
      if (present) found |= entry.owners;
    }
    return found;
  }

  /** Sets the bit of every pattern with a hint in `text` into `found`, and returns it. */
  scan(text: string, found: number): number {
    let undecided = this.allOwners;
    let regex = this.regexFor(undecided);
    if (regex === null) return found;
    regex.lastIndex = 0;
    for (;;) {
      const match = regex.exec(text);
      if (match === null) return found;
      const index = match.index;
      let hits = this.hitsAt(this.byFirst.get(this.firstKey(match[0])) ?? this.entries, text, index, undecided);
      // The regex matched a hint, so some entry must start here; look at all of them should the
      // first-character shortcut ever disagree with the regex's case folding.
      if (hits === 0) hits = this.hitsAt(this.entries, text, index, undecided);
      found |= hits;
      undecided &= ~hits;
      if (undecided === 0) return found;
      if (hits !== 0) regex = this.regexFor(undecided) ?? regex;
      regex.lastIndex = index + 1;
    }
  }

  private hitsAt(candidates: readonly HintEntry[], text: string, index: number, undecided: number): number {
    let hits = 0;
    for (const entry of candidates) {
      if ((entry.owners & undecided & ~hits) !== 0 && entry.at(text, index)) hits |= entry.owners;
    }
    return hits & undecided;
  }

  private firstKey(text: string): string {
    const first = text.charAt(0);
    return this.ignoreCase ? first.toLowerCase() : first;
  }

  /** A global regex matching any hint of the patterns in `undecided`, or null when they have none. */
  private regexFor(undecided: number): RegExp | null {
    const cached = this.cache.get(undecided);
    if (cached !== undefined) return cached;
    const hints = this.entries.filter((e) => (e.owners & undecided) !== 0).map((e) => escapeRegex(e.hint));
    const regex = hints.length === 0 ? null : primeRegex(new RegExp(hints.join('|'), this.ignoreCase ? 'gi' : 'g'));
    if (this.cache.size < MAX_CACHED_REGEXES) this.cache.set(undecided, regex);
    return regex;
  }
}

/**
 * Answers "may pattern i match this text?" for a fixed list of patterns, from their hints. A pattern
 * without hints (or one the scanner cannot track) always may.
 */
export class HintScanner {
  /** Per pattern: which chunk of 30 tracks it (-1: none, it always may match) and its bit there. */
  private readonly chunkOf: number[];
  private readonly bits: number[];
  private readonly always: Uint8Array;
  /** One exact and one case-folded group per chunk of up to 30 patterns (an integer bit mask each). */
  private readonly chunks: HintGroup[][] = [];
  private readonly found: number[] = [];
  private readonly scratch: Uint8Array;

  constructor(specs: ReadonlyArray<HintSpec | undefined>) {
    this.chunkOf = specs.map(() => -1);
    this.bits = specs.map(() => 0);
    this.always = new Uint8Array(specs.length);
    this.scratch = new Uint8Array(specs.length);
    let next = 0;
    let exact = new HintGroup(false);
    let folded = new HintGroup(true);
    const close = (): void => {
      const groups = [exact, folded].filter((g) => g.allOwners !== 0);
      if (groups.length > 0) this.chunks.push(groups);
    };
    specs.forEach((spec, i) => {
      if (spec === undefined || spec.hints.length === 0 || !spec.hints.every(isScannableHint)) {
        this.always[i] = 1;
        return;
      }
      if (next === MAX_PATTERNS) {
        close();
        exact = new HintGroup(false);
        folded = new HintGroup(true);
        next = 0;
      }
      const bit = 1 << next++;
      this.chunkOf[i] = this.chunks.length;
      this.bits[i] = bit;
      for (const hint of spec.hints) (spec.ignoreCase ? folded : exact).add(hint, bit);
    });
    close();
  }

  /**
   * One flag per pattern: 1 when it may match `text`. The array is reused by the next call (the scrubber
   * is synchronous and reads it before scanning again): scanning allocates nothing per call.
   */
  scan(text: string): Uint8Array {
    const found = this.found;
    for (let c = 0; c < this.chunks.length; c++) {
      let bits = 0;
      for (const group of this.chunks[c]!) bits = group.scan(text, bits);
      found[c] = bits;
    }
    const result = this.scratch;
    result.set(this.always);
    for (let i = 0; i < result.length; i++) {
      const chunk = this.chunkOf[i]!;
      if (chunk >= 0 && (found[chunk]! & this.bits[i]!) !== 0) result[i] = 1;
    }
    return result;
  }

  /**
   * Same answers as `scan`, hint by hint. For texts scanned ahead of time, so that the scan's own
   * regexes first run on `primeRegex`'s sample (see there), not on these.
   */
  scanEach(text: string): Uint8Array {
    return this.flags(this.chunks.map((groups) => {
      let found = 0;
      for (const group of groups) found = group.scanEach(text, found);
      return found;
    }));
  }

  private flags(found: readonly number[]): Uint8Array {
    const result = this.always.slice();
    for (let i = 0; i < result.length; i++) {
      const chunk = this.chunkOf[i]!;
      if (chunk >= 0 && (found[chunk]! & this.bits[i]!) !== 0) result[i] = 1;
    }
    return result;
  }
}

/**
 * Hints the scanner handles: printable ASCII without brackets. ASCII keeps the case rules simple, and
 * without brackets no hint can straddle the edge of a `[REDACTED:…]` marker, which the scrubber relies
 * on when it updates the answers after a replacement instead of scanning again.
 */
function isScannableHint(hint: string): boolean {
  return /^[\x20-\x5a\x5c\x5e-\x7e]+$/.test(hint);
}

/**
 * Runs a new regex once on long neutral text (one-byte, then two-byte), and returns it.
 *
 * V8 runs a regex in its interpreter first and compiles it to machine code on a later run (at once
 * for subjects of 1000+ characters), once per string encoding; the compiler tunes its Boyer-Moore
 * skip-ahead to the character frequencies of the text at hand. Compiled on a short or letter-heavy
 * text, a many-alternative regex such as the hint scan comes out 2 to 4 times slower on typical
 * output for the rest of the process. A text of characters that no pattern looks for makes every
 * literal look rare, which gives the fast code whatever the first scrubbed texts are. Speed only:
 * no output depends on it.
 */
export function primeRegex<T extends RegExp>(regex: T): T {
  for (const sample of PRIMING_SAMPLES) {
    regex.lastIndex = 0;
    regex.test(sample);
  }
  regex.lastIndex = 0;
  return regex;
}

const PRIMING_SAMPLES = ['\x01'.repeat(2048), '\u0101'.repeat(2048)];

export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
