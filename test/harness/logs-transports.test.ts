/**
 * The harness decodes logs from the real SDK exporters over HTTP protobuf, HTTP JSON and gRPC into
 * the same model, including the OTLP 1.5 eventName field and the attribute value types.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attr, attrKeys, type ReceivedLogRecord } from '../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { emitLogRecords } from '../support/sdk-drivers.js';

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(() => receiver.reset());

const transports: Array<{ name: string; encoding: 'protobuf' | 'json'; transport: 'http' | 'grpc'; make: () => LogRecordExporter }> = [
  { name: 'HTTP protobuf', encoding: 'protobuf', transport: 'http', make: () => new ProtoLogExporter({ url: receiver.logsUrl }) },
  { name: 'HTTP JSON', encoding: 'json', transport: 'http', make: () => new JsonLogExporter({ url: receiver.logsUrl }) },
  { name: 'gRPC', encoding: 'protobuf', transport: 'grpc', make: () => new GrpcLogExporter({ url: receiver.grpcUrl }) },
];

describe.each(transports)('logs over $name', ({ encoding, transport, make }) => {
  it('delivers eventName, severity, scope, resource and typed attributes in order', async () => {
    await emitLogRecords(
      make(),
      [
        {
          eventName: 'codex.test',
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          timestamp: new Date('2026-06-09T12:00:00.123Z'),
          attributes: {
            'event.name': 'codex.test',
            text: 'hello',
            count: 42,
            big: 2 ** 40,
            zero: 0,
            enabled: true,
            disabled: false,
            ratio: 0.25,
            numeric_string: '123',
          },
        },
      ],
      { scope: { name: 'codex_otel.log_only', version: '1.2.3' } },
    );

    const [record] = await receiver.waitFor(() => receiver.logs().length === 1 && receiver.logs());
    const log = record as ReceivedLogRecord;
    expect(receiver.errors()).toEqual([]);
    expect(receiver.requests.map((r) => [r.transport, r.encoding])).toEqual([[transport, encoding]]);
    expect(log.encoding).toBe(encoding);
    expect(log.eventName).toBe('codex.test');
    expect(log.severityNumber).toBe(9);
    expect(log.severityText).toBe('INFO');
    expect(log.timeUnixNano).toBe('1781006400123000000');
    expect(log.observedTimeUnixNano).not.toBe('0');
    // SDK quirk: the JSON serializer writes `"body": {}` (an AnyValue with no member) for a record
    // without body, the protobuf serializer omits the field. The model keeps that difference visible.
    expect(log.body).toEqual(encoding === 'json' ? { type: 'empty', value: null } : undefined);
    expect(log.scope).toEqual({ name: 'codex_otel.log_only', version: '1.2.3', attributes: [] });
    expect(log.resource['service.name']).toEqual({ type: 'string', value: 'codex-otel-harness' });
    expect(attrKeys(log.attributes)).toEqual([
      'event.name',
      'text',
      'count',
      'big',
      'zero',
      'enabled',
      'disabled',
      'ratio',
      'numeric_string',
    ]);
    expect(log.attributes).toEqual([
      { key: 'event.name', type: 'string', value: 'codex.test' },
      { key: 'text', type: 'string', value: 'hello' },
      { key: 'count', type: 'int', value: '42' },
      { key: 'big', type: 'int', value: '1099511627776' },
      { key: 'zero', type: 'int', value: '0' },
      { key: 'enabled', type: 'bool', value: true },
      { key: 'disabled', type: 'bool', value: false },
      { key: 'ratio', type: 'double', value: 0.25 },
      { key: 'numeric_string', type: 'string', value: '123' },
    ]);
    expect(attr(log.attributes, 'count').type).toBe('int');
  });

  it('delivers a record without eventName as an empty eventName', async () => {
    await emitLogRecords(make(), [{ severityNumber: SeverityNumber.INFO, attributes: { a: 'b' } }]);
    const [log] = await receiver.waitFor(() => receiver.logs().length === 1 && receiver.logs());
    expect(log?.eventName).toBe('');
    expect(receiver.errors()).toEqual([]);
  });
});
