/**
 * Converters into the normalised model of `otlp-model.ts` from
 *  (a) protobuf-decoded plain objects (`otlp-protos.ts`: longs as strings, enums as numbers, bytes as
 *      Buffers, virtual oneof properties), and
 *  (b) OTLP/JSON (camelCase keys, int64 as string or number, enums as numbers, trace/span ids as hex,
 *      bytesValue as base64).
 * Both are strict: anything of the wrong shape throws (see `otlp-convert-common.ts`).
 */
import {
  anyValue,
  attributes,
  bool,
  count,
  int32,
  jsonSource,
  list,
  object,
  onlyKnownKeys,
  optional,
  OtlpShapeError,
  protobufSource,
  resourceOf,
  scopeOf,
  str,
  type Obj,
  type Source,
} from './otlp-convert-common.js';
import type {
  ExponentialBuckets,
  NumberPoint,
  PointBase,
  ReceivedLogRecord,
  ReceivedMetric,
  Temporality,
} from './otlp-model.js';

// ---------------------------------------------------------------------------------------------
// Logs

const LOG_RECORD_KEYS = [
  'timeUnixNano',
  'observedTimeUnixNano',
  'severityNumber',
  'severityText',
  'body',
  'attributes',
  'droppedAttributesCount',
  'flags',
  'traceId',
  'spanId',
  'eventName',
] as const;

function logsFrom(src: Source, request: unknown): ReceivedLogRecord[] {
  const root = object(request, 'request');
  onlyKnownKeys(src, root, ['resourceLogs'], 'request');
  const records: ReceivedLogRecord[] = [];
  list(root, 'resourceLogs', 'request').forEach((rl, r) => {
    const rlAt = `resourceLogs[${r}]`;
    const resourceLogs = object(rl, rlAt);
    onlyKnownKeys(src, resourceLogs, ['resource', 'scopeLogs', 'schemaUrl'], rlAt);
    const resource = resourceOf(src, resourceLogs, rlAt);
    list(resourceLogs, 'scopeLogs', rlAt).forEach((sl, s) => {
      const slAt = `${rlAt}.scopeLogs[${s}]`;
      const scopeLogs = object(sl, slAt);
      onlyKnownKeys(src, scopeLogs, ['scope', 'logRecords', 'schemaUrl'], slAt);
      const scope = scopeOf(src, scopeLogs, slAt);
      list(scopeLogs, 'logRecords', slAt).forEach((lr, l) => {
        const at = `${slAt}.logRecords[${l}]`;
        const rec = object(lr, at);
        onlyKnownKeys(src, rec, LOG_RECORD_KEYS, at);
        records.push({
          encoding: src.encoding,
          resource,
          scope,
          eventName: optional(rec, 'eventName', str, at) ?? '',
          timeUnixNano: optional(rec, 'timeUnixNano', src.int64, at) ?? '0',
          observedTimeUnixNano: optional(rec, 'observedTimeUnixNano', src.int64, at) ?? '0',
          severityNumber: optional(rec, 'severityNumber', int32, at) ?? 0,
          severityText: optional(rec, 'severityText', str, at) ?? '',
          body: rec.body === undefined ? undefined : anyValue(src, rec.body, `${at}.body`),
          attributes: attributes(src, rec, at),
          droppedAttributesCount: optional(rec, 'droppedAttributesCount', int32, at) ?? 0,
          flags: optional(rec, 'flags', int32, at) ?? 0,
          traceId: optional(rec, 'traceId', (v, w) => src.id(v, w), at) ?? '',
          spanId: optional(rec, 'spanId', (v, w) => src.id(v, w), at) ?? '',
        });
      });
    });
  });
  return records;
}

export function logsFromProtobufObject(request: unknown): ReceivedLogRecord[] {
  return logsFrom(protobufSource, request);
}

export function logsFromJson(request: unknown): ReceivedLogRecord[] {
  return logsFrom(jsonSource, request);
}

// ---------------------------------------------------------------------------------------------
// Metrics

const TEMPORALITY: Record<number, Temporality> = { 0: 'unspecified', 1: 'delta', 2: 'cumulative' };

function temporality(value: unknown, where: string): Temporality {
  const n = value === undefined ? 0 : int32(value, where);
  const t = TEMPORALITY[n];
  if (!t) throw new OtlpShapeError(where, `unknown aggregation temporality ${n}`);
  return t;
}

