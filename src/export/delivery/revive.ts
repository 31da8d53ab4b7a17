/**
 * OTLP/JSON (`ExportLogsServiceRequest`, as written by JsonLogsSerializer) back into SDK
 * `ReadableLogRecord`s, so a spooled batch is resent through whatever exporter is configured
 * (HTTP protobuf, HTTP JSON or gRPC) and arrives as it would have the first time.
 *
 * Fidelity limits (none affects the records this package emits): a `doubleValue` that is a whole number
 * comes back as a JS number and is re-sent as `intValue`; an `intValue` beyond 2^53 loses precision;
 * a NaN or infinite double (written as null by the serializer) comes back as NaN; `bytesValue` is re-sent
 * as bytes.
 */
import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { AnyValue, AnyValueMap, LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

export type Json = Record<string, unknown>;

export const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The records of one request line. Throws on a line that is not an `ExportLogsServiceRequest` (caller counts it). */
export function reviveLogsRequest(line: string): ReadableLogRecord[] {
  return reviveRequest(line, LOGS_REQUEST, reviveRecord);
}

/** Where one signal's OTLP/JSON request keeps its groups and items. */
export interface RequestShape {
  /** `ExportLogsServiceRequest`, … (for the error). */
  name: string;
  resourceGroups: string;
  scopeGroups: string;
  items: string;
}

const LOGS_REQUEST: RequestShape = { name: 'ExportLogsServiceRequest', resourceGroups: 'resourceLogs', scopeGroups: 'scopeLogs', items: 'logRecords' };

/**
 * The items of one request line, each revived with its group's resource and scope. Throws on a line that
 * is not a JSON object with the shape's resource groups (caller counts it).
 */
export function reviveRequest<T>(line: string, shape: RequestShape, reviveItem: (item: Json, resource: Resource, scope: ReadableLogRecord['instrumentationScope']) => T): T[] {
  const request = JSON.parse(line) as unknown;
  if (typeof request !== 'object' || request === null || !Array.isArray((request as Json)[shape.resourceGroups])) {
    throw new Error(`not an ${shape.name}`);
  }
  const items: T[] = [];
  for (const resourceGroup of arr((request as Json)[shape.resourceGroups])) {
    const rg = obj(resourceGroup);
    const resource = reviveResource(rg);
    for (const scopeGroup of arr(rg[shape.scopeGroups])) {
      const sg = obj(scopeGroup);
      const scope = reviveScope(sg);
      for (const item of arr(sg[shape.items])) items.push(reviveItem(obj(item), resource, scope));
    }
  }
  return items;
}

/**
 * The resource of one `resourceLogs` / `resourceSpans` entry. One Resource object per group: the
 * serializer groups by object identity, so the items of a group are sent in one group again.
 */
function reviveResource(group: Json): Resource {
  const rawResource = obj(group['resource']);
  const resourceAttributes: Record<string, string | number | boolean | Array<string | number | boolean | null>> = {};
  for (const kv of arr(rawResource['attributes'])) {
    const key = str(obj(kv)['key']);
    const value = toPrimitive(fromAnyValue(obj(kv)['value']));
    if (key !== undefined && value !== undefined) resourceAttributes[key] = value;
  }
  const schemaUrl = str(group['schemaUrl']);
  return resourceFromAttributes(resourceAttributes as Parameters<typeof resourceFromAttributes>[0], schemaUrl ? { schemaUrl } : undefined);
}

/** The instrumentation scope of one `scopeLogs` / `scopeSpans` entry (one object per group, as for the resource). */
function reviveScope(group: Json): ReadableLogRecord['instrumentationScope'] {
  const rawScope = obj(group['scope']);
  const scope: ReadableLogRecord['instrumentationScope'] = { name: str(rawScope['name']) ?? '' };
  const version = str(rawScope['version']);
  if (version) (scope as { version?: string }).version = version;
  const scopeSchema = str(group['schemaUrl']);
  if (scopeSchema) (scope as { schemaUrl?: string }).schemaUrl = scopeSchema;
  const scopeAttributes = toAttributes(rawScope['attributes']);
  if (Object.keys(scopeAttributes).length) (scope as { attributes?: LogAttributes }).attributes = scopeAttributes;
  return scope;
}

function reviveRecord(lr: Json, resource: Resource, scope: ReadableLogRecord['instrumentationScope']): ReadableLogRecord {
  const hrTime = toHrTime(lr['timeUnixNano']);
  const observed = toHrTime(lr['observedTimeUnixNano']);
  const record: {
    -readonly [K in keyof ReadableLogRecord]: ReadableLogRecord[K];
  } = {
    hrTime,
    hrTimeObserved: observed[0] === 0 && observed[1] === 0 ? hrTime : observed,
    resource,
    instrumentationScope: scope,
    attributes: toAttributes(lr['attributes']),
    droppedAttributesCount: typeof lr['droppedAttributesCount'] === 'number' ? lr['droppedAttributesCount'] : 0,
  };
  if (typeof lr['severityNumber'] === 'number') record.severityNumber = lr['severityNumber'];
  const severityText = str(lr['severityText']);
  if (severityText !== undefined) record.severityText = severityText;
  const eventName = str(lr['eventName']);
  if (eventName) record.eventName = eventName;
  const body = lr['body'] === undefined ? undefined : fromAnyValue(lr['body']);
  if (body !== undefined && body !== null) record.body = body;
  const traceId = str(lr['traceId']);
  const spanId = str(lr['spanId']);
  if (traceId && spanId) {
    const spanContext: SpanContext = { traceId, spanId, traceFlags: typeof lr['flags'] === 'number' ? lr['flags'] & 0xff : 0 };
    record.spanContext = spanContext;
  }
  return record;
}

export function toAttributes(list: unknown): LogAttributes {
  const attributes: LogAttributes = {};
  for (const kv of arr(list)) {
    const key = str(obj(kv)['key']);
    if (key !== undefined) attributes[key] = fromAnyValue(obj(kv)['value']);
  }
  return attributes;
}

/** AnyValue → JS value; `{}` (no member set: the SDK's encoding of null/undefined) → null. */
function fromAnyValue(value: unknown): AnyValue {
  const v = obj(value);
  if ('stringValue' in v) return str(v['stringValue']) ?? '';
  if ('boolValue' in v) return v['boolValue'] === true;
  if ('intValue' in v) return toNumber(v['intValue']);
  // The SDK's JSON serializer (JSON.stringify) writes NaN and ±Infinity as null: keep it a double.
  if ('doubleValue' in v) return v['doubleValue'] === null ? Number.NaN : toNumber(v['doubleValue']);
  if ('bytesValue' in v) return Buffer.from(str(v['bytesValue']) ?? '', 'base64');
  if ('arrayValue' in v) return arr(obj(v['arrayValue'])['values']).map(fromAnyValue);
  if ('kvlistValue' in v) {
    const map: AnyValueMap = {};
    for (const kv of arr(obj(v['kvlistValue'])['values'])) {
      const key = str(obj(kv)['key']);
      if (key !== undefined) map[key] = fromAnyValue(obj(kv)['value']);
    }
    return map;
  }
  return null;
}

/** int64 may arrive as a JSON string ("123") or number; NaN/Infinity as the strings protobuf JSON uses. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = Number(value);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** Resource attributes are flat: nested values become their JSON text. */
function toPrimitive(value: AnyValue): string | number | boolean | Array<string | number | boolean | null> | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item))) {
    return value as Array<string | number | boolean | null>;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

const BILLION = 1_000_000_000n;

/** "1700000000123456789" (or a number) → [seconds, nanos]; anything unreadable → [0, 0]. */
export function toHrTime(value: unknown): HrTime {
  try {
    let nanos: bigint;
    if (typeof value === 'string' && /^\d+$/.test(value)) nanos = BigInt(value);
    else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) nanos = BigInt(Math.round(value));
    else return [0, 0];
    return [Number(nanos / BILLION), Number(nanos % BILLION)];
  } catch {
    return [0, 0];
  }
}
