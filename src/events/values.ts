/**
 * Coercion of caller values to their wire type. Callers may pass anything (undefined, NaN, huge or
 * malformed strings, objects): the result is always valid for OTLP, or undefined for "leave it out".
 */
import type { WireType } from './catalog.js';

/** Longest string attribute we send, in UTF-16 code units; longer ones are cut (never mid-surrogate). */
export const MAX_STRING_LENGTH = 32 * 1024;

export function toWireString(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else return undefined;
  if (text.length > MAX_STRING_LENGTH) {
    let end = MAX_STRING_LENGTH;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    text = text.slice(0, end);
  }
  // Lone surrogates cannot be encoded as UTF-8; protobuf and JSON encoders would mangle them differently.
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** A non-negative integer: durations and counts. NaN, infinities and negatives become 0. */
export function toNonNegativeInteger(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value);
  else return undefined;
  if (Number.isNaN(n)) return undefined;
  if (n <= 0) return 0;
  if (n >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  return Math.round(n);
}

export function toWireBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The value as its wire type, or undefined when the input cannot give one. */
export function toWireValue(type: WireType, value: unknown): string | number | boolean | undefined {
  switch (type) {
    case 'string':
      return toWireString(value);
    case 'int':
      return toNonNegativeInteger(value);
    case 'strnum': {
      const n = toNonNegativeInteger(value);
      return n === undefined ? undefined : String(n);
    }
    case 'bool':
      return toWireBoolean(value);
    case 'strbool': {
      const b = toWireBoolean(value);
      return b === undefined ? undefined : String(b);
    }
  }
}
