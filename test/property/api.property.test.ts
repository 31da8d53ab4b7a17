/**
 * Property-based tests over the whole public API with hostile values: whatever a caller passes, nothing
 * throws, every request a real receiver gets decodes (protobuf and JSON), string caps hold, and each
 * event method produces exactly one record.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STRING_LENGTH } from '../../src/events/values.js';
import { PREVIEW_MAX_BYTES, PREVIEW_TRUNCATION_NOTICE } from '../../src/redact/preview.js';
import { createTelemetry, instrumentSseStream, parseConfigText, timeApiRequest, timeToolCall, type Session, type Telemetry } from '../../src/index.js';
import type { Attr, TypedValue } from '../support/otlp-model.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

const EVENT_METHODS = [
  'conversationStarts', 'userPrompt', 'apiRequest', 'sseEvent', 'sseEventFailed', 'sseEventCompleted', 'sseEventCompletedFailed',
  'websocketConnect', 'websocketRequest', 'websocketEvent', 'toolDecision', 'sandboxOutcome', 'toolResult',
] as const;
type EventMethod = (typeof EVENT_METHODS)[number];

const INPUT_KEYS = [
  'conversationId', 'model', 'slug', 'authMode', 'accountId', 'email', 'terminalType', 'sessionSource', 'authEnv',
  'providerName', 'reasoningEffort', 'reasoningSummary', 'contextWindow', 'autoCompactTokenLimit', 'approvalPolicy', 'sandboxPolicy',
  'mcpServers', 'attempt', 'durationMs', 'status', 'error', 'endpoint', 'headerAttached', 'headerName', 'kind', 'inputTokens',
  'outputTokens', 'cachedTokens', 'reasoningTokens', 'totalTokens', 'success', 'connectionReused', 'toolName', 'callId',
  'decision', 'source', 'outcome', 'initialDurationMs', 'escalatedDurationMs', 'arguments', 'output', 'mcpServer',
  'mcpServerOrigin', 'sandbox', 'e2eDurationMs', 'ttftDurationMs', 'text', 'requestId', 'cfRay',
];

const HUGE = 'x'.repeat(MAX_STRING_LENGTH * 3);
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 50 }),
  fc.constantFrom('\uD800', 'a\uDC00b', '\uDBFF', `${'y'.repeat(MAX_STRING_LENGTH - 1)}\uD83D\uDE00tail`, HUGE, '\u0000', 'line\r\nbreak', '€'.repeat(5000)),
  fc.integer({ min: 0, max: 3 }).map((n) => '🎉'.repeat(20_000 * n)),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, -1e-300),
  fc.double(),
  fc.bigInt(),
);
/**
 * Objects that fight back: throwing getters, a throwing Proxy, toString/valueOf that throw, cycles.
 * Generated as a marker and built inside the property (fast-check itself would trip over a Proxy).
 */
class Trap {
  constructor(readonly kind: number) {}
}
const TRAPS: Array<() => unknown> = [
  () => Object.defineProperty({}, 'toolName', { get() { throw new Error('getter trap'); }, enumerable: true }),
  () => new Proxy({}, { get() { throw new Error('proxy trap'); }, has() { throw new Error('proxy trap'); }, ownKeys() { throw new Error('proxy trap'); } }),
  () => ({ toString() { throw new Error('toString trap'); }, valueOf() { throw new Error('valueOf trap'); } }),
  () => { const a: Record<string, unknown> = {}; a['self'] = a; a['error'] = a; a['output'] = a; return a; },
];
const traps = fc.integer({ min: 0, max: TRAPS.length - 1 }).map((kind) => new Trap(kind));
const built = new WeakSet<object>();
function isTrapped(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (built.has(value)) return true;
  try {
    return Object.values(value).some((item) => typeof item === 'object' && item !== null && built.has(item));
  } catch {
    return true;
  }
}
function build(kind: number): unknown {
  const made = TRAPS[kind]!() as object;
  built.add(made);
  return made;
}
/** Replaces Trap markers (top level and one level down) by the real hostile objects. */
function materialize(value: unknown): unknown {
  if (value instanceof Trap) return build(value.kind);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = item instanceof Trap ? build(item.kind) : item;
    return out;
  }
  return value;
}
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.anything(), weight: 3 },
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: fc.constantFrom(null, undefined, true, false, Symbol('s'), () => 1), weight: 1 },
  { arbitrary: traps, weight: 1 },
);
const hostileInput: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.dictionary(fc.constantFrom(...INPUT_KEYS), hostileValue, { maxKeys: 12 }), weight: 5 },
  { arbitrary: hostileValue, weight: 2 },
);
const call = fc.record({ method: fc.constantFrom<EventMethod | 'turn'>(...EVENT_METHODS, 'turn'), input: hostileInput });

