/**
 * The pieces under the fault tests: the retry policy's numbers, the spool file round trip (revive), and
 * the SDK internals that takeOverRetries relies on (pinned, so an SDK upgrade that moves them fails here).
 */
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { classifyFailure, DeliveryError, reviveLogsRequest, RetryPolicy, takeOverRetries } from '../../src/export/delivery/index.js';

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

describe('takeOverRetries', () => {
  it.each([
    ['logs http/protobuf', () => new ProtoLogExporter({ url: 'http://127.0.0.1:1/v1/logs' })],
    ['logs http/json', () => new JsonLogExporter({ url: 'http://127.0.0.1:1/v1/logs' })],
    ['logs grpc', () => new GrpcLogExporter({ url: 'http://127.0.0.1:1' })],
    ['metrics http/protobuf', () => new ProtoMetricExporter({ url: 'http://127.0.0.1:1/v1/metrics' })],
    ['metrics http/json', () => new JsonMetricExporter({ url: 'http://127.0.0.1:1/v1/metrics' })],
    ['metrics grpc', () => new GrpcMetricExporter({ url: 'http://127.0.0.1:1' })],
  ])('finds the transport of the SDK %s exporter', async (_name, make) => {
    const exporter = make();
    expect(takeOverRetries(exporter)).toBe(true);
    expect(takeOverRetries(exporter)).toBe(true);
    await exporter.shutdown();
  });

  it('leaves anything else alone', () => {
    expect(takeOverRetries({ export() {} })).toBe(false);
    expect(takeOverRetries(undefined)).toBe(false);
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
