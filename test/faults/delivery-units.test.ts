/**
 * The pieces under the fault tests: the retry policy's numbers, the spool file round trip (revive), and
 * and the exporters of this package (the SDK's public base class around our transport: no private field used).
 */
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { classifyFailure, DeliveryError, exportGuarded, parseRetryAfter, reviveLogsRequest, RetryPolicy, type BatchExporter } from '../../src/export/delivery/index.js';
import { createLogExporter, createMetricExporter } from '../../src/export/exporters.js';

describe('RetryPolicy', () => {
  it('full jitter: each wait is uniform in [0, min(max, initial·2^(n-1))]', () => {
    const high = new RetryPolicy({ initialBackoffMs: 100, maxBackoffMs: 1000, budgetMs: 1e9, maxAttempts: 100, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map((n) => high.nextDelay(n, 0))).toEqual([99, 199, 399, 799, 999, 999]);
    const low = new RetryPolicy({ random: () => 0 });
    expect(low.nextDelay(1, 0)).toBe(0);
  });

  it('honours Retry-After exactly, and gives up when it exceeds the budget or the longest accepted pause', () => {
    const policy = new RetryPolicy({ budgetMs: 5000, maxRetryAfterMs: 3000 });
    expect(policy.nextDelay(1, 0, 2000)).toBe(2000);
    expect(policy.nextDelay(1, 4000, 2000)).toBeUndefined();
    expect(policy.nextDelay(1, 0, 4000)).toBeUndefined();
    expect(policy.nextDelay(8, 0)).toBeUndefined();
  });
});

describe('classifyFailure', () => {
  it('sorts gRPC codes, HTTP statuses and network errors', () => {
    const grpc = (code: number) => classifyFailure(Object.assign(new Error('x'), { code, details: 'd', metadata: {} }));
    expect([14, 8, 4, 10].map((c) => grpc(c).retryable)).toEqual([true, true, true, true]);
    expect([16, 7, 3].map((c) => grpc(c).retryable)).toEqual([false, false, false]);
    expect(grpc(3).rejected).toBe(true);
    expect(classifyFailure(Object.assign(new Error('Bad Request'), { code: 400 }))).toMatchObject({ retryable: false, rejected: true });
    expect(classifyFailure(Object.assign(new Error('Unauthorized'), { code: 401 }))).toMatchObject({ retryable: false, rejected: false });
    expect(classifyFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toMatchObject({ retryable: true });
    expect(classifyFailure(new DeliveryError('x', { retryable: true, rejected: false, retryAfterMs: 7, what: 'HTTP 503' }))).toMatchObject({ retryAfterMs: 7 });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates; a date in the past is "now"; anything else is absent', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('the exporters of this package', () => {
  it.each([
    ['logs http/protobuf', () => createLogExporter({ kind: 'otlp-http', endpoint: 'http://127.0.0.1:1/v1/logs', protocol: 'binary', headers: {} })],
    ['logs http/json', () => createLogExporter({ kind: 'otlp-http', endpoint: 'http://127.0.0.1:1/v1/logs', protocol: 'json', headers: {} })],
    ['metrics http/protobuf', () => createMetricExporter({ kind: 'otlp-http', endpoint: 'http://127.0.0.1:1/v1/metrics', protocol: 'binary', headers: {} }, 'delta')],
    ['metrics http/json', () => createMetricExporter({ kind: 'otlp-http', endpoint: 'http://127.0.0.1:1/v1/metrics', protocol: 'json', headers: {} }, 'delta')],
  ])('%s: built on the SDK public base class, one attempt per export, the refusal classified', async (name, make) => {
    const exporter = make();
    expect(exporter).toBeInstanceOf(OTLPExporterBase);
    const batch = name.startsWith('metrics') ? { resource: resourceFromAttributes({}), scopeMetrics: [] } : [];
    const result = await exportGuarded(exporter as unknown as BatchExporter<unknown>, batch, 10_000);
    expect(result.error).toBeInstanceOf(DeliveryError);
    expect(classifyFailure(result.error)).toMatchObject({ retryable: true, what: 'ECONNREFUSED' });
    await exporter.shutdown();
  });
});

describe('reviveLogsRequest', () => {
  it('round-trips what JsonLogsSerializer writes', () => {
    const resource = resourceFromAttributes({ 'service.name': 'codex_cli_rs', 'env': 'dev', n: 3 });
    const scope = { name: 'codex_otel.log_only' };
    const record: ReadableLogRecord = {
      hrTime: [1_700_000_000, 123_456_789],
      hrTimeObserved: [1_700_000_001, 5],
      resource,
      instrumentationScope: scope,
      eventName: 'codex.tool_result',
      severityNumber: 9,
      severityText: 'INFO',
      attributes: { s: 'x\u0000y', i: 42, big: Number.MAX_SAFE_INTEGER, b: false, arr: ['a', 1], kv: { k: 'v' }, nul: null },
      droppedAttributesCount: 0,
    };
    const line = new TextDecoder().decode(JsonLogsSerializer.serializeRequest([record, { ...record, eventName: 'codex.api_request' }]));
    const revived = reviveLogsRequest(line);
    expect(revived).toHaveLength(2);
    expect(revived[0]!.resource).toBe(revived[1]!.resource);
    const again = new TextDecoder().decode(JsonLogsSerializer.serializeRequest(revived));
    expect(JSON.parse(again)).toEqual(JSON.parse(line));
  });

  it('throws on a line that is not a request (the caller counts it as corrupt)', () => {
    expect(() => reviveLogsRequest('{"resourceLogs":[{"scopeLo')).toThrow();
    expect(() => reviveLogsRequest('[]')).toThrow();
  });
});
