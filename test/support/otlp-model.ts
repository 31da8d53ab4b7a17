/**
 * One normalised model of received OTLP data, whatever the transport (HTTP protobuf, HTTP JSON, gRPC),
 * so wire tests assert keys, values AND value types the same way everywhere.
 * The converters that build it live in `otlp-convert.ts`.
 *
 * Scalar fields that proto3 cannot distinguish from "absent" (times, severity, eventName, unit, ...)
 * are normalised to their proto3 default ('0', 0, ''), which is what a receiver sees either way.
 */

export type AttrType = 'string' | 'int' | 'bool' | 'double' | 'array' | 'kvlist' | 'bytes' | 'empty';

/** An OTLP AnyValue, tagged with the member that was set on the wire. */
export type TypedValue =
  | { type: 'string'; value: string }
  /** int64 as a decimal string, lossless whatever the size. */
  | { type: 'int'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'double'; value: number }
  /** lower-case hex of the bytes. */
  | { type: 'bytes'; value: string }
  | { type: 'array'; value: TypedValue[] }
  | { type: 'kvlist'; value: Attr[] }
  /** An AnyValue with no member set (the SDK sends this for null/undefined values). */
  | { type: 'empty'; value: null };

/** A KeyValue. Attribute lists are arrays in wire order because the contract specifies the order. */
export type Attr = { key: string } & TypedValue;

/** Resource attributes keyed by name (order is not part of the contract for resources). */
export type AttrMap = Record<string, TypedValue>;

export type PayloadEncoding = 'protobuf' | 'json';

export interface ReceivedScope {
  name: string;
  version: string;
  attributes: Attr[];
}

export interface ReceivedLogRecord {
  encoding: PayloadEncoding;
  resource: AttrMap;
  scope: ReceivedScope;
  eventName: string;
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  /** undefined when the record has no body (a message field, so presence is meaningful). */
  body: TypedValue | undefined;
  attributes: Attr[];
  droppedAttributesCount: number;
  flags: number;
  /** hex, '' when absent */
  traceId: string;
  spanId: string;
}

export type Temporality = 'delta' | 'cumulative' | 'unspecified';

export interface PointBase {
  attributes: Attr[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  flags: number;
}

export interface NumberPoint extends PointBase {
  /** which oneof member carried the value: asInt or asDouble */
  valueType: 'int' | 'double';
  value: number;
}

export interface HistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
}

export interface ExponentialBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface ExponentialHistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

export interface SummaryPoint extends PointBase {
  count: number;
  sum: number;
  quantiles: Array<{ quantile: number; value: number }>;
}

interface MetricBase {
  encoding: PayloadEncoding;
  resource: AttrMap;
  scope: ReceivedScope;
  name: string;
  unit: string;
  description: string;
}

export type ReceivedSum = MetricBase & {
  kind: 'sum';
  isMonotonic: boolean;
  temporality: Temporality;
  points: NumberPoint[];
};
export type ReceivedGauge = MetricBase & { kind: 'gauge'; points: NumberPoint[] };
export type ReceivedHistogram = MetricBase & {
  kind: 'histogram';
  temporality: Temporality;
  points: HistogramPoint[];
};
export type ReceivedExponentialHistogram = MetricBase & {
  kind: 'exponentialHistogram';
  temporality: Temporality;
  points: ExponentialHistogramPoint[];
};
export type ReceivedSummary = MetricBase & { kind: 'summary'; points: SummaryPoint[] };

export type ReceivedMetric =
  | ReceivedSum
  | ReceivedGauge
  | ReceivedHistogram
  | ReceivedExponentialHistogram
  | ReceivedSummary;

export type MetricKind = ReceivedMetric['kind'];

// ---------------------------------------------------------------------------------------------
// Lookup helpers. They throw with a descriptive message instead of returning undefined, so a
// missing key fails the test at the right place.

/** The attribute with this key; throws if it is absent or present more than once. */
export function attr(attributes: readonly Attr[], key: string): Attr {
  const matches = attributes.filter((a) => a.key === key);
  if (matches.length !== 1) {
    const keys = attributes.map((a) => a.key).join(', ');
    throw new Error(`expected exactly one attribute "${key}", found ${matches.length} among [${keys}]`);
  }
  return matches[0] as Attr;
}

export function hasAttr(attributes: readonly Attr[], key: string): boolean {
  return attributes.some((a) => a.key === key);
}

export function attrKeys(attributes: readonly Attr[]): string[] {
  return attributes.map((a) => a.key);
}

/** Attributes as `{ key: { type, value } }`; throws on a duplicate key (OTLP forbids them). */
export function attrMap(attributes: readonly Attr[]): AttrMap {
  const map: AttrMap = {};
  for (const { key, ...typed } of attributes) {
    if (Object.hasOwn(map, key)) throw new Error(`duplicate attribute key "${key}"`);
    map[key] = typed as TypedValue;
  }
  return map;
}

/** The only metric with this name, narrowed to the expected kind; throws otherwise. */
export function metricOfKind<K extends MetricKind>(
  metrics: readonly ReceivedMetric[],
  name: string,
  kind: K,
): Extract<ReceivedMetric, { kind: K }> {
  const matches = metrics.filter((m) => m.name === name);
  if (matches.length !== 1) {
    const names = [...new Set(metrics.map((m) => m.name))].join(', ');
    throw new Error(`expected exactly one metric "${name}", found ${matches.length} among [${names}]`);
  }
  const metric = matches[0] as ReceivedMetric;
  if (metric.kind !== kind) throw new Error(`metric "${name}" is a ${metric.kind}, expected ${kind}`);
  return metric as Extract<ReceivedMetric, { kind: K }>;
}

/** Every metric with this name (one per export when the same metric is exported repeatedly). */
export function metricsNamed(metrics: readonly ReceivedMetric[], name: string): ReceivedMetric[] {
  return metrics.filter((m) => m.name === name);
}

export interface ReceivedSpan {
  encoding: PayloadEncoding;
  resource: AttrMap;
  scope: ReceivedScope;
  /** hex */
  traceId: string;
  spanId: string;
  /** hex, '' for a root span */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attr[];
  /** Status code: 0 unset, 1 ok, 2 error */
  statusCode: number;
  events: Array<{ name: string; attributes: Attr[] }>;
}
