import { expect } from 'vitest';
import type { Attr, ReceivedLogRecord } from '../support/otlp-model.js';
import { COMMON, type ExpectedAttr, type ExpectedType } from './contract.js';

/** Asserts one attribute's wire type as the contract states it, including string-encoded numbers. */
export function expectWireType(attr: Attr, type: ExpectedType): void {
  const where = `attribute ${attr.key}`;
  switch (type) {
    case 'string':
    case 'int':
    case 'bool':
      expect(attr.type, where).toBe(type);
      break;
    case 'strnum':
      expect(attr.type, where).toBe('string');
      expect(String(attr.value), where).toMatch(/^\d+$/);
      break;
    case 'strbool':
      expect(attr.type, where).toBe('string');
      expect(['true', 'false'], where).toContain(attr.value);
      break;
  }
}

/**
 * The whole record against the contract: scope, severity, eventName and `event.name`, both times set,
 * no body, then exactly the expected keys in order with their types.
 */
export function expectContractRecord(
  record: ReceivedLogRecord,
  name: string,
  own: readonly ExpectedAttr[],
  present: (key: string) => boolean,
): void {
  expect(record.scope.name).toBe('codex_otel.log_only');
  expect(record.severityNumber).toBe(9);
  expect(record.severityText).toBe('INFO');
  expect(record.eventName).toBe(name);
  expect(record.timeUnixNano).not.toBe('0');
  expect(record.body === undefined || record.body.type === 'empty').toBe(true);
  const eventName: ExpectedAttr = ['event.name', 'string'];
  // Our own attributes (codex_otel.*) come after the common ones: a deliberate difference from Codex.
  const recordId: ExpectedAttr = ['codex_otel.record_id', 'string'];
  const expected: ExpectedAttr[] = [eventName, ...own, ...COMMON, recordId].filter(([key, , presence]) => presence !== 'optional' || present(key));
  expect(record.attributes.map((a) => a.key)).toEqual(expected.map(([key]) => key));
  record.attributes.forEach((attr, index) => expectWireType(attr, expected[index]![1]));
  expect(record.attributes[0]).toEqual({ key: 'event.name', type: 'string', value: name });
  expect(record.attributes.at(-1)!.value).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
  const timestamp = record.attributes.find((a) => a.key === 'event.timestamp')!;
  expect(timestamp.value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  // event.timestamp and timeUnixNano describe the same instant.
  expect(Date.parse(String(timestamp.value))).toBe(Number(BigInt(record.timeUnixNano) / 1_000_000n));
}

export function attr(record: ReceivedLogRecord, key: string): Attr | undefined {
  return record.attributes.find((a) => a.key === key);
}
