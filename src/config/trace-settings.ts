/**
 * `span_attributes` and `tracestate` of `[otel]`, validated as Codex validates them (codex-rs/otel:
 * `validate_span_attributes`, `validate_tracestate_entries`): a span attribute key must not be empty;
 * a tracestate member is a W3C list-member key whose value is `field:value` pairs joined by `;`.
 */
import type { ProblemList } from './problems.js';
import { isTable } from './values.js';

/** W3C trace-context list-member key: simple-key, or tenant@system. */
const TRACESTATE_KEY = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const MAX_TRACESTATE_MEMBERS = 32;

export function parseSpanAttributes(value: unknown, path: string, problems: ProblemList): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (value === undefined) return attributes;
  if (!isTable(value)) {
    problems.wrongType(path, 'a table of strings', value);
    return attributes;
  }
  for (const [key, entry] of Object.entries(value)) {
    if (key === '') {
      problems.error(`${path}.""`, 'a span attribute key must not be empty', 'a non-empty key', '""');
      continue;
    }
    if (typeof entry !== 'string') {
      problems.wrongType(`${path}.${key}`, 'a string', entry);
      continue;
    }
    attributes[key] = entry;
  }
  return attributes;
}

export type TracestateEntries = Record<string, Record<string, string>>;

export function parseTracestate(value: unknown, path: string, problems: ProblemList): TracestateEntries {
  const entries: TracestateEntries = {};
  if (value === undefined) return entries;
  if (!isTable(value)) {
    problems.wrongType(path, 'a table of member tables (tracestate = { vendor = { field = "value" } })', value);
    return entries;
  }
  const members = Object.keys(value);
  if (members.length > MAX_TRACESTATE_MEMBERS) {
    problems.error(path, `at most ${MAX_TRACESTATE_MEMBERS} tracestate members`, `<= ${MAX_TRACESTATE_MEMBERS} members`, `${members.length}`);
    return entries;
  }
  for (const member of members) {
    const fields = value[member];
    const memberPath = `${path}.${member}`;
    if (!TRACESTATE_KEY.test(member)) {
      problems.error(memberPath, 'invalid tracestate member key', 'a W3C tracestate key (lowercase letter first, then a-z 0-9 _ - * /, optionally tenant@system)', JSON.stringify(member));
      continue;
    }
    if (!isTable(fields)) {
      problems.wrongType(memberPath, 'a table of strings (field = "value")', fields);
      continue;
    }
    const parsed: Record<string, string> = {};
    let ok = true;
    for (const [field, fieldValue] of Object.entries(fields)) {
      if (!isFieldKey(field)) {
        problems.error(`${memberPath}.${field}`, 'invalid tracestate field key', 'printable ASCII without : ; , = or space', JSON.stringify(field));
        ok = false;
      } else if (typeof fieldValue !== 'string') {
        problems.wrongType(`${memberPath}.${field}`, 'a string', fieldValue);
        ok = false;
      } else if (!isFieldValue(fieldValue)) {
        problems.error(`${memberPath}.${field}`, 'invalid tracestate value', 'printable ASCII without ; , =', JSON.stringify(fieldValue));
        ok = false;
      } else {
        parsed[field] = fieldValue;
      }
    }
    if (!ok) continue;
    const encoded = encodeMemberFields(parsed);
    if (!isHeaderSafeMemberValue(encoded)) {
      problems.error(memberPath, 'invalid tracestate value', 'a member value without a trailing space, at most 256 characters', JSON.stringify(encoded));
      continue;
    }
    entries[member] = parsed;
  }
  return entries;
}

/** `field:value;field:value`, fields in key order (Codex keeps them in a sorted map). */
export function encodeMemberFields(fields: Record<string, string>): string {
  return Object.keys(fields).sort().map((field) => `${field}:${fields[field]}`).join(';');
}

function isFieldKey(key: string): boolean {
  if (key === '') return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3a || c === 0x3b || c === 0x2c || c === 0x3d) return false;
  }
  return true;
}

function isMemberValueChar(c: number): boolean {
  return c >= 0x20 && c <= 0x7e && c !== 0x2c && c !== 0x3d;
}

function isFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!isMemberValueChar(c) || c === 0x3b) return false;
  }
  return true;
}

function isHeaderSafeMemberValue(value: string): boolean {
  if (value === '') return true;
  if (value.length > 256 || value.endsWith(' ')) return false;
  for (let i = 0; i < value.length; i++) if (!isMemberValueChar(value.charCodeAt(i))) return false;
  return true;
}
