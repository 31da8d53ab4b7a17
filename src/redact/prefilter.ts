/**
 * The scrubber's prefilter: which patterns' hint literals occur in a text, found in one pass over its
 * UTF-8 bytes instead of one substring or regex scan per pattern.
 *
 * Same answers as testing each pattern's hints on its own (`text.includes(hint)`, or the hint as a
 * case-insensitive regex for `i` patterns). Every hint is printable ASCII, so the pass reads each byte
 * once, folds ASCII letters, and looks the pair it starts up in a table of the hints' first two
 * characters; only at the few positions where a hint may start are the candidates compared. A regex
 * alternation of the ~130 hints did the same in V8 at about 4 ns per character (every alternative is
 * tried at every position); this pass costs about 1 ns per byte and allocates only the encoder's small
 * result object.
 */

export interface HintSpec {
  readonly hints: readonly string[];
  readonly ignoreCase: boolean;
}

/** One distinct hint: its characters (lowercase when it folds case) and the patterns it is a hint of. */
interface HintEntry {
  readonly hint: string;
  readonly codes: Uint8Array;
  readonly ignoreCase: boolean;
  owners: number[];
}

/**
 * Per byte: ASCII letters folded to lowercase, other ASCII unchanged, and 0 for the bytes of non-ASCII
 * characters (0x80 and up), which no hint contains (nor NUL: hints are printable). So a folded pair is
 * `(b0 << 7) | b1`, below 2^14.
 */
const FOLD = new Uint8Array(256).map((_, code) => (code >= 0x80 ? 0 : code >= 0x41 && code <= 0x5a ? code + 0x20 : code));

/**
 * Answers "may pattern i match this text?" for a fixed list of patterns, from their hints. A pattern
 * without hints (or one the scanner cannot track) always may.
 */
export class HintScanner {
  private readonly always: Uint8Array;
  private readonly entries: HintEntry[] = [];
  /**
   * Per folded byte pair: the number of its bucket of candidates (from 1), or 0 when no hint starts with
   * it. Bytes, 16 KiB: the table the scan reads at every position stays in the CPU's first-level cache.
   */
  private readonly pairBucket = new Uint8Array(128 * 128);
  /** Per bucket: the index of its first candidate in `candidates`. */
  private readonly bucketStart: Uint16Array;
  /** One-character hints (a pattern that needs only `.`): looked for in the text itself, the entry and its characters. */
  private readonly singles: Array<{ readonly entry: number; readonly chars: readonly string[] }> = [];
  /** Entry indexes, each run of candidates closed by -1. */
  private readonly candidates: Int16Array;
  /** Per entry: its characters, as a run in `hintCodes` (start, end), and whether they fold case. */
  private readonly hintStart: Uint16Array;
  private readonly hintEnd: Uint16Array;
  private readonly hintCodes: Uint8Array;
  private readonly hintFolds: Uint8Array;
  /** Per entry: its owners, as a run in `owners` (start, end). */
  private readonly ownerStart: Uint16Array;
  private readonly ownerEnd: Uint16Array;
  private readonly owners: Uint16Array;
  /** Per entry, during one scan: already found (its owners are set). Reused. */
  private readonly found: Uint8Array;
  private readonly result: Uint8Array;
  /** The longest hint, in characters (chunks of a long text overlap by one less). */
  private readonly maxHintLength: number;

