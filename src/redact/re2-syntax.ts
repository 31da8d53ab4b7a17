/**
 * A syntax check for regex sources that must also run in Go's RE2 (the Collector). It does not
 * validate a regex; it lists constructs JavaScript accepts and RE2 rejects or reads differently.
 */

/** RE2 rejects repetition counts above this. */
const RE2_MAX_REPEAT = 1000;

export function findRe2Incompatibilities(source: string): string[] {
  const problems: string[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) problems.push(`backreference \\${next} at ${i}`);
      if (next === 'k' && source[i + 2] === '<') problems.push(`named backreference at ${i}`);
      if (next === 'c') problems.push(`control escape \\c at ${i}`);
      if ((next === 'u' || next === 'p' || next === 'P') && source[i + 2] === '{') problems.push(`Unicode escape \\${next}{…} at ${i}`);
      // `\uXXXX` is rewritten to RE2's `\x{XXXX}` by the generator (`re2Source`); other forms are not.
      if (next === 'u' && !/^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) problems.push(`\\u escape at ${i} (only \\uXXXX is rewritten for RE2)`);
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is literal in RE2 but closes an empty class in JavaScript.
      const first = source[i + 1] === '^' ? i + 2 : i + 1;
      if (source[first] === ']') problems.push(`class starting with ] at ${i}`);
      continue;
    }
    if (ch === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) problems.push(`lookahead at ${i}`);
      else if (rest === '<=' || rest === '<!') problems.push(`lookbehind at ${i}`);
      else if (rest.startsWith('>')) problems.push(`atomic group at ${i}`);
      else if (rest.startsWith('<')) problems.push(`named group (?<…> at ${i}`);
      continue;
    }
    if ((ch === '*' || ch === '+' || ch === '?' || ch === '}') && source[i + 1] === '+') {
      problems.push(`possessive quantifier ${ch}+ at ${i}`);
    }
    if (ch === '{') {
      const bound = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i));
      if (bound) {
        const counts = [bound[1], bound[2]].filter((n): n is string => n !== undefined && n !== '').map(Number);
        if (counts.some((n) => n > RE2_MAX_REPEAT)) problems.push(`repetition count above ${RE2_MAX_REPEAT} at ${i}`);
      }
    }
  }
  return problems;
}
