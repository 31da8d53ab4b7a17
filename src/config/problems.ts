import type { ConfigProblem } from './types.js';

/** Collects every problem of one load, so a person sees all of them at once. */
export class ProblemList {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  error(path: string, message: string, expected?: string, found?: string): void {
    this.errors.push(withOptional({ path, message }, expected, found));
  }

  /** The value's type and, when `showValue`, the value itself. Secrets must pass showValue = false. */
  wrongType(path: string, expected: string, value: unknown, showValue = true): void {
    this.error(path, `expected ${expected}`, expected, describeFound(value, showValue));
  }

  /** The same warning twice (one malformed environment variable read for each exporter) is said once. */
  warn(path: string, message: string): void {
    if (this.warnings.some((w) => w.path === path && w.message === message)) return;
    this.warnings.push({ path, message });
  }
}

function withOptional(problem: ConfigProblem, expected?: string, found?: string): ConfigProblem {
  if (expected !== undefined) problem.expected = expected;
  if (found !== undefined) problem.found = found;
  return problem;
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date || (typeof value === 'object' && value.constructor?.name === 'TomlDate')) return 'a date';
  if (typeof value === 'object') return 'a table';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a float';
  if (typeof value === 'bigint') return 'an integer';
  return `a ${typeof value}`;
}

export function describeFound(value: unknown, showValue: boolean): string {
  const kind = typeName(value);
  if (!showValue) return kind;
  if (typeof value === 'string') return `${kind} ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${kind} ${String(value)}`;
  if (kind === 'a table' && value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `a table with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty table';
  }
  return kind;
}

export function formatProblem(problem: ConfigProblem): string {
  let line = `${problem.path}: ${problem.message}`;
  const detail: string[] = [];
  if (problem.expected !== undefined && !problem.message.includes(problem.expected)) detail.push(`expected ${problem.expected}`);
  if (problem.found !== undefined) detail.push(`found ${problem.found}`);
  if (detail.length) line += ` (${detail.join('; ')})`;
  return line;
}

export class ConfigError extends Error {
  constructor(readonly errors: ConfigProblem[], readonly warnings: ConfigProblem[] = []) {
    super(`invalid telemetry config:\n${errors.map((e) => `  - ${formatProblem(e)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
