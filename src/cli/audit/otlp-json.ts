/**
 * One line of OTLP/JSON (the protobuf JSON mapping of `ExportLogsServiceRequest`, as written by this
 * project's file output and by the Collector's `file` exporter) → normalised log records.
 * Pure: no I/O. Lenient about value forms (int64 as string or number, camelCase or snake_case keys),
 * strict about the envelope: a line is either an OTLP export request or malformed.
 */

/** An OTLP `AnyValue` as a plain JS value. int64 beyond 2^53 stays a decimal string; bytes stay base64. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** Attributes keyed by name. Null-prototype objects, so a key such as `__proto__` is just a key. */
export type PlainAttributes = Record<string, PlainValue>;

export interface RecordLocation {
  file: string;
  /** 1-based line number in the (decompressed) file. */
  line: number;
}

/** One log record, normalised. */
export interface AuditRecord {
  /** The `event.name` attribute, else the OTLP `eventName` field, else null. */
  name: string | null;
  /** Epoch milliseconds: `timeUnixNano` when non-zero, else `event.timestamp`, else `observedTimeUnixNano`; null if none. */
  time: number | null;
  attributes: PlainAttributes;
  resource: PlainAttributes;
  /** Instrumentation scope name, or null. */
  scope: string | null;
  location: RecordLocation;
}

export type ParsedLine =
  | { kind: 'logs'; records: AuditRecord[] }
  | { kind: 'blank' }
  /** A valid metrics or traces export request: not an error, just not ours. */
  | { kind: 'other-signal'; signal: 'metrics' | 'traces' }
  | { kind: 'malformed'; reason: string };

type Json = Record<string, unknown>;

/** Parses one line. Never throws. */
export function parseOtlpJsonLine(text: string, location: RecordLocation): ParsedLine {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (!isObject(value)) return { kind: 'malformed', reason: 'not an OTLP export request (not a JSON object)' };
  const resourceLogs = field(value, 'resourceLogs', 'resource_logs');
  if (resourceLogs === undefined) {
    if (field(value, 'resourceMetrics', 'resource_metrics') !== undefined) return { kind: 'other-signal', signal: 'metrics' };
    if (field(value, 'resourceSpans', 'resource_spans') !== undefined) return { kind: 'other-signal', signal: 'traces' };
    return { kind: 'malformed', reason: 'not an OTLP export request (no resourceLogs)' };
  }
  try {
    return { kind: 'logs', records: readResourceLogs(resourceLogs, location) };
  } catch (error) {
    return { kind: 'malformed', reason: (error as Error).message };
  }
}

class ShapeError extends Error {}

function readResourceLogs(resourceLogs: unknown, location: RecordLocation): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const rl of arrayAt(resourceLogs, 'resourceLogs')) {
    if (!isObject(rl)) throw new ShapeError('resourceLogs entry is not an object');
    const resourceObject = rl['resource'];
    const resource = isObject(resourceObject) ? readAttributes(resourceObject['attributes']) : emptyAttributes();
    for (const sl of arrayAt(field(rl, 'scopeLogs', 'scope_logs'), 'scopeLogs')) {
      if (!isObject(sl)) throw new ShapeError('scopeLogs entry is not an object');
      const scopeObject = sl['scope'];
      const scopeName = isObject(scopeObject) && typeof scopeObject['name'] === 'string' ? scopeObject['name'] : null;
      for (const lr of arrayAt(field(sl, 'logRecords', 'log_records'), 'logRecords')) {
        if (!isObject(lr)) throw new ShapeError('logRecords entry is not an object');
        records.push(readLogRecord(lr, resource, scopeName, location));
      }
    }
  }
  return records;
}