function pointBase(src: Source, p: Obj, at: string): PointBase {
  return {
    attributes: attributes(src, p, at),
    startTimeUnixNano: optional(p, 'startTimeUnixNano', src.int64, at) ?? '0',
    timeUnixNano: optional(p, 'timeUnixNano', src.int64, at) ?? '0',
    flags: optional(p, 'flags', int32, at) ?? 0,
  };
}

const POINT_COMMON_KEYS = ['attributes', 'startTimeUnixNano', 'timeUnixNano', 'flags', 'exemplars'];

function numberPoint(src: Source, value: unknown, at: string): NumberPoint {
  const p = object(value, at);
  onlyKnownKeys(src, p, [...POINT_COMMON_KEYS, 'asInt', 'asDouble'], at);
  if (p.asInt !== undefined && p.asDouble !== undefined) throw new OtlpShapeError(at, 'both asInt and asDouble set');
  if (p.asInt !== undefined) {
    const n = Number(src.int64(p.asInt, `${at}.asInt`));
    return { ...pointBase(src, p, at), valueType: 'int', value: n };
  }
  if (p.asDouble !== undefined) {
    return { ...pointBase(src, p, at), valueType: 'double', value: src.double(p.asDouble, `${at}.asDouble`) };
  }
  throw new OtlpShapeError(at, 'number data point without asInt or asDouble');
}

function optionalDouble(src: Source, p: Obj, key: string, at: string): number | undefined {
  return optional(p, key, (v, w) => src.double(v, w), at);
}

function buckets(src: Source, value: unknown, at: string): ExponentialBuckets {
  const b = value === undefined ? {} : object(value, at);
  onlyKnownKeys(src, b, ['offset', 'bucketCounts'], at);
  return {
    offset: optional(b, 'offset', int32, at) ?? 0,
    bucketCounts: list(b, 'bucketCounts', at).map((c, i) => count(src, c, `${at}.bucketCounts[${i}]`)),
  };
}

const METRIC_KEYS = ['name', 'description', 'unit', 'gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary', 'metadata'];

