import type { ProblemList } from './problems.js';

export type Table = Record<string, unknown>;

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
    && (value as object).constructor?.name !== 'TomlDate';
}

/** Reads one optional typed key; a wrong type is recorded and the default returned. */
export function readString(table: Table, key: string, path: string, problems: ProblemList): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  problems.wrongType(`${path}.${key}`, 'a string', value);
  return undefined;
}

export function readBoolean(table: Table, key: string, path: string, problems: ProblemList): boolean | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  problems.wrongType(`${path}.${key}`, 'a boolean (true or false)', value);
  return undefined;
}

export function readPositiveInteger(
  table: Table,
  key: string,
  path: string,
  problems: ProblemList,
  min = 1,
): number | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  problems.wrongType(`${path}.${key}`, `an integer >= ${min}`, value);
  return undefined;
}

/** The longest delay a Node timer honours: a larger one fires after about 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * An integer in its working range `[min, max]`: what Node timers and the transports can do, not only
 * what TOML can hold. The problem names the key, the range and the value found.
 */
export function readIntegerInRange(table: Table, key: string, path: string, problems: ProblemList, min: number, max: number): number | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.wrongType(`${path}.${key}`, `an integer from ${min} to ${max}`, value);
  return undefined;
}

export function readChoice<T extends string>(
  table: Table,
  key: string,
  path: string,
  choices: readonly T[],
  problems: ProblemList,
): T | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  problems.wrongType(`${path}.${key}`, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
  return undefined;
}

export function readTable(table: Table, key: string, path: string, problems: ProblemList): Table | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (isTable(value)) return value;
  problems.wrongType(`${path}.${key}`, 'a table', value);
  return undefined;
}

/** A table whose values are all strings (`span_attributes`, `tracestate`); other values are reported and left out. */
export function readStringTable(table: Table, key: string, path: string, problems: ProblemList): Record<string, string> | undefined {
  const value = readTable(table, key, path, problems);
  if (value === undefined) return undefined;
  const strings: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string') strings[name] = entry;
    else problems.wrongType(`${path}.${key}.${name}`, 'a string', entry);
  }
  return strings;
}

/** Warns about keys we do not know; `hint` may suggest the intended spelling. */
export function warnUnknownKeys(
  table: Table,
  known: readonly string[],
  path: string,
  problems: ProblemList,
  what = 'ignored',
): void {
  for (const key of Object.keys(table)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.replace(/[-_]/g, '') === key.replace(/[-_]/g, '').toLowerCase());
    problems.warn(`${path}.${key}`, `unknown key, ${what}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`);
  }
}
