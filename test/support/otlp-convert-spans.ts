/**
 * ExportTraceServiceRequest (decoded protobuf or OTLP/JSON) -> ReceivedSpan[]; strict like the logs and
 * metrics converters: an unknown key is a shape error, not silently skipped.
 */
import {
  attributes, int32, jsonSource, list, object, onlyKnownKeys, optional, protobufSource, resourceOf, scopeOf, str,
  type Source,
} from './otlp-convert-common.js';
import type { ReceivedSpan } from './otlp-model.js';

const SPAN_KEYS = [
  'traceId', 'spanId', 'traceState', 'parentSpanId', 'flags', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano',
  'attributes', 'droppedAttributesCount', 'events', 'droppedEventsCount', 'links', 'droppedLinksCount', 'status',
] as const;

function spansFrom(src: Source, request: unknown): ReceivedSpan[] {
  const root = object(request, 'request');
  onlyKnownKeys(src, root, ['resourceSpans'], 'request');
  const spans: ReceivedSpan[] = [];
  list(root, 'resourceSpans', 'request').forEach((rs, r) => {
    const rsAt = `resourceSpans[${r}]`;
    const resourceSpans = object(rs, rsAt);
    onlyKnownKeys(src, resourceSpans, ['resource', 'scopeSpans', 'schemaUrl'], rsAt);
    const resource = resourceOf(src, resourceSpans, rsAt);
    list(resourceSpans, 'scopeSpans', rsAt).forEach((ss, s) => {
      const ssAt = `${rsAt}.scopeSpans[${s}]`;
      const scopeSpans = object(ss, ssAt);
      onlyKnownKeys(src, scopeSpans, ['scope', 'spans', 'schemaUrl'], ssAt);
      const scope = scopeOf(src, scopeSpans, ssAt);
      list(scopeSpans, 'spans', ssAt).forEach((sp, i) => {
        const at = `${ssAt}.spans[${i}]`;
        const span = object(sp, at);
        onlyKnownKeys(src, span, SPAN_KEYS, at);
        const status = span['status'] === undefined ? {} : object(span['status'], `${at}.status`);
        spans.push({
          encoding: src.encoding,
          resource,
          scope,
          traceId: optional(span, 'traceId', (v, w) => src.id(v, w), at) ?? '',
          spanId: optional(span, 'spanId', (v, w) => src.id(v, w), at) ?? '',
          parentSpanId: optional(span, 'parentSpanId', (v, w) => src.id(v, w), at) ?? '',
          traceState: optional(span, 'traceState', str, at) ?? '',
          name: optional(span, 'name', str, at) ?? '',
          kind: optional(span, 'kind', int32, at) ?? 0,
          startTimeUnixNano: optional(span, 'startTimeUnixNano', src.int64, at) ?? '0',
          endTimeUnixNano: optional(span, 'endTimeUnixNano', src.int64, at) ?? '0',
          attributes: attributes(src, span, at),
          statusCode: optional(status, 'code', int32, `${at}.status`) ?? 0,
          events: (span['events'] === undefined ? [] : list(span, 'events', at)).map((e, j) => {
            const event = object(e, `${at}.events[${j}]`);
            return { name: optional(event, 'name', str, `${at}.events[${j}]`) ?? '', attributes: attributes(src, event, `${at}.events[${j}]`) };
          }),
        });
      });
    });
  });
  return spans;
}

export function spansFromProtobufObject(request: unknown): ReceivedSpan[] {
  return spansFrom(protobufSource, request);
}

export function spansFromJson(request: unknown): ReceivedSpan[] {
  return spansFrom(jsonSource, request);
}