function metric(src: Source, value: unknown, at: string, context: Pick<ReceivedMetric, 'encoding' | 'resource' | 'scope'>): ReceivedMetric {
  const m = object(value, at);
  onlyKnownKeys(src, m, METRIC_KEYS, at);
  const base = {
    ...context,
    name: optional(m, 'name', str, at) ?? '',
    description: optional(m, 'description', str, at) ?? '',
    unit: optional(m, 'unit', str, at) ?? '',
  };
  const kinds = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].filter((k) => m[k] !== undefined);
  if (kinds.length !== 1) throw new OtlpShapeError(at, `expected exactly one data kind, got [${kinds.join(', ')}]`);
  const kind = kinds[0] as string;
  const dataAt = `${at}.${kind}`;
  const data = object(m[kind], dataAt);
  const points = list(data, 'dataPoints', dataAt);
  const pointAt = (i: number) => `${dataAt}.dataPoints[${i}]`;
  switch (kind) {
    case 'gauge':
      onlyKnownKeys(src, data, ['dataPoints'], dataAt);
      return { ...base, kind: 'gauge', points: points.map((p, i) => numberPoint(src, p, pointAt(i))) };
    case 'sum':
      onlyKnownKeys(src, data, ['dataPoints', 'aggregationTemporality', 'isMonotonic'], dataAt);
      return {
        ...base,
        kind: 'sum',
        isMonotonic: optional(data, 'isMonotonic', bool, dataAt) ?? false,
        temporality: temporality(data.aggregationTemporality, `${dataAt}.aggregationTemporality`),
        points: points.map((p, i) => numberPoint(src, p, pointAt(i))),
      };
    case 'histogram':
      onlyKnownKeys(src, data, ['dataPoints', 'aggregationTemporality'], dataAt);
      return {
        ...base,
        kind: 'histogram',
        temporality: temporality(data.aggregationTemporality, `${dataAt}.aggregationTemporality`),
        points: points.map((value, i) => {
          const at = pointAt(i);
          const p = object(value, at);
          onlyKnownKeys(src, p, [...POINT_COMMON_KEYS, 'count', 'sum', 'min', 'max', 'bucketCounts', 'explicitBounds'], at);
          return {
            ...pointBase(src, p, at),
            count: count(src, p.count ?? '0', `${at}.count`),
            sum: optionalDouble(src, p, 'sum', at),
            min: optionalDouble(src, p, 'min', at),
            max: optionalDouble(src, p, 'max', at),
            bucketCounts: list(p, 'bucketCounts', at).map((c, j) => count(src, c, `${at}.bucketCounts[${j}]`)),
            explicitBounds: list(p, 'explicitBounds', at).map((b, j) => src.double(b, `${at}.explicitBounds[${j}]`)),
          };
        }),
      };
    case 'exponentialHistogram':
      onlyKnownKeys(src, data, ['dataPoints', 'aggregationTemporality'], dataAt);
      return {
        ...base,
        kind: 'exponentialHistogram',
        temporality: temporality(data.aggregationTemporality, `${dataAt}.aggregationTemporality`),
        points: points.map((value, i) => {
          const at = pointAt(i);
          const p = object(value, at);
          const keys = ['count', 'sum', 'min', 'max', 'scale', 'zeroCount', 'zeroThreshold', 'positive', 'negative'];
          onlyKnownKeys(src, p, [...POINT_COMMON_KEYS, ...keys], at);
          return {
            ...pointBase(src, p, at),
            count: count(src, p.count ?? '0', `${at}.count`),
            sum: optionalDouble(src, p, 'sum', at),
            min: optionalDouble(src, p, 'min', at),
            max: optionalDouble(src, p, 'max', at),
            scale: optional(p, 'scale', int32, at) ?? 0,
            zeroCount: count(src, p.zeroCount ?? '0', `${at}.zeroCount`),
            zeroThreshold: optionalDouble(src, p, 'zeroThreshold', at) ?? 0,
            positive: buckets(src, p.positive, `${at}.positive`),
            negative: buckets(src, p.negative, `${at}.negative`),
          };
        }),
      };
    default:
      onlyKnownKeys(src, data, ['dataPoints'], dataAt);
      return {
        ...base,
        kind: 'summary',
        points: points.map((value, i) => {
          const at = pointAt(i);
          const p = object(value, at);
          onlyKnownKeys(src, p, [...POINT_COMMON_KEYS, 'count', 'sum', 'quantileValues'], at);
          return {
            ...pointBase(src, p, at),
            count: count(src, p.count ?? '0', `${at}.count`),
            sum: optionalDouble(src, p, 'sum', at) ?? 0,
            quantiles: list(p, 'quantileValues', at).map((q, j) => {
              const qo = object(q, `${at}.quantileValues[${j}]`);
              return {
                quantile: optionalDouble(src, qo, 'quantile', at) ?? 0,
                value: optionalDouble(src, qo, 'value', at) ?? 0,
              };
            }),
          };
        }),
      };
  }
}

function metricsFrom(src: Source, request: unknown): ReceivedMetric[] {
  const root = object(request, 'request');
  onlyKnownKeys(src, root, ['resourceMetrics'], 'request');
  const metrics: ReceivedMetric[] = [];
  list(root, 'resourceMetrics', 'request').forEach((rm, r) => {
    const rmAt = `resourceMetrics[${r}]`;
    const resourceMetrics = object(rm, rmAt);
    onlyKnownKeys(src, resourceMetrics, ['resource', 'scopeMetrics', 'schemaUrl'], rmAt);
    const resource = resourceOf(src, resourceMetrics, rmAt);
    list(resourceMetrics, 'scopeMetrics', rmAt).forEach((sm, s) => {
      const smAt = `${rmAt}.scopeMetrics[${s}]`;
      const scopeMetrics = object(sm, smAt);
      onlyKnownKeys(src, scopeMetrics, ['scope', 'metrics', 'schemaUrl'], smAt);
      const scope = scopeOf(src, scopeMetrics, smAt);
      list(scopeMetrics, 'metrics', smAt).forEach((m, i) => {
        metrics.push(metric(src, m, `${smAt}.metrics[${i}]`, { encoding: src.encoding, resource, scope }));
      });
    });
  });
  return metrics;
}

export function metricsFromProtobufObject(request: unknown): ReceivedMetric[] {
  return metricsFrom(protobufSource, request);
}

export function metricsFromJson(request: unknown): ReceivedMetric[] {
  return metricsFrom(jsonSource, request);
}
