/**
 * The library owns only its own state: it keeps a diag logger the host registered, installs one on
 * stderr only when there is none, and two telemetry instances in one process do not see each other's
 * records, queue sizes, delivery counts or internal-error reports.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defaultConfig, DIAGNOSTICS_CHANNEL, type DiagnosticMessage, type OtelConfig } from '../../../src/index.js';

function recordingLogger(): DiagLogger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string) => { lines.push(`${level}: ${message}`); };
  return { lines, error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug'), verbose: write('verbose') };
}

/** Captures what is written to stderr while `work` runs. */
async function stderrOf(work: () => Promise<void> | void): Promise<string> {
  const original = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => { text += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stderr.write = original;
  }
  return text;
}

afterEach(() => diag.disable());

describe('the OpenTelemetry diag logger belongs to the host', () => {
  it('a logger the host registered before createTelemetry is kept, and receives the SDK diagnostics', async () => {
    const host = recordingLogger();
    diag.setLogger(host, DiagLogLevel.WARN);
    const telemetry = createTelemetry(defaultConfig());
    diag.warn('from the SDK');
    await telemetry.shutdown();
    expect(host.lines).toContain('warn: from the SDK');
  });

  it('with no logger registered, SDK diagnostics reach stderr', async () => {
    const text = await stderrOf(async () => {
      const telemetry = createTelemetry(defaultConfig());
      diag.error('exporter failed');
      await telemetry.shutdown();
    });
    expect(text).toContain('codex-otel: error: exporter failed');
  });

  it('diagnostics: false installs nothing', async () => {
    const telemetry = createTelemetry(defaultConfig(), { diagnostics: false });
    const text = await stderrOf(() => { diag.error('nobody listens'); });
    await telemetry.shutdown();
    expect(text).toBe('');
  });
});

describe('two instances in one process', () => {
  const hostile = { get toolName(): string { throw new Error('boom'); } };

  function config(maxQueueBytes: number): OtelConfig {
    const c = defaultConfig();
    c.present = true;
    c.extensions.logQueueMaxBytes = maxQueueBytes;
    c.extensions.logScheduleDelayMs = 60_000;
    return c;
  }

  it('keep their own records, byte caps, delivery counts and error reports', async () => {
    const messages: DiagnosticMessage[] = [];
    const listener = (message: unknown) => messages.push(message as DiagnosticMessage);
    subscribe(DIAGNOSTICS_CHANNEL, listener);
    const exporterA = new InMemoryLogRecordExporter();
    const exporterB = new InMemoryLogRecordExporter();
    // A holds at most ~2 records of 4 KiB output in memory; B has the default 32 MiB.
    const a = createTelemetry(config(12_000), { originator: 'agent_a', diagnostics: false, logExporters: [exporterA], delivery: { spool: false, warn: () => undefined } });
    const b = createTelemetry(config(32 * 1024 * 1024), { originator: 'agent_b', diagnostics: false, logExporters: [exporterB], delivery: { spool: false, warn: () => undefined } });
    const sessionA = a.startSession({ conversationId: 'conv-a', model: 'gpt-5' });
    const sessionB = b.startSession({ conversationId: 'conv-b', model: 'gpt-5' });
    const output = 'x'.repeat(4096);
    for (let i = 0; i < 10; i++) {
      // Interleaved: a size left behind by one instance's emit must never be read by the other's queue.
      sessionA.toolResult({ toolName: 'shell', callId: `a${i}`, arguments: '{}', durationMs: 1, success: true, output });
      sessionB.userPrompt('hi');
    }
    sessionA.toolDecision(hostile as never);
    sessionB.toolDecision(hostile as never);
    await Promise.all([a.forceFlush(), b.forceFlush()]);
    unsubscribe(DIAGNOSTICS_CHANNEL, listener);

    const conversations = (exporter: InMemoryLogRecordExporter) => new Set(exporter.getFinishedLogRecords().map((r) => r.attributes['conversation.id']));
    expect(conversations(exporterA)).toEqual(new Set(['conv-a']));
    expect(conversations(exporterB)).toEqual(new Set(['conv-b']));
    expect(exporterB.getFinishedLogRecords()).toHaveLength(10);
    await Promise.all([a.shutdown(), b.shutdown()]);
    const statsA = a.deliveryStats();
    const statsB = b.deliveryStats();
    expect(statsA.dropped.queue_full).toBeGreaterThan(0);
    expect(statsA.exported + statsA.dropped.queue_full).toBe(10);
    expect(statsB.dropped.total).toBe(0);
    expect(statsB.exported).toBe(10);
    // The same kind of internal error is reported once per instance, not once per process.
    const reports = messages.filter((m) => m.message.includes('emitting codex.tool_decision'));
    expect(reports.map((m) => m.originator).sort()).toEqual(['agent_a', 'agent_b']);
  });
});
