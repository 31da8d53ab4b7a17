/**
 * A span batch written to the spool (OTLP/JSON by the SDK's serializer) and read back encodes to the same
 * request as the original spans, byte for byte, in protobuf and in JSON: ids, parent (local and remote),
 * trace state, flags, kind, times, status, attributes of every type, events, links, dropped counts,
 * resource and scope. The spans are made by the real SDK, the bytes by its real serializers.
 */
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { TRACES_CODEC } from '../../../src/export/delivery/spool-codec.js';
import { reviveTracesRequest } from '../../../src/export/delivery/revive-spans.js';
import { decodeExportRequest } from '../../support/otlp-protos.js';

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'codex_cli_rs', 'service.version': '0.42.0', 'host.arch': 'x64', count: 3 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    spanLimits: { attributeCountLimit: 12, eventCountLimit: 2, linkCountLimit: 1 },
  });
  const tracer = provider.getTracer('codex_cli_rs', '1.2.3');
  const other = provider.getTracer('other-scope');
  const remote: SpanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true,
    traceState: new TraceState('vendor=a1,codex=b2'),
  };
  const remoteParent = trace.setSpanContext(context.active(), remote);
  const turn = tracer.startSpan('session_task.turn', { kind: SpanKind.INTERNAL, attributes: { 'turn.id': 't-1', model: 'gpt-5', 'codex.turn.token_usage.input_tokens': 1200 } }, remoteParent);
  const turnContext = trace.setSpan(remoteParent, turn);
  const request = tracer.startSpan('responses.stream_request', {
    kind: SpanKind.CLIENT,
    attributes: { 'api.path': '/responses', 'http.method': 'POST', wait: 12.5, ok: true, tags: ['a', 'b'], sizes: [1, 2, 3] },
    links: [{ context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: 0 }, attributes: { why: 'retry' } }],
  }, turnContext);
  request.addEvent('first_byte', { bytes: 10 });
  request.addEvent('second');
  request.addEvent('third: over the limit');
  request.setStatus({ code: SpanStatusCode.ERROR, message: 'http 503: [REDACTED:api_key]' });
  request.end();
  const tool = tracer.startSpan('exec_command', { kind: SpanKind.INTERNAL, attributes: { call_id: 'call-1', aborted: true } }, turnContext);
  for (let i = 0; i < 20; i++) tool.setAttribute(`extra.${i}`, i); // over the attribute limit: dropped count
  tool.setStatus({ code: SpanStatusCode.OK });
  tool.end();
  turn.end();
  const root = other.startSpan('root', { kind: SpanKind.SERVER, root: true });
  root.end();
  const unsampled = tracer.startSpan('consumer', { kind: SpanKind.CONSUMER }, trace.setSpanContext(context.active(), { ...remote, traceFlags: TraceFlags.NONE, traceState: undefined }));
  unsampled.end();
  return exporter.getFinishedSpans();
}

describe('spans through the spool codec', () => {
  const spans = makeSpans();

  it('the SDK made what this test means to cover', () => {
    expect(spans.length).toBeGreaterThanOrEqual(4);
    expect(spans.some((s) => s.droppedAttributesCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedEventsCount > 0 && s.links.length === 1)).toBe(true);
    expect(spans.some((s) => s.parentSpanContext?.isRemote === true)).toBe(true);
  });

  it('read back, they encode to the same protobuf and JSON bytes', () => {
    const line = Buffer.from(TRACES_CODEC.encode(spans)!).toString('utf8');
    const revived = TRACES_CODEC.decode(line);
    expect(revived).toHaveLength(spans.length);
    const protobuf = Buffer.from(ProtobufTraceSerializer.serializeRequest(revived)!);
    expect(protobuf.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
    expect(Buffer.from(JsonTraceSerializer.serializeRequest(revived)!).toString('utf8')).toBe(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'));
    // And the protobuf is a valid request for the real proto definitions, with the ids and flags intact.
    const decoded = decodeExportRequest('traces', protobuf) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ flags: number; parentSpanId: Buffer }> }> }> };
    const flags = decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.flags)));
    expect(flags).toContain(0x301); // sampled, remote parent
    expect(flags).toContain(0x101); // sampled, local parent
  });

  it('a spooled batch read back twice is the same again (a replayed batch spooled again)', () => {
    const once = TRACES_CODEC.decode(Buffer.from(TRACES_CODEC.encode(spans)!).toString('utf8'));
    const twice = TRACES_CODEC.decode(Buffer.from(TRACES_CODEC.encode(once)!).toString('utf8'));
    expect(Buffer.from(ProtobufTraceSerializer.serializeRequest(twice)!).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
  });

  it('a line that is not a trace request throws (the spool counts it as corrupt)', () => {
    expect(() => reviveTracesRequest('{"resourceLogs":[]}')).toThrow();
    expect(() => reviveTracesRequest('{"resourceSpans":')).toThrow();
  });
});

describe('numbers JSON cannot hold', () => {
  it('a NaN or infinite double attribute comes back as a double (NaN), not as the integer 0', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    tracer.startSpan('handle_responses', { attributes: { 'gen_ai.usage.input_tokens': Number.NaN, ratio: Number.POSITIVE_INFINITY, ok: 1.5 } }).end();
    const revived = TRACES_CODEC.decode(Buffer.from(TRACES_CODEC.encode(exporter.getFinishedSpans())!).toString('utf8'));
    // JSON.stringify writes NaN and ±Infinity as null: which one it was is gone, that it was a double is not.
    const decoded = decodeExportRequest('traces', Buffer.from(ProtobufTraceSerializer.serializeRequest(revived)!)) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ attributes: Array<{ key: string; value: Record<string, unknown> }> }> }> }>;
    };
    const attributes = Object.fromEntries(decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes.map((kv) => [kv.key, kv.value]));
    expect(attributes['gen_ai.usage.input_tokens']!['value']).toBe('doubleValue');
    expect(Number.isNaN(attributes['gen_ai.usage.input_tokens']!['doubleValue'])).toBe(true);
    expect(attributes['ratio']!['value']).toBe('doubleValue');
    expect(attributes['ok']).toMatchObject({ value: 'doubleValue', doubleValue: 1.5 });
  });
});
