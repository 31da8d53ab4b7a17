/**
 * Shared parts of the OTLP converters of `otlp-convert.ts`: the encoding-specific primitives
 * (protobuf plain objects vs OTLP/JSON) and the common messages (AnyValue, KeyValue, Resource, Scope).
 *
 * They are strict on purpose: a value of the wrong JSON type, an AnyValue with two members, an unknown
 * key (e.g. snake_case `event_name` in JSON) or an enum sent as a name throws, and the receiver turns
 * the throw into a recorded error. Nothing is coerced silently.
 */
import type { Attr, AttrMap, PayloadEncoding, ReceivedScope, TypedValue } from './otlp-model.js';

export type Obj = Record<string, unknown>;

/** The encoding-specific primitives; everything structural is shared. */
export interface Source {
  encoding: PayloadEncoding;
  /** Virtual oneof properties that protobufjs adds with `oneofs: true` (never in JSON). */
  virtualKeys: ReadonlySet<string>;
  int64(value: unknown, where: string): string;
  double(value: unknown, where: string): number;
  /** trace_id / span_id */
  id(value: unknown, where: string): string;
  /** AnyValue.bytes_value */
  bytes(value: unknown, where: string): string;
}

export class OtlpShapeError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'OtlpShapeError';
  }
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const INT64 = /^-?\d+$/;

function int64FromStringOrNumber(value: unknown, where: string): string {
  if (typeof value === 'string' && INT64.test(value)) return BigInt(value).toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new OtlpShapeError(where, `expected an int64 (decimal string or integer), got ${describe(value)}`);
}

export const protobufSource: Source = {
  encoding: 'protobuf',
  // AnyValue/NumberDataPoint/Exemplar `value`, Metric `data`, proto3 `optional` synthetic oneofs.
  virtualKeys: new Set(['value', 'data', '_sum', '_min', '_max']),
  int64(value, where) {
    if (typeof value === 'string' && INT64.test(value)) return value;
    throw new OtlpShapeError(where, `expected a decoded int64 string, got ${describe(value)}`);
  },
  double(value, where) {
    if (typeof value === 'number') return value;
    throw new OtlpShapeError(where, `expected a double, got ${describe(value)}`);
  },
  id(value, where) {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    throw new OtlpShapeError(where, `expected bytes, got ${describe(value)}`);
  },
  bytes(value, where) {
    return this.id(value, where);
  },
};

const SPECIAL_DOUBLES: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

export const jsonSource: Source = {
  encoding: 'json',
  virtualKeys: new Set(),
  int64: int64FromStringOrNumber,
  double(value, where) {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && value in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[value] as number;
    throw new OtlpShapeError(where, `expected a JSON number, got ${describe(value)}`);
  },
  id(value, where) {
    // OTLP/JSON deviates from proto3 JSON here: trace and span ids are hex, not base64.
    if (typeof value === 'string' && /^([0-9a-fA-F]{2})*$/.test(value)) return value.toLowerCase();
    throw new OtlpShapeError(where, `expected a hex id string, got ${describe(value)}`);
  },
  bytes(value, where) {
    if (typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
      return Buffer.from(value, 'base64').toString('hex');
    }
    throw new OtlpShapeError(where, `expected base64 bytes, got ${describe(value)}`);
  },
};

// ---------------------------------------------------------------------------------------------
// Structural readers

export function object(value: unknown, where: string): Obj {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)) {
    return value as Obj;
  }
  throw new OtlpShapeError(where, `expected an object, got ${describe(value)}`);
}

export function onlyKnownKeys(src: Source, obj: Obj, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key) && !src.virtualKeys.has(key)) {
      throw new OtlpShapeError(where, `unexpected key "${key}" (known: ${known.join(', ')})`);
    }
  }
}

/** A repeated field; absent means empty (proto3 and `defaults: false`). */
export function list(obj: Obj, key: string, where: string): unknown[] {
  const value = obj[key];
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  throw new OtlpShapeError(`${where}.${key}`, `expected an array, got ${describe(value)}`);
}

export function optional<T>(obj: Obj, key: string, read: (v: unknown, where: string) => T, where: string): T | undefined {
  const value = obj[key];
  return value === undefined ? undefined : read(value, `${where}.${key}`);
}

export function str(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  throw new OtlpShapeError(where, `expected a string, got ${describe(value)}`);
}

export function bool(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new OtlpShapeError(where, `expected a boolean, got ${describe(value)}`);
}

