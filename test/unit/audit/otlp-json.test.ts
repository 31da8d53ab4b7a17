import { describe, expect, it } from 'vitest';
import { anyValueToPlain, nanosToMillis, parseOtlpJsonLine, type AuditRecord } from '../../../src/cli/audit/otlp-json.js';

const AT = { file: 'f.jsonl', line: 7 };
const T = Date.UTC(2025, 8, 30, 10, 0, 0, 123); // 2025-09-30T10:00:00.123Z
const NANOS = `${T}000000`;

function line(records: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex_cli_rs' } }] }, scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords: records }] }], ...extra });
}

function only(text: string): AuditRecord {
  const parsed = parseOtlpJsonLine(text, AT);
  if (parsed.kind !== 'requests') throw new Error(`expected requests, got ${JSON.stringify(parsed)}`);
  expect(parsed.records).toHaveLength(1);
  return parsed.records[0]!;
}

const attr = (key: string, value: unknown) => ({ key, value });

describe('parseOtlpJsonLine: time', () => {
  it('uses timeUnixNano when it is not zero', () => {
    const record = only(line([{ timeUnixNano: NANOS, observedTimeUnixNano: '1', attributes: [attr('event.timestamp', { stringValue: '2000-01-01T00:00:00Z' })] }]));
    expect(record.time).toBe(T);
  });

  it('falls back to the event.timestamp attribute when timeUnixNano is "0" (real Codex)', () => {
    const record = only(line([{ timeUnixNano: '0', observedTimeUnixNano: `${T + 250}000000`, attributes: [attr('event.timestamp', { stringValue: '2025-09-30T10:00:00.123Z' })] }]));
    expect(record.time).toBe(T);
  });

  it('falls back to event.timestamp when timeUnixNano is missing (protojson drops zeros) or the number 0', () => {
    const stamp = [attr('event.timestamp', { stringValue: '2025-09-30T12:00:00.123+02:00' })];
    expect(only(line([{ attributes: stamp }])).time).toBe(T);
    expect(only(line([{ timeUnixNano: 0, attributes: stamp }])).time).toBe(T);
  });

  it('falls back to observedTimeUnixNano, then null', () => {
    expect(only(line([{ timeUnixNano: '0', observedTimeUnixNano: NANOS }])).time).toBe(T);
    expect(only(line([{ attributes: [attr('event.timestamp', { stringValue: 'not a time' })], observedTimeUnixNano: NANOS }])).time).toBe(T);
    expect(only(line([{}])).time).toBeNull();
  });

  it('reads nanoseconds as a string, a number or {low, high} without losing milliseconds', () => {
    expect(nanosToMillis('1759226400123456789')).toBe(1759226400123);
    expect(nanosToMillis(1759226400123000000)).toBe(1759226400123);
    const big = 1759226400123000000n;
    expect(nanosToMillis({ low: Number(big & 0xffffffffn) | 0, high: Number(big >> 32n) })).toBe(1759226400123);
    expect(nanosToMillis('0')).toBeNull();
    expect(nanosToMillis('-5')).toBeNull();
    expect(nanosToMillis(undefined)).toBeNull();
  });
});

describe('parseOtlpJsonLine: names and values', () => {
  it('takes the event name from the event.name attribute over a callsite eventName (real Codex)', () => {
    const record = only(line([{ eventName: 'event codex-rs/otel/src/otel_manager.rs:447', attributes: [attr('event.name', { stringValue: 'codex.tool_decision' })] }]));
    expect(record.name).toBe('codex.tool_decision');
  });

  it('never takes a name from the OTLP eventName field: a record without event.name is not an event (Codex DEBUG records)', () => {
    expect(only(line([{ eventName: 'codex.user_prompt' }])).name).toBeNull();
    expect(only(line([{ event_name: 'codex.user_prompt' }])).name).toBeNull();
    expect(only(line([{ severityNumber: 5, body: { stringValue: 'flushing OTEL metrics' }, eventName: 'event codex-rs/otel/src/metrics/client.rs:12' }])).name).toBeNull();
    expect(only(line([{ attributes: [] }])).name).toBeNull();
  });

  it('turns every AnyValue form into a plain value', () => {
    expect(anyValueToPlain({ stringValue: 'x' })).toBe('x');
    expect(anyValueToPlain({ stringValue: '' })).toBe('');
    expect(anyValueToPlain({ intValue: '42' })).toBe(42);
    expect(anyValueToPlain({ intValue: 42 })).toBe(42);
    expect(anyValueToPlain({ intValue: '-7' })).toBe(-7);
    expect(anyValueToPlain({ intValue: '9223372036854775807' })).toBe('9223372036854775807');
    expect(anyValueToPlain({ intValue: { low: 5, high: 0 } })).toBe(5);
    expect(anyValueToPlain({ boolValue: false })).toBe(false);
    expect(anyValueToPlain({ doubleValue: 1.5 })).toBe(1.5);
    expect(anyValueToPlain({ doubleValue: 'NaN' })).toBeNaN();
    expect(anyValueToPlain({ arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }] } })).toEqual([1, 'a']);
    expect(anyValueToPlain({ arrayValue: {} })).toEqual([]);
    expect(anyValueToPlain({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } })).toEqual({ k: true });
    expect(anyValueToPlain({ bytesValue: 'AAE=' })).toBe('AAE=');
    expect(anyValueToPlain({})).toBeNull();
    expect(anyValueToPlain(undefined)).toBeNull();
    expect(anyValueToPlain({ string_value: 'snake' })).toBe('snake');
  });

  it('keeps str-num values as sent and reads resource and scope', () => {
    const record = only(line([{ attributes: [attr('duration_ms', { stringValue: '812' }), attr('success', { stringValue: 'false' })] }]));
    expect(record.attributes['duration_ms']).toBe('812');
    expect(record.attributes['success']).toBe('false');
    expect(record.resource['service.name']).toBe('codex_cli_rs');
    expect(record.scope).toBe('codex_otel.log_only');
    expect(record.location).toEqual(AT);
  });

  it('treats a __proto__ attribute as an ordinary key and skips entries without a key', () => {
    const record = only(line([{ attributes: [attr('__proto__', { stringValue: 'p' }), { value: { stringValue: 'no key' } }, 'junk'] }]));
    expect(Object.keys(record.attributes)).toEqual(['__proto__']);
    expect(record.attributes['__proto__']).toBe('p');
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
  });

  it('reads several resourceLogs and scopeLogs per line, in order', () => {
    const text = JSON.stringify({
      resourceLogs: [
        { resource: { attributes: [attr('service.name', { stringValue: 'a' })] }, scopeLogs: [{ logRecords: [named('1'), named('2')] }, { logRecords: [named('3')] }] },
        { scopeLogs: [{ logRecords: [named('4')] }] },
        { resource: {} },
      ],
    });
    const parsed = parseOtlpJsonLine(text, AT);
    expect(parsed.kind).toBe('requests');
    if (parsed.kind !== 'requests') return;
    expect(parsed.records.map((r) => r.name)).toEqual(['1', '2', '3', '4']);
    expect(parsed.records.map((r) => r.resource['service.name'] ?? null)).toEqual(['a', 'a', 'a', null]);
  });

  it('accepts snake_case envelope keys', () => {
    const parsed = parseOtlpJsonLine(JSON.stringify({ resource_logs: [{ scope_logs: [{ log_records: [{ time_unix_nano: NANOS }] }] }] }), AT);
    expect(parsed.kind === 'requests' && parsed.records[0]?.time).toBe(T);
  });
});