function readLogRecord(lr: Json, resource: PlainAttributes, scope: string | null, location: RecordLocation): AuditRecord {
  const attributes = readAttributes(lr['attributes']);
  const nameAttribute = attributes['event.name'];
  const eventName = field(lr, 'eventName', 'event_name');
  const name = typeof nameAttribute === 'string' && nameAttribute !== ''
    ? nameAttribute
    : typeof eventName === 'string' && eventName !== '' ? eventName : null;
  return { name, time: recordTime(lr, attributes), attributes, resource, scope, location };
}

/** `timeUnixNano` when non-zero, else the `event.timestamp` attribute (RFC 3339), else `observedTimeUnixNano`. */
export function recordTime(lr: Json, attributes: PlainAttributes): number | null {
  const time = nanosToMillis(field(lr, 'timeUnixNano', 'time_unix_nano'));
  if (time !== null) return time;
  const stamp = attributes['event.timestamp'];
  if (typeof stamp === 'string') {
    const parsed = Date.parse(stamp);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return nanosToMillis(field(lr, 'observedTimeUnixNano', 'observed_time_unix_nano'));
}

/** A fixed64 nanosecond count (decimal string, number, or `{low, high}`) → epoch ms; null when 0, absent or invalid. */
export function nanosToMillis(value: unknown): number | null {
  let nanos: bigint;
  if (typeof value === 'string' && /^\d+$/.test(value)) nanos = BigInt(value);
  else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) nanos = BigInt(Math.trunc(value));
  else if (isObject(value) && typeof value['low'] === 'number' && typeof value['high'] === 'number') {
    nanos = (BigInt(value['high'] >>> 0) << 32n) | BigInt(value['low'] >>> 0);
  } else return null;
  if (nanos === 0n) return null;
  return Number(nanos / 1_000_000n);
}

/** OTLP `KeyValue[]` → a null-prototype record. Entries without a string key are skipped; the last duplicate wins. */
export function readAttributes(list: unknown): PlainAttributes {
  const out = emptyAttributes();
  if (!Array.isArray(list)) return out;
  for (const entry of list) {
    if (!isObject(entry) || typeof entry['key'] !== 'string') continue;
    out[entry['key']] = anyValueToPlain(entry['value']);
  }
  return out;
}

/** OTLP `AnyValue` (JSON mapping) → a plain value. Unknown or empty forms → null. */
export function anyValueToPlain(value: unknown): PlainValue {
  if (!isObject(value)) return null;
  const s = field(value, 'stringValue', 'string_value');
  if (typeof s === 'string') return s;
  const b = field(value, 'boolValue', 'bool_value');
  if (typeof b === 'boolean') return b;
  const i = field(value, 'intValue', 'int_value');
  if (i !== undefined) return intToPlain(i);
  const d = field(value, 'doubleValue', 'double_value');
  if (typeof d === 'number') return d;
  if (typeof d === 'string') return Number(d); // protojson writes "NaN", "Infinity", "-Infinity" as strings
  const arr = field(value, 'arrayValue', 'array_value');
  if (isObject(arr)) return Array.isArray(arr['values']) ? arr['values'].map(anyValueToPlain) : [];
  const kv = field(value, 'kvlistValue', 'kvlist_value');
  if (isObject(kv)) return readAttributes(kv['values']);
  const bytes = field(value, 'bytesValue', 'bytes_value');
  if (typeof bytes === 'string') return bytes;
  return null;
}

function intToPlain(value: unknown): PlainValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (isObject(value) && typeof value['low'] === 'number' && typeof value['high'] === 'number') {
    const n = BigInt.asIntN(64, (BigInt(value['high'] >>> 0) << 32n) | BigInt(value['low'] >>> 0));
    const asNumber = Number(n);
    return Number.isSafeInteger(asNumber) ? asNumber : n.toString();
  }
  return null;
}

function arrayAt(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShapeError(`${what} is not an array`);
  return value;
}

function field(object: Json, camel: string, snake: string): unknown {
  return object[camel] !== undefined ? object[camel] : object[snake];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emptyAttributes(): PlainAttributes {
  return Object.create(null) as PlainAttributes;
}