  constructor(specs: ReadonlyArray<HintSpec | undefined>) {
    this.always = new Uint8Array(specs.length);
    this.result = new Uint8Array(specs.length);
    specs.forEach((spec, index) => {
      if (spec === undefined || spec.hints.length === 0 || !spec.hints.every(isScannableHint)) {
        this.always[index] = 1;
        return;
      }
      for (const hint of spec.hints) this.entryFor(hint, spec.ignoreCase).owners.push(index);
    });
    const byPair = new Map<number, number[]>();
    this.entries.forEach((entry, index) => {
      if (entry.codes.length === 1) {
        this.singles.push({ entry: index, chars: entry.ignoreCase ? [...new Set([entry.hint, entry.hint.toUpperCase()])] : [entry.hint] });
        return;
      }
      const key = (FOLD[entry.codes[0]!]! << 7) | FOLD[entry.codes[1]!]!;
      const list = byPair.get(key);
      if (list) list.push(index);
      else byPair.set(key, [index]);
    });
    if (byPair.size > 255) throw new Error('too many distinct hint beginnings for the scan table');
    const candidates: number[] = [];
    const starts = [0];
    for (const [key, list] of byPair) {
      this.pairBucket[key] = starts.length;
      starts.push(candidates.length);
      candidates.push(...list, -1);
    }
    this.bucketStart = Uint16Array.from(starts);
    this.candidates = Int16Array.from(candidates);
    const owners: number[] = [];
    this.ownerStart = new Uint16Array(this.entries.length);
    this.ownerEnd = new Uint16Array(this.entries.length);
    const codes: number[] = [];
    this.hintStart = new Uint16Array(this.entries.length);
    this.hintEnd = new Uint16Array(this.entries.length);
    this.hintFolds = new Uint8Array(this.entries.length);
    this.entries.forEach((entry, index) => {
      this.ownerStart[index] = owners.length;
      owners.push(...entry.owners);
      this.ownerEnd[index] = owners.length;
      this.hintStart[index] = codes.length;
      codes.push(...entry.codes);
      this.hintEnd[index] = codes.length;
      this.hintFolds[index] = entry.ignoreCase ? 1 : 0;
    });
    this.owners = Uint16Array.from(owners);
    this.hintCodes = Uint8Array.from(codes);
    this.found = new Uint8Array(this.entries.length);
    this.maxHintLength = Math.max(1, ...this.entries.map((entry) => entry.codes.length));
  }

  private entryFor(hint: string, ignoreCase: boolean): HintEntry {
    const key = ignoreCase ? hint.toLowerCase() : hint;
    let entry = this.entries.find((e) => e.ignoreCase === ignoreCase && e.hint === key);
    if (!entry) {
      entry = { hint: key, codes: Uint8Array.from(key, (c) => c.charCodeAt(0)), ignoreCase, owners: [] };
      this.entries.push(entry);
    }
    return entry;
  }

  /**
   * One flag per pattern: 1 when it may match `text`. The array is reused by the next call (the scrubber
   * is synchronous and reads it before scanning again), and so is the byte buffer.
   *
   * The text is read as UTF-8 bytes, which a native encoder writes into a reused buffer far faster than
   * JavaScript reads characters one by one. The answers are the same: an ASCII character is the same
   * single byte in UTF-8, and every byte of any other character is 0x80 or more, so a hint (printable
   * ASCII) occurs in the bytes exactly where it occurs in the text. Long texts go in overlapping chunks.
   */
  scan(text: string): Uint8Array {
    const result = this.result;
    result.set(this.always);
    this.found.fill(0);
    const length = text.length;
    for (const { entry, chars } of this.singles) {
      if (chars.some((char) => text.includes(char))) this.setFound(entry);
    }
    if (length <= CHUNK_UNITS) {
      this.scanBytes(encoder.encodeInto(text, bytes).written);
      return result;
    }
    for (let start = 0; start < length; start += CHUNK_UNITS) {
      // A hint that starts in this chunk ends within the longest hint's length of its end.
      const end = Math.min(length, start + CHUNK_UNITS + this.maxHintLength - 1);
      this.scanBytes(encoder.encodeInto(text.slice(start, end), bytes).written);
      if (end === length) break;
    }
    return result;
  }

