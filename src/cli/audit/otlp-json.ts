/**
 * OTLP/JSON (the protobuf JSON mapping of `ExportLogsServiceRequest` and `ExportTracesServiceRequest`,
 * as written by this project's file output, by the Collector's `file` exporter and by capture
 * receivers) → normalised log records and spans.
 * Pure: no I/O. Lenient about value forms (int64 as string or number, camelCase or snake_case keys),
 * strict about the envelope: a line is either OTLP export requests or malformed.
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
  /**
   * The `event.name` attribute, else null. Never the OTLP `eventName` field: Codex fills it with a
   * callsite string, also on DEBUG records that are not events (contract §1).
   */
  name: string | null;
  /** Epoch milliseconds: `timeUnixNano` when non-zero, else `event.timestamp`, else `observedTimeUnixNano`; null if none. */
  time: number | null;
  attributes: PlainAttributes;
  resource: PlainAttributes;
  /** Instrumentation scope name, or null. */
  scope: string | null;
  location: RecordLocation;
}

/** One span, normalised (only what the audit reads). */
export interface AuditSpan {
  name: string | null;
  traceId: string | null;
  spanId: string | null;
  /** Epoch milliseconds, null when absent or zero. */
  start: number | null;
  end: number | null;
  attributes: PlainAttributes;
  resource: PlainAttributes;
  scope: string | null;
  location: RecordLocation;
}

export type Signal = 'logs' | 'traces' | 'metrics';

export type ParsedLine =
  /** One or more export requests (a line may hold an array of them). Metrics are recognised, not read. */
  | { kind: 'requests'; records: AuditRecord[]; spans: AuditSpan[]; signals: Set<Signal> }
  | { kind: 'blank' }
  | { kind: 'malformed'; reason: string };

export type Json = Record<string, unknown>;

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
  return parseOtlpJsonValue(value, location);
}

/** A parsed JSON value: one export request, or an array of them. Never throws. */
export function parseOtlpJsonValue(value: unknown, location: RecordLocation): ParsedLine {
  const requests = Array.isArray(value) ? value : [value];
  const parsed: ParsedLine & { kind: 'requests' } = { kind: 'requests', records: [], spans: [], signals: new Set() };
  try {
    for (const request of requests) {
      if (!isObject(request)) return { kind: 'malformed', reason: 'not an OTLP export request (not a JSON object)' };
      const signal = requestSignal(request);
      if (signal === null) return { kind: 'malformed', reason: 'not an OTLP export request (no resourceLogs, resourceSpans or resourceMetrics)' };
      for (const s of signal) parsed.signals.add(s);
      const resourceLogs = field(request, 'resourceLogs', 'resource_logs');
      if (resourceLogs !== undefined) parsed.records.push(...readResourceLogs(resourceLogs, location));
      const resourceSpans = field(request, 'resourceSpans', 'resource_spans');
      if (resourceSpans !== undefined) parsed.spans.push(...readResourceSpans(resourceSpans, location));
    }
  } catch (error) {
    return { kind: 'malformed', reason: (error as Error).message };
  }
  return parsed;
}

/** Which signals an object carries, or null when it is not an export request. */
export function requestSignal(request: Json): Signal[] | null {
  const signals: Signal[] = [];
  if (field(request, 'resourceLogs', 'resource_logs') !== undefined) signals.push('logs');
  if (field(request, 'resourceSpans', 'resource_spans') !== undefined) signals.push('traces');
  if (field(request, 'resourceMetrics', 'resource_metrics') !== undefined) signals.push('metrics');
  return signals.length === 0 ? null : signals;
}

export class ShapeError extends Error {}

function readResourceLogs(resourceLogs: unknown, location: RecordLocation): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const rl of arrayAt(resourceLogs, 'resourceLogs')) {
    if (!isObject(rl)) throw new ShapeError('resourceLogs entry is not an object');
    const resource = readResource(rl['resource']);
    for (const sl of arrayAt(field(rl, 'scopeLogs', 'scope_logs'), 'scopeLogs')) {
      if (!isObject(sl)) throw new ShapeError('scopeLogs entry is not an object');
      const scopeName = readScopeName(sl['scope']);
      for (const lr of arrayAt(field(sl, 'logRecords', 'log_records'), 'logRecords')) {
        records.push(readLogRecord(lr, resource, scopeName, location));
      }
    }
  }
  return records;
}

function readResourceSpans(resourceSpans: unknown, location: RecordLocation): AuditSpan[] {
  const spans: AuditSpan[] = [];
  for (const rs of arrayAt(resourceSpans, 'resourceSpans')) {
    if (!isObject(rs)) throw new ShapeError('resourceSpans entry is not an object');
    const resource = readResource(rs['resource']);
    for (const ss of arrayAt(field(rs, 'scopeSpans', 'scope_spans'), 'scopeSpans')) {
      if (!isObject(ss)) throw new ShapeError('scopeSpans entry is not an object');
      const scopeName = readScopeName(ss['scope']);
      for (const span of arrayAt(ss['spans'], 'spans')) spans.push(readSpan(span, resource, scopeName, location));
    }
  }
  return spans;
}

/** The attributes of an OTLP `Resource` (anything else → none). */
export function readResource(resource: unknown): PlainAttributes {
  return isObject(resource) ? readAttributes(resource['attributes']) : emptyAttributes();
}

/** The name of an OTLP `InstrumentationScope`, or null. */
export function readScopeName(scope: unknown): string | null {
  return isObject(scope) && typeof scope['name'] === 'string' ? scope['name'] : null;
}

/** One OTLP `LogRecord`. Throws a ShapeError when it is not an object. */
export function readLogRecord(lr: unknown, resource: PlainAttributes, scope: string | null, location: RecordLocation): AuditRecord {
  if (!isObject(lr)) throw new ShapeError('logRecords entry is not an object');
  const attributes = readAttributes(lr['attributes']);
  const nameAttribute = attributes['event.name'];
  const name = typeof nameAttribute === 'string' && nameAttribute !== '' ? nameAttribute : null;
  return { name, time: recordTime(lr, attributes), attributes, resource, scope, location };
}

/** One OTLP `Span`. Throws a ShapeError when it is not an object. */
export function readSpan(span: unknown, resource: PlainAttributes, scope: string | null, location: RecordLocation): AuditSpan {
  if (!isObject(span)) throw new ShapeError('spans entry is not an object');
  const id = (camel: string, snake: string) => {
    const value = field(span, camel, snake);
    return typeof value === 'string' && value !== '' ? value : null;
  };
  return {
    name: typeof span['name'] === 'string' ? span['name'] : null,
    traceId: id('traceId', 'trace_id'),
    spanId: id('spanId', 'span_id'),
    start: nanosToMillis(field(span, 'startTimeUnixNano', 'start_time_unix_nano')),
    end: nanosToMillis(field(span, 'endTimeUnixNano', 'end_time_unix_nano')),
    attributes: readAttributes(span['attributes']),
    resource,
    scope,
    location,
  };
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

export function field(object: Json, camel: string, snake: string): unknown {
  return object[camel] !== undefined ? object[camel] : object[snake];
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emptyAttributes(): PlainAttributes {
  return Object.create(null) as PlainAttributes;
}