const named = (name: string) => ({ attributes: [attr('event.name', { stringValue: name })] });

describe('parseOtlpJsonLine: traces', () => {
  it('reads spans with ids, times and attributes, and an array of requests on one line', () => {
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'exec_command',
      startTimeUnixNano: NANOS, endTimeUnixNano: `${T + 5}000000`,
      attributes: [attr('call_id', { stringValue: 'call_1' }), attr('aborted', { boolValue: true }), attr('conversation.id', { stringValue: 'c1' })],
    };
    const traces = { resourceSpans: [{ resource: { attributes: [attr('service.name', { stringValue: 'codex-app-server' })] }, scopeSpans: [{ scope: { name: 'codex-app-server' }, spans: [span] }] }] };
    const parsed = parseOtlpJsonLine(JSON.stringify([traces, { resourceLogs: [{ scopeLogs: [{ logRecords: [named('codex.x')] }] }] }]), AT);
    if (parsed.kind !== 'requests') throw new Error(JSON.stringify(parsed));
    expect([...parsed.signals].sort()).toEqual(['logs', 'traces']);
    expect(parsed.records.map((r) => r.name)).toEqual(['codex.x']);
    expect(parsed.spans).toEqual([{
      name: 'exec_command', traceId: span.traceId, spanId: span.spanId, start: T, end: T + 5,
      attributes: { call_id: 'call_1', aborted: true, 'conversation.id': 'c1' },
      resource: { 'service.name': 'codex-app-server' }, scope: 'codex-app-server', location: AT,
    }]);
  });

  it('accepts snake_case trace envelopes and rejects a span that is not an object', () => {
    const parsed = parseOtlpJsonLine(JSON.stringify({ resource_spans: [{ scope_spans: [{ spans: [{ span_id: 'ab', start_time_unix_nano: NANOS }] }] }] }), AT);
    expect(parsed.kind === 'requests' && parsed.spans[0]).toMatchObject({ spanId: 'ab', start: T, end: null });
    expect(parseOtlpJsonLine('{"resourceSpans":[{"scopeSpans":[{"spans":[7]}]}]}', AT)).toEqual({ kind: 'malformed', reason: 'spans entry is not an object' });
  });
});

describe('parseOtlpJsonLine: envelope', () => {
  it('classifies blank, other signals and malformed lines', () => {
    expect(parseOtlpJsonLine('   ', AT)).toEqual({ kind: 'blank' });
    expect(parseOtlpJsonLine('{"resourceMetrics":[]}', AT)).toEqual({ kind: 'requests', records: [], spans: [], signals: new Set(['metrics']) });
    expect(parseOtlpJsonLine('{"resourceSpans":[]}', AT)).toEqual({ kind: 'requests', records: [], spans: [], signals: new Set(['traces']) });
    expect(parseOtlpJsonLine('{"resourceLogs":[]}', AT)).toEqual({ kind: 'requests', records: [], spans: [], signals: new Set(['logs']) });
    expect(parseOtlpJsonLine('nope', AT)).toEqual({ kind: 'malformed', reason: 'not JSON' });
    expect(parseOtlpJsonLine('{"resourceLogs":[', AT)).toEqual({ kind: 'malformed', reason: 'not JSON' });
    expect(parseOtlpJsonLine('{"a":1}', AT)).toEqual({ kind: 'malformed', reason: 'not an OTLP export request (no resourceLogs, resourceSpans or resourceMetrics)' });
    expect(parseOtlpJsonLine('42', AT)).toEqual({ kind: 'malformed', reason: 'not an OTLP export request (not a JSON object)' });
    expect(parseOtlpJsonLine('{"resourceLogs":{}}', AT)).toEqual({ kind: 'malformed', reason: 'resourceLogs is not an array' });
    expect(parseOtlpJsonLine('{"resourceLogs":[{"scopeLogs":[{"logRecords":[1]}]}]}', AT)).toEqual({ kind: 'malformed', reason: 'logRecords entry is not an object' });
  });
});