const receivers: OtlpReceiver[] = [];
beforeAll(async () => { receivers.push(await startOtlpReceiver()); });
afterAll(async () => { await Promise.all(receivers.map((r) => r.close())); });

function telemetryFor(receiver: OtlpReceiver, protocol: 'binary' | 'json'): Telemetry {
  const toml = `[otel]\nexporter = { otlp-http = { endpoint = "${receiver.logsUrl}", protocol = "${protocol}" } }\n` +
    `metrics_exporter = { otlp-http = { endpoint = "${receiver.metricsUrl}", protocol = "${protocol}" } }\n` +
    '[otel.codex_otel]\nlog_schedule_delay_ms = 100\nshutdown_timeout_ms = 5000\n';
  const result = parseConfigText(toml, { env: {}, baseDir: process.cwd() });
  return createTelemetry(result.config!, { env: {}, diagnostics: false, delivery: { spool: false, warn: () => undefined } });
}

function* strings(value: TypedValue): Generator<string> {
  if (value.type === 'string') yield value.value;
  if (value.type === 'array') for (const item of value.value) yield* strings(item);
  if (value.type === 'kvlist') for (const kv of value.value) yield* strings(kv);
}

function attr(attributes: Attr[], key: string): Attr | undefined {
  return attributes.find((a) => a.key === key);
}

describe.each(['binary', 'json'] as const)('hostile values over OTLP/HTTP %s', (protocol) => {
  it('never throw, always decode, respect the caps, one record per event call', async () => {
    const receiver = receivers[0]!;
    receiver.reset();
    const telemetry = telemetryFor(receiver, protocol);
    let expectedRecords = 0;
    let trapCalls = 0;
    await fc.assert(
      fc.asyncProperty(hostileValue, fc.array(call, { minLength: 1, maxLength: 12 }), async (rawInfo, rawCalls) => {
        const info = materialize(rawInfo);
        const calls = rawCalls.map(({ method, input }) => ({ method, input: materialize(input) }));
        let session!: Session;
        expect(() => { session = telemetry.startSession(info as never); }).not.toThrow();
        for (const { method, input } of calls) {
          expect(() => (session[method] as (value: unknown) => void)(input)).not.toThrow();
          if (method !== 'turn') expectedRecords++;
          if (method !== 'turn' && isTrapped(input)) trapCalls++;
        }
        // The helpers, with hostile call descriptions; their own promise outcome is passed through.
        const fields = calls[0]!.input as never;
        await expect(timeApiRequest(session, fields, async () => 'ok')).resolves.toBe('ok');
        await expect(timeToolCall(session, fields, async () => ({ weird: calls[0]!.input }))).resolves.toBeDefined();
        const stream = (async function* () { yield calls[0]!.input; yield 'done'; })();
        const seen: unknown[] = [];
        for await (const event of instrumentSseStream(session, stream, { kind: () => calls[0]!.input as never, usage: () => undefined })) seen.push(event);
        expect(seen).toHaveLength(2);
        expectedRecords += 4;
        if (isTrapped(calls[0]!.input)) trapCalls += 4;
      }),
      { numRuns: 60, seed: 20260607 },
    );
    const shutdown = await telemetry.shutdown();
    expect(shutdown.completed).toBe(true);
    await receiver.waitFor(() => receiver.logs().length >= expectedRecords - trapCalls && receiver.requests.length > 0, 10_000);
    expect(receiver.errors()).toEqual([]);
    const logs = receiver.logs();
    // An input that throws when read (getter, Proxy) may cost its own record (Session reports it once on
    // stderr); every other call gives exactly one.
    expect(logs.length).toBeLessThanOrEqual(expectedRecords);
    expect(logs.length).toBeGreaterThanOrEqual(expectedRecords - trapCalls);
    expect(telemetry.deliveryStats().dropped.total).toBe(0);
    for (const record of logs) {
      expect(record.encoding).toBe(protocol === 'json' ? 'json' : 'protobuf');
      expect(record.eventName).toMatch(/^codex\./);
      for (const a of record.attributes) {
        for (const text of strings(a)) {
          expect(text.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
          expect(text.isWellFormed()).toBe(true);
        }
      }
      const output = attr(record.attributes, 'output');
      if (output?.type === 'string') {
        expect(Buffer.byteLength(output.value.replace(`\n${PREVIEW_TRUNCATION_NOTICE}`, ''))).toBeLessThanOrEqual(PREVIEW_MAX_BYTES);
      }
    }
    expect(receiver.metrics().length).toBeGreaterThan(0);
  });
});