  /**
   * Finds the hints of two characters or more in `bytes[0, length)`. Four positions per step (the zeros
   * written after the text fold to 0, which starts no pair): hits are rare, so a step usually costs five
   * loads and one test.
   */
  private scanBytes(length: number): void {
    const pairBucket = this.pairBucket;
    const data = bytes;
    data[length] = 0;
    data[length + 1] = 0;
    data[length + 2] = 0;
    data[length + 3] = 0;
    data[length + 4] = 0;
    let f0 = FOLD[data[0]!]!;
    for (let i = 0; i < length; i += 4) {
      const f1 = FOLD[data[i + 1]!]!;
      const f2 = FOLD[data[i + 2]!]!;
      const f3 = FOLD[data[i + 3]!]!;
      const f4 = FOLD[data[i + 4]!]!;
      const b0 = pairBucket[(f0 << 7) | f1]!;
      const b1 = pairBucket[(f1 << 7) | f2]!;
      const b2 = pairBucket[(f2 << 7) | f3]!;
      const b3 = pairBucket[(f3 << 7) | f4]!;
      if ((b0 | b1 | b2 | b3) !== 0) {
        if (b0 !== 0) this.check(this.bucketStart[b0]!, i, length);
        if (b1 !== 0) this.check(this.bucketStart[b1]!, i + 1, length);
        if (b2 !== 0) this.check(this.bucketStart[b2]!, i + 2, length);
        if (b3 !== 0) this.check(this.bucketStart[b3]!, i + 3, length);
      }
      f0 = f4;
    }
  }

  /** Compares the candidates listed from `at` in `candidates` with the bytes at `index`; sets the owners of those found. */
  private check(at: number, index: number, length: number): void {
    const { candidates, found, hintStart, hintEnd, hintCodes, hintFolds } = this;
    const data = bytes;
    for (let c = candidates[at]!; c !== -1; c = candidates[++at]!) {
      if (found[c] === 1) continue;
      // The first two characters matched (folded) to reach this bucket; compare them exactly unless folding.
      const start = hintStart[c]!;
      const end = hintEnd[c]!;
      if (index + end - start > length) continue;
      const fold = hintFolds[c] === 1;
      let k = start;
      for (let position = index; k < end; k++, position++) {
        const code = data[position]!;
        if ((fold ? FOLD[code] : code) !== hintCodes[k]) break;
      }
      if (k === end) this.setFound(c);
    }
  }

  private setFound(entry: number): void {
    this.found[entry] = 1;
    for (let o = this.ownerStart[entry]!; o < this.ownerEnd[entry]!; o++) this.result[this.owners[o]!] = 1;
  }

  /**
   * Same answers as `scan`, hint by hint (the straightforward way). For the few short texts scanned
   * ahead of time (markers), and as the reference in the tests.
   */
  scanEach(text: string): Uint8Array {
    const result = this.always.slice();
    const folded = text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    for (const entry of this.entries) {
      if ((entry.ignoreCase ? folded : text).includes(entry.hint)) for (const owner of entry.owners) result[owner] = 1;
    }
    return result;
  }
}

/** Longer hints are not tracked (their patterns always may match): the chunks of a long text overlap by this much. */
const MAX_HINT_LENGTH = 64;
/** Texts up to this many UTF-16 code units are scanned in one piece; longer ones in chunks of it. */
const CHUNK_UNITS = 16 * 1024;
const encoder = new TextEncoder();
/** The scan buffer: a code unit takes at most 3 bytes of UTF-8 (a pair takes 4 for 2 units). Shared: scans are synchronous. */
const bytes = new Uint8Array(3 * (CHUNK_UNITS + MAX_HINT_LENGTH) + 8);

/**
 * Hints the scanner handles: printable ASCII without brackets. ASCII keeps the case rules simple, and
 * without brackets no hint can straddle the edge of a `[REDACTED:…]` marker, which the scrubber relies
 * on when it updates the answers after a replacement instead of scanning again.
 */
function isScannableHint(hint: string): boolean {
  return hint.length <= MAX_HINT_LENGTH && /^[\x20-\x5a\x5c\x5e-\x7e]+$/.test(hint);
}


/**
 * Runs a new regex once on long neutral text (one-byte, then two-byte), and returns it.
 *
 * V8 runs a regex in its interpreter first and compiles it to machine code on a later run (at once
 * for subjects of 1000+ characters), once per string encoding; the compiler tunes its Boyer-Moore
 * skip-ahead to the character frequencies of the text at hand. Compiled on a short or letter-heavy
 * text, a regex of many alternatives comes out 2 to 4 times slower on typical output for the rest of
 * the process. A text of characters that no pattern looks for makes every literal look rare, which
 * gives the fast code whatever the first scrubbed texts are. Speed only: no output depends on it.
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
