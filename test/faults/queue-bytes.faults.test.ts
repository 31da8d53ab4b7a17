import { ExportResultCode } from '@opentelemetry/core';
import { expectLedgerBalanced } from './support.js';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../src/index.js';

/** Accepts every batch it is given and counts the records: the queue itself is what is measured. */
class CountingExporter implements LogRecordExporter {
  records = 0;
  export(records: unknown[], done: (result: { code: ExportResultCode }) => void): void {
    this.records += records.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> { return Promise.resolve(); }
  forceFlush(): Promise<void> { return Promise.resolve(); }
}

describe('the log queue byte cap', () => {
  it('drops large records once the queued bytes reach the cap, while small ones still fit in the record cap', async () => {
    const { config } = parseConfigText('[otel.codex_otel]\nlog_queue_max_bytes = 65536\nlog_schedule_delay_ms = 60000\n[otel]\n', {});
    const exporter = new CountingExporter();
    const telemetry = createTelemetry(config!, { diagnostics: false, logExporters: [exporter], delivery: { warn: () => undefined } });
    const session = telemetry.startSession({ conversationId: 'bytes-1', model: 'gpt-5' });
    const output = 'x'.repeat(4000);
    for (let i = 0; i < 100; i++) {
      session.toolResult({ toolName: 'shell', callId: `c${i}`, arguments: 'y'.repeat(2000), durationMs: 1, success: true, output });
    }
    const result = await telemetry.shutdown();
    const dropped = result.delivery!.dropped;
    // Scrubbing (and the preview cut) happen when a batch leaves the queue, so a queued record holds the raw
    // output: about 1 KiB + 2 × (4000-char output + 2000-char arguments), five or so fit in 64 KiB.
    expect(dropped.queue_full).toBeGreaterThan(85);
    expect(dropped.queue_full).toBeLessThan(99);
    expect(exporter.records + dropped.queue_full).toBe(100);
    expectLedgerBalanced(result.delivery!);
    expect(result.delivery).toMatchObject({ emitted: 100, exported: exporter.records });
  });
});

describe('a record emitted after shutdown', () => {
  it('is counted as dropped (after_shutdown), never lost silently', async () => {
    const exporter = new CountingExporter();
    const { config } = parseConfigText('[otel]\n', {});
    const telemetry = createTelemetry(config!, { diagnostics: false, logExporters: [exporter], delivery: { warn: () => undefined } });
    const session = telemetry.startSession({ conversationId: 'late-1', model: 'gpt-5' });
    session.userPrompt('before');
    await telemetry.shutdown();
    for (let i = 0; i < 7; i++) session.userPrompt('after');
    expect(exporter.records).toBe(1);
    expect(telemetry.deliveryStats().dropped.after_shutdown).toBe(7);
    expect(telemetry.deliveryStats()).toMatchObject({ emitted: 8, exported: 1 });
    expectLedgerBalanced(telemetry.deliveryStats());
  });
});
