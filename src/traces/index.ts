export { SessionSpans, type SpanEnvironment } from './spans.js';
export { NOOP_MODEL_REQUEST, NOOP_TOOL_CALL, NOOP_TURN } from './noop.js';
export { SPAN_CATALOG, type SpanShape, type SpanShapeId } from './catalog.js';
export { parentFromEnvironment, mergeTracestate, type TracestateEntries } from './trace-context.js';
export type * from './types.js';
export { eventScope, eventContext, type EventScope } from './event-scope.js';
export { prepareEvent, type EventExtra, type EventStep } from './event-spans.js';
