/**
 * `--since` / `--until` values: an RFC 3339 timestamp (`2026-06-09T12:00:00Z`, `2026-06-09T14:00:00.5+02:00`),
 * a bare date (`2026-06-09`, midnight UTC), or a duration back from now (`30m`, `24h`, `7d`, `1h30m`;
 * units `ms`, `s`, `m`, `h`, `d`, `w`).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d|w)/g;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2})))?$/;

export type TimeBoundResult = { ok: true; millis: number } | { ok: false; message: string };

/** Parses one bound; `now` is epoch ms (injected for tests). */
export function parseTimeBound(text: string, now: number = Date.now()): TimeBoundResult {
  const value = text.trim();
  if (DURATION.test(value)) {
    let total = 0;
    for (const match of value.matchAll(DURATION_PART)) total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
    return { ok: true, millis: now - total };
  }
  const match = RFC3339.exec(value);
  if (match && validParts(match)) {
    const iso = match[4] === undefined ? `${value}T00:00:00Z` : value.replace(' ', 'T');
    const millis = Date.parse(iso);
    if (!Number.isNaN(millis)) return { ok: true, millis };
  }
  return {
    ok: false,
    message: `expected an RFC 3339 time such as 2026-06-09T12:00:00Z, a date such as 2026-06-09, or a duration back from now such as 30m, 24h, 7d; got ${JSON.stringify(text)}`,
  };
}

function validParts(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  if (match[4] === undefined) return true;
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 60) return false;
  if (match[9] !== undefined && (Number(match[9]) > 23 || Number(match[10]) > 59)) return false;
  return true;
}
