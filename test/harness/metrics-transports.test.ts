/**
 * The harness decodes metrics from the real SDK exporters over HTTP protobuf, HTTP JSON and gRPC into
 * the same model: names, kinds, temporality, monotonicity and points.
 */
import { ValueType } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
  type OTLPMetricExporterOptions,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metricOfKind } from '../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { exportMetricsOnce } from '../support/sdk-drivers.js';

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(() => receiver.reset());

type MakeExporter = (options: OTLPMetricExporterOptions) => PushMetricExporter;

const transports: Array<{ name: string; encoding: 'protobuf' | 'json'; make: MakeExporter }> = [
  { name: 'HTTP protobuf', encoding: 'protobuf', make: (o) => new ProtoMetricExporter({ ...o, url: receiver.metricsUrl }) },
  { name: 'HTTP JSON', encoding: 'json', make: (o) => new JsonMetricExporter({ ...o, url: receiver.metricsUrl }) },
  { name: 'gRPC', encoding: 'protobuf', make: (o) => new GrpcMetricExporter({ ...o, url: receiver.grpcUrl }) },
];

const DEFAULT_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

describe.each(transports)('metrics over $name', ({ encoding, make }) => {
  it.each([
    ['delta', AggregationTemporalityPreference.DELTA],
    ['cumulative', AggregationTemporalityPreference.CUMULATIVE],
  ] as const)('delivers a counter and a histogram with %s temporality', async (temporality, preference) => {
    await exportMetricsOnce(
      make({ temporalityPreference: preference }),
      (meter) => {
        const counter = meter.createCounter('codex.tool.call', { valueType: ValueType.INT });
        // Without valueType the SDK exports a counter as asDouble: the model shows which one arrived.
        meter.createCounter('harness.double_counter').add(1.5);
        counter.add(1, { tool: 'shell', success: 'true' });
        counter.add(2, { tool: 'shell', success: 'true' });
        counter.add(1, { tool: 'apply_patch', success: 'false' });
        const histogram = meter.createHistogram('codex.tool.call.duration_ms', {
          unit: 'ms',
          description: 'Duration in milliseconds.',
        });
        histogram.record(7, { tool: 'shell' });
        histogram.record(300, { tool: 'shell' });
      },
      { scope: { name: 'codex' } },
    );

    const metrics = await receiver.waitFor(() => receiver.metrics().length >= 3 && receiver.metrics());
    expect(receiver.errors()).toEqual([]);

    const counter = metricOfKind(metrics, 'codex.tool.call', 'sum');
    expect(counter.encoding).toBe(encoding);
    expect(counter.scope.name).toBe('codex');
    expect(counter.resource['service.name']).toEqual({ type: 'string', value: 'codex-otel-harness' });
    expect(counter.isMonotonic).toBe(true);
    expect(counter.temporality).toBe(temporality);
    expect(counter.unit).toBe('');
    const byTool = Object.fromEntries(
      counter.points.map((p) => [p.attributes.find((a) => a.key === 'tool')?.value, p]),
    );
    expect(byTool.shell?.valueType).toBe('int');
    expect(byTool.shell?.value).toBe(3);
    expect(byTool.shell?.attributes).toEqual([
      { key: 'tool', type: 'string', value: 'shell' },
      { key: 'success', type: 'string', value: 'true' },
    ]);
    expect(byTool.apply_patch?.value).toBe(1);
    for (const point of counter.points) {
      expect(BigInt(point.timeUnixNano)).toBeGreaterThan(0n);
      expect(BigInt(point.startTimeUnixNano)).toBeGreaterThan(0n);
    }

    const doubleCounter = metricOfKind(metrics, 'harness.double_counter', 'sum');
    expect(doubleCounter.points.map((p) => [p.valueType, p.value])).toEqual([['double', 1.5]]);
    expect(receiver.requests).toHaveLength(1);

    const histogram = metricOfKind(metrics, 'codex.tool.call.duration_ms', 'histogram');
    expect(histogram.unit).toBe('ms');
    expect(histogram.description).toBe('Duration in milliseconds.');
    expect(histogram.temporality).toBe(temporality);
    expect(histogram.points).toHaveLength(1);
    const point = histogram.points[0];
    expect(point?.count).toBe(2);
    expect(point?.sum).toBe(307);
    expect(point?.min).toBe(7);
    expect(point?.max).toBe(300);
    expect(point?.explicitBounds).toEqual(DEFAULT_BOUNDS);
    expect(point?.bucketCounts).toHaveLength(DEFAULT_BOUNDS.length + 1);
    expect(point?.bucketCounts[2]).toBe(1); // (5, 10]
    expect(point?.bucketCounts[8]).toBe(1); // (250, 500]
    expect(point?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
