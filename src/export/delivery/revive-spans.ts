/**
 * OTLP/JSON (`ExportTraceServiceRequest`, as written by the SDK's JsonTraceSerializer) back into
 * `ReadableSpan`s, so a spooled span batch is resent through whatever trace exporter is configured and
 * encodes to the request it would have been the first time: ids, parent, trace state, flags (sampled,
 * remote parent), kind, times, status, attributes, events, links, dropped counts, resource and scope.
 *
 * Fidelity limits are those of log records (revive.ts): a whole-number `doubleValue` comes back as an
 * `intValue`, an `intValue` beyond 2^53 loses precision, a NaN or infinite double comes back as NaN.
 */
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { arr, obj, reviveRequest, str, toAttributes, toHrTime, type Json, type RequestShape } from './revive.js';

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** The spans of one request line. Throws on a line that is not an `ExportTraceServiceRequest` (caller counts it). */
export function reviveTracesRequest(line: string): ReadableSpan[] {
  return reviveRequest(line, TRACES_REQUEST, reviveSpan);
}

const TRACES_REQUEST: RequestShape = { name: 'ExportTraceServiceRequest', resourceGroups: 'resourceSpans', scopeGroups: 'scopeSpans', items: 'spans' };

function reviveSpan(raw: Json, resource: ReadableSpan['resource'], scope: ReadableSpan['instrumentationScope']): ReadableSpan {
  const flags = typeof raw['flags'] === 'number' ? raw['flags'] : 0;
  // The span's own context is local; the remote bits of its flags are about its parent.
  const context = spanContext(str(raw['traceId']) ?? '', str(raw['spanId']) ?? '', flags & 0xff, raw['traceState']);
  const parentSpanId = str(raw['parentSpanId']);
  const startTime = toHrTime(raw['startTimeUnixNano']);
  const endTime = toHrTime(raw['endTimeUnixNano']);
  const rawStatus = obj(raw['status']);
  const status: SpanStatus = { code: typeof rawStatus['code'] === 'number' ? rawStatus['code'] : 0 };
  const message = str(rawStatus['message']);
  if (message !== undefined) status.message = message;
  const kind = typeof raw['kind'] === 'number' && raw['kind'] > 0 ? raw['kind'] - 1 : undefined;
  const span = {
    name: str(raw['name']) ?? '',
    kind: kind as SpanKind,
    spanContext: () => context,
    startTime,
    endTime,
    status,
    attributes: toAttributes(raw['attributes']) as Attributes,
    links: arr(raw['links']).map((link) => reviveLink(obj(link))),
    events: arr(raw['events']).map((event) => reviveEvent(obj(event))),
    duration: hrDiff(startTime, endTime),
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: count(raw['droppedAttributesCount']),
    droppedEventsCount: count(raw['droppedEventsCount']),
    droppedLinksCount: count(raw['droppedLinksCount']),
    ...(parentSpanId
      ? { parentSpanContext: { traceId: context.traceId, spanId: parentSpanId, traceFlags: context.traceFlags, isRemote: (flags & IS_REMOTE) !== 0 } }
      : {}),
  };
  return span as ReadableSpan;
}

function reviveLink(raw: Json): Link {
  const flags = typeof raw['flags'] === 'number' ? raw['flags'] : 0;
  const link: Link = { context: spanContext(str(raw['traceId']) ?? '', str(raw['spanId']) ?? '', flags, raw['traceState']), attributes: toAttributes(raw['attributes']) as Attributes };
  const dropped = count(raw['droppedAttributesCount']);
  if (dropped > 0) link.droppedAttributesCount = dropped;
  return link;
}

function reviveEvent(raw: Json): TimedEvent {
  const event: TimedEvent = { name: str(raw['name']) ?? '', time: toHrTime(raw['timeUnixNano']), attributes: toAttributes(raw['attributes']) as Attributes };
  const dropped = count(raw['droppedAttributesCount']);
  if (dropped > 0) event.droppedAttributesCount = dropped;
  return event;
}

/** `flags` holds the W3C trace flags in its low byte and whether the context is remote in bits 8-9. */
function spanContext(traceId: string, spanId: string, flags: number, traceState: unknown): SpanContext {
  const context: SpanContext = { traceId, spanId, traceFlags: flags & 0xff };
  if ((flags & HAS_IS_REMOTE) !== 0 && (flags & IS_REMOTE) !== 0) context.isRemote = true;
  if (typeof traceState === 'string') context.traceState = new TraceState(traceState);
  return context;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function hrDiff(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1_000_000_000;
  }
  return [seconds, nanos];
}