/** uint32/int32/enum: OTLP/JSON requires enums as integers, never names. */
export function int32(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new OtlpShapeError(where, `expected an integer, got ${describe(value)}`);
}

export function count(src: Source, value: unknown, where: string): number {
  const n = Number(src.int64(value, where));
  if (!Number.isSafeInteger(n)) throw new OtlpShapeError(where, `count ${String(value)} exceeds 2^53`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Common messages

const ANY_VALUE_MEMBERS = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
] as const;

export function anyValue(src: Source, value: unknown, where: string): TypedValue {
  const obj = object(value, where);
  onlyKnownKeys(src, obj, ANY_VALUE_MEMBERS, where);
  const set = ANY_VALUE_MEMBERS.filter((member) => obj[member] !== undefined);
  if (set.length > 1) throw new OtlpShapeError(where, `AnyValue has several members set: ${set.join(', ')}`);
  const member = set[0];
  if (src.encoding === 'protobuf' && (obj.value ?? undefined) !== member) {
    throw new OtlpShapeError(where, `oneof discriminator ${String(obj.value)} disagrees with ${String(member)}`);
  }
  const at = `${where}.${String(member)}`;
  switch (member) {
    case undefined:
      return { type: 'empty', value: null };
    case 'stringValue':
      return { type: 'string', value: str(obj.stringValue, at) };
    case 'boolValue':
      return { type: 'bool', value: bool(obj.boolValue, at) };
    case 'intValue':
      return { type: 'int', value: src.int64(obj.intValue, at) };
    case 'doubleValue':
      return { type: 'double', value: src.double(obj.doubleValue, at) };
    case 'bytesValue':
      return { type: 'bytes', value: src.bytes(obj.bytesValue, at) };
    case 'arrayValue': {
      const array = object(obj.arrayValue, at);
      onlyKnownKeys(src, array, ['values'], at);
      return { type: 'array', value: list(array, 'values', at).map((v, i) => anyValue(src, v, `${at}[${i}]`)) };
    }
    case 'kvlistValue': {
      const kvlist = object(obj.kvlistValue, at);
      onlyKnownKeys(src, kvlist, ['values'], at);
      return { type: 'kvlist', value: keyValues(src, list(kvlist, 'values', at), at) };
    }
    default:
      throw new OtlpShapeError(at, `unhandled AnyValue member ${String(member)}`);
  }
}

export function keyValues(src: Source, values: unknown[], where: string): Attr[] {
  return values.map((kv, i) => {
    const at = `${where}[${i}]`;
    const obj = object(kv, at);
    // KeyValue.value is a real AnyValue field, not a virtual oneof, so check keys without virtuals.
    for (const key of Object.keys(obj)) {
      if (key !== 'key' && key !== 'value') throw new OtlpShapeError(at, `unexpected key "${key}" in KeyValue`);
    }
    const key = str(obj.key ?? '', `${at}.key`);
    // A KeyValue without a value is legal protobuf: treat it as an empty AnyValue.
    const typed = obj.value === undefined ? ({ type: 'empty', value: null } as const) : anyValue(src, obj.value, `${at}(${key})`);
    return { key, ...typed };
  });
}

export function attributes(src: Source, obj: Obj, where: string, field = 'attributes'): Attr[] {
  return keyValues(src, list(obj, field, where), `${where}.${field}`);
}

export function resourceOf(src: Source, container: Obj, where: string): AttrMap {
  const at = `${where}.resource`;
  const resource = container.resource === undefined ? {} : object(container.resource, at);
  onlyKnownKeys(src, resource, ['attributes', 'droppedAttributesCount', 'entityRefs'], at);
  const map: AttrMap = {};
  for (const { key, ...typed } of attributes(src, resource, at)) {
    if (Object.hasOwn(map, key)) throw new OtlpShapeError(at, `duplicate resource attribute "${key}"`);
    map[key] = typed as TypedValue;
  }
  return map;
}

export function scopeOf(src: Source, container: Obj, where: string): ReceivedScope {
  const at = `${where}.scope`;
  const scope = container.scope === undefined ? {} : object(container.scope, at);
  onlyKnownKeys(src, scope, ['name', 'version', 'attributes', 'droppedAttributesCount'], at);
  return {
    name: optional(scope, 'name', str, at) ?? '',
    version: optional(scope, 'version', str, at) ?? '',
    attributes: attributes(src, scope, at),
  };
}

