/**
 * Tag sanitizing of contract §3.2. Codex drops a whole data point when a tag has a character outside
 * `[A-Za-z0-9._-/]` (so `gpt-oss:20b` loses every metric); we replace such characters instead.
 */
const DISALLOWED = /[^A-Za-z0-9._\-/]/g;
const ALLOWED_ONLY = /^[A-Za-z0-9._\-/]+$/;
export const MAX_TAG_LENGTH = 256;
export const EMPTY_TAG = 'unspecified';

export function sanitizeTag(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  if (text.length <= MAX_TAG_LENGTH && ALLOWED_ONLY.test(text) && text[0] !== '_' && text[text.length - 1] !== '_') return text;
  let cleaned = text.replace(DISALLOWED, '_');
  let start = 0;
  let end = cleaned.length;
  while (start < end && cleaned[start] === '_') start++;
  while (end > start && cleaned[end - 1] === '_') end--;
  cleaned = cleaned.slice(start, Math.min(end, start + MAX_TAG_LENGTH));
  return cleaned === '' ? EMPTY_TAG : cleaned;
}

/**
 * Tag values repeat (tool names, kinds, statuses): remember the sanitized form of the last few hundred
 * so the hot path does no regex work for them. Bounded so an unbounded value stream cannot grow it.
 */
export class TagCache {
  private readonly cache = new Map<string, string>();

  /** `scrub`: applied to string values before sanitizing (secret scrubbing), once per distinct value. */
  constructor(private readonly capacity = 512, private readonly scrub?: (value: string) => string) {}

  get(value: unknown): string {
    if (typeof value !== 'string') return sanitizeTag(value);
    const hit = this.cache.get(value);
    if (hit !== undefined) return hit;
    const clean = sanitizeTag(this.scrub ? this.scrub(value) : value);
    if (this.cache.size >= this.capacity) this.cache.clear();
    this.cache.set(value, clean);
    return clean;
  }
}
