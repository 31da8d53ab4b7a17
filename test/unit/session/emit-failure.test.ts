import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createTelemetry, defaultConfig } from '../../../src/index.js';

describe('an input that throws when read', () => {
  it('costs only its own record, never the caller, and is counted in codex_otel.dropped_records', async () => {
    const metrics = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const telemetry = createTelemetry(defaultConfig(), { diagnostics: false, metricExporters: [metrics] });
    const session = telemetry.startSession({ conversationId: 'c', model: 'gpt-5' });
    const hostile = { get toolName(): string { throw new Error('boom'); } };
    expect(() => session.toolDecision(hostile as never)).not.toThrow();
    session.toolDecision({ toolName: 'shell', callId: 'c1', decision: 'approved', source: 'User' });
    await telemetry.forceFlush();
    const points = metrics.getMetrics().flatMap((rm) => rm.scopeMetrics).flatMap((sm) => sm.metrics)
      .filter((m) => m.descriptor.name === 'codex_otel.dropped_records')
      .flatMap((m) => m.dataPoints as ReadonlyArray<{ attributes: Record<string, unknown>; value: unknown }>);
    expect(points.map((p) => [p.attributes['reason'], p.value])).toEqual([['emit_failed', 1]]);
    const decisions = metrics.getMetrics().flatMap((rm) => rm.scopeMetrics).flatMap((sm) => sm.metrics)
      .find((m) => m.descriptor.name === 'codex.approval.requested');
    expect(decisions?.dataPoints.map((p) => p.value)).toEqual([1]);
    await telemetry.shutdown();
  });
});
