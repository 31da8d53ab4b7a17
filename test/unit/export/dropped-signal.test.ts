/**
 * `codex_otel.dropped_records` counts the drops of both ledger accounts, and its `signal` attribute says
 * whose: `logs` for log records, `traces` for spans, so a span loss is not read as an audit-log loss.
 * Real SDK providers and exporters; a queue of one record makes both signals drop (`queue_full`).
 */
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { createTelemetry, defaultConfig } from '../../../src/index.js';

it('drops of log records and of spans are told apart by the signal attribute', async () => {
  const config = defaultConfig();
  config.extensions.logQueueSize = 1;
  config.extensions.logBatchSize = 1;
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const telemetry = createTelemetry(config, {
    diagnostics: false,
    logExporters: [new InMemoryLogRecordExporter()],
    spanExporters: [new InMemorySpanExporter()],
    metricExporters: [metrics],
    delivery: { warn: () => undefined },
  });
  const session = telemetry.startSession({ conversationId: 'dropped-signal', model: 'gpt-5' });
  const turn = session.startTurn();
  for (let i = 0; i < 20; i++) {
    session.toolDecision({ toolName: 'exec_command', callId: `call-${i}`, decision: 'denied', source: 'User' });
    session.toolCallAborted({ toolName: 'exec_command', callId: `call-${i}` });
  }
  turn.end();
  const result = await telemetry.shutdown();
  const logsDropped = result.delivery!.dropped.queue_full;
  const spansDropped = result.delivery!.spans.dropped.queue_full;
  expect(logsDropped).toBeGreaterThan(0);
  expect(spansDropped).toBeGreaterThan(0);

  const points = metrics.getMetrics().flatMap((rm) => rm.scopeMetrics).flatMap((sm) => sm.metrics)
    .filter((m) => m.descriptor.name === 'codex_otel.dropped_records')
    .flatMap((m) => m.dataPoints as ReadonlyArray<{ attributes: Record<string, unknown>; value: number }>);
  const last = new Map<string, number>();
  for (const point of points) last.set(`${String(point.attributes['reason'])}/${String(point.attributes['signal'])}`, point.value);
  expect(Object.fromEntries(last)).toEqual({ 'queue_full/logs': logsDropped, 'queue_full/traces': spansDropped });
});
