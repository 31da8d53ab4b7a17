/**
 * A record waiting in the queue (a dead collector) keeps only the scrub window of a huge tool output,
 * not the caller's whole string: the queue's byte cap counts the window, so the window must be all it holds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../../src/index.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/** V8's heap and the strings outside it (Node keeps large strings made from buffers as external ones). */
function memoryUsed(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** A collector that never answers: every batch stays in flight, the rest in the queue. */
const deadExporter: LogRecordExporter = { export: () => undefined, shutdown: async () => undefined, forceFlush: async () => undefined };

describe('huge tool outputs behind a dead collector', () => {
  it('leave only the scrub window of each output in memory', async () => {
    const parsed = parseConfigText('[otel.codex_otel]\nshutdown_timeout_ms = 500\nlog_schedule_delay_ms = 600000\n[otel]\n', { env: {} });
    if (!parsed.config) throw new Error(JSON.stringify(parsed.errors));
    const telemetry = createTelemetry(parsed.config, { diagnostics: false, logExporters: [deadExporter] });
    const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5' });
    const outputs = 30;
    const size = 4_000_000;
    const before = memoryUsed();
    for (let i = 0; i < outputs; i++) {
      // Distinct and flat, as a tool's output read from a pipe would be.
      const output = Buffer.alloc(size, `${i} line of output\n`).toString('latin1');
      session.toolResult({ toolName: 'exec_command', callId: `c${i}`, arguments: '{}', durationMs: 1, success: true, output });
    }
    const grown = memoryUsed() - before;
    // The windows: 30 × 64 Ki characters, about 2 MB. Keeping the outputs whole would be 120 MB.
    expect(grown).toBeLessThan((outputs * size) / 4);
    await telemetry.shutdown();
  }, 60_000);
});
