/**
 * The protos loaded from @elastic/mockotlpserver carry the LogRecord.event_name patch, and the
 * OTLP/JSON converter is strict about types.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logsFromJson, metricsFromJson } from '../support/otlp-convert.js';
import { attr, attrMap, metricOfKind } from '../support/otlp-model.js';
import { decodeLogsRequest, otlpProtoIncludeDir, otlpRoot, requestType } from '../support/otlp-protos.js';
import { logsFromProtobufObject } from '../support/otlp-convert.js';

describe('OTLP protos', () => {
  it('ship a logs.proto without event_name, which the loader adds as field 12', () => {
    const logsProto = readFileSync(path.join(otlpProtoIncludeDir(), 'opentelemetry/proto/logs/v1/logs.proto'), 'utf8');
    expect(logsProto).not.toMatch(/event_name/);
    const field = otlpRoot().lookupType('opentelemetry.proto.logs.v1.LogRecord').fieldsById[12];
    expect([field?.name, field?.type]).toEqual(['eventName', 'string']);
  });

  it('decode field 12 from protobuf bytes', () => {
    const type = requestType('logs');
    const message = type.fromObject({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: 'codex.test', attributes: [{ key: 'n', value: { intValue: 7 } }] }] }] }],
    });
    const bytes = type.encode(message).finish();
    expect(Buffer.from(bytes).includes(Buffer.from([0x62, 10, ...Buffer.from('codex.test')]))).toBe(true); // tag 12/LEN
    const [log] = logsFromProtobufObject(decodeLogsRequest(bytes));
    expect(log?.eventName).toBe('codex.test');
    expect(log?.attributes).toEqual([{ key: 'n', type: 'int', value: '7' }]);
  });
});

function jsonLog(record: Record<string, unknown>) {
  return { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 's' }, logRecords: [record] }] }] };
}

describe('OTLP/JSON converter', () => {
  it('types values by the AnyValue member, not by the JSON type', () => {
    const [log] = logsFromJson(
      jsonLog({
        timeUnixNano: 1781006400123000000n.toString(),
        observedTimeUnixNano: 5,
        severityNumber: 9,
        eventName: 'codex.test',
        traceId: '0AF7651916CD43DD8448EB211C80319C',
        attributes: [
          { key: 'int_as_string', value: { intValue: '42' } },
          { key: 'int_as_number', value: { intValue: 42 } },
          { key: 'string_of_digits', value: { stringValue: '42' } },
          { key: 'double', value: { doubleValue: 42 } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'bytes', value: { bytesValue: 'AQI=' } },
          { key: 'list', value: { arrayValue: { values: [{ boolValue: false }, {}] } } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
        ],
      }),
    );
    expect(log?.timeUnixNano).toBe('1781006400123000000');
    expect(log?.observedTimeUnixNano).toBe('5');
    expect(log?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(log?.attributes).toEqual([
      { key: 'int_as_string', type: 'int', value: '42' },
      { key: 'int_as_number', type: 'int', value: '42' },
      { key: 'string_of_digits', type: 'string', value: '42' },
      { key: 'double', type: 'double', value: 42 },
      { key: 'nan', type: 'double', value: Number.NaN },
      { key: 'bytes', type: 'bytes', value: '0102' },
      { key: 'list', type: 'array', value: [{ type: 'bool', value: false }, { type: 'empty', value: null }] },
      { key: 'map', type: 'kvlist', value: [{ key: 'k', type: 'string', value: 'v' }] },
    ]);
    expect(attr(log?.attributes ?? [], 'int_as_string').type).toBe('int');
    expect(attrMap(log?.attributes ?? []).double).toEqual({ type: 'double', value: 42 });
  });

  it.each([
    ['an intValue that is not an integer string', { attributes: [{ key: 'n', value: { intValue: '4.2' } }] }, /expected an int64/],
    ['an intValue that is a fractional number', { attributes: [{ key: 'n', value: { intValue: 4.2 } }] }, /expected an int64/],
    ['a stringValue that is a number', { attributes: [{ key: 's', value: { stringValue: 5 } }] }, /expected a string/],
    ['two AnyValue members', { attributes: [{ key: 's', value: { stringValue: 'a', intValue: '1' } }] }, /several members/],
    ['an unknown AnyValue key', { attributes: [{ key: 's', value: { string_value: 'a' } }] }, /unexpected key "string_value"/],
    ['a snake_case field', { event_name: 'codex.test' }, /unexpected key "event_name"/],
    ['an enum given by name', { severityNumber: 'SEVERITY_NUMBER_INFO' }, /expected an integer/],
    ['a base64 trace id', { traceId: 'CvdlGRbNQ92ESOshHIAxnA==' }, /expected a hex id/],
  ])('rejects %s', (_name, record, message) => {
    expect(() => logsFromJson(jsonLog(record))).toThrow(message);
  });

  it('reads metrics with int64 counts as strings or numbers and rejects named temporality', () => {
    const request = (temporality: unknown) => ({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              scope: { name: 'codex' },
              metrics: [
                {
                  name: 'c',
                  sum: {
                    aggregationTemporality: temporality,
                    isMonotonic: true,
                    dataPoints: [{ asInt: '3', startTimeUnixNano: '1', timeUnixNano: 2 }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const sum = metricOfKind(metricsFromJson(request(1)), 'c', 'sum');
    expect([sum.temporality, sum.isMonotonic, sum.points[0]?.valueType, sum.points[0]?.value]).toEqual(['delta', true, 'int', 3]);
    expect(sum.points[0]?.timeUnixNano).toBe('2');
    expect(() => metricsFromJson(request('AGGREGATION_TEMPORALITY_DELTA'))).toThrow(/expected an integer/);
  });
});
