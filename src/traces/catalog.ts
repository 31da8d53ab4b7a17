/**
 * The spans we emit, as data: name, OTLP kind and attribute keys with their wire types, following
 * contract §4 and the real Codex 0.169 spans of test/fixtures/codex-0.169.0/<scenario>/traces.json. The conformance test compares these shapes with the spans in
 * the real captures; the tracing library's own defaults (`busy_ns`, `code.*`, `thread.*`, …) are left out.
 */
import { SpanKind } from '@opentelemetry/api';

export type SpanAttributeType = 'string' | 'int' | 'double' | 'bool';

export interface SpanShape {
  /** The span name; `undefined` for the tool span, which is named after the tool (`exec_command`, …). */
  name: string | undefined;
  kind: SpanKind;
  /** Keys Codex puts on the span, with their OTLP value types; optional ones may be absent. */
  attributes: Readonly<Record<string, { type: SpanAttributeType; optional?: boolean }>>;
}

export type SpanShapeId = 'turn' | 'modelRequest' | 'streamRequest' | 'websocketRequest' | 'websocketStreamRequest' | 'websocketConnection' | 'response' | 'toolCall';

/** Codex's names for the per-turn token counts (`codex.turn.token_usage.<name>`), from our usage fields. */
export const TURN_TOKEN_USAGE = [
  ['input_tokens', 'inputTokens'],
  ['cached_input_tokens', 'cachedInputTokens'],
  ['cache_write_input_tokens', 'cacheWriteInputTokens'],
  ['non_cached_input_tokens', 'nonCachedInputTokens'],
  ['output_tokens', 'outputTokens'],
  ['reasoning_output_tokens', 'reasoningOutputTokens'],
  ['total_tokens', 'totalTokens'],
] as const;

/** `gen_ai.usage.*` (and Codex's own `codex.usage.*`) on the span of the completed response. */
export const RESPONSE_TOKEN_USAGE = [
  ['gen_ai.usage.input_tokens', 'inputTokens'],
  ['gen_ai.usage.cache_read.input_tokens', 'cachedInputTokens'],
  ['gen_ai.usage.cache_write.input_tokens', 'cacheWriteInputTokens'],
  ['gen_ai.usage.output_tokens', 'outputTokens'],
  ['codex.usage.reasoning_output_tokens', 'reasoningOutputTokens'],
  ['codex.usage.total_tokens', 'totalTokens'],
] as const;

const usageKeys = (keys: readonly (readonly [string, string])[], prefix = '', optional = false) =>
  Object.fromEntries(keys.map(([key]) => [`${prefix}${key}`, { type: 'int' as const, optional }]));

const ATTEMPT_ATTRIBUTES = {
  'api.path': { type: 'string' },
  'http.method': { type: 'string' },
  transport: { type: 'string' },
} as const;

export const SPAN_CATALOG: Readonly<Record<SpanShapeId, SpanShape>> = {
  turn: {
    name: 'session_task.turn',
    kind: SpanKind.INTERNAL,
    attributes: {
      'turn.id': { type: 'string' },
      'thread.id': { type: 'string' },
      'conversation.id': { type: 'string' },
      model: { type: 'string' },
      'codex.turn.reasoning_effort': { type: 'string' },
      ...usageKeys(TURN_TOKEN_USAGE, 'codex.turn.token_usage.', true),
    },
  },
  modelRequest: {
    name: 'model_client.stream_responses_api',
    kind: SpanKind.INTERNAL,
    attributes: { ...ATTEMPT_ATTRIBUTES, model: { type: 'string' }, wire_api: { type: 'string' }, 'turn.has_metadata_header': { type: 'bool' } },
  },
  streamRequest: { name: 'responses.stream_request', kind: SpanKind.INTERNAL, attributes: ATTEMPT_ATTRIBUTES },
  // The websocket transport (`transport = "responses_websocket"`): its own names, no `http.method`.
  websocketRequest: {
    name: 'model_client.stream_responses_websocket',
    kind: SpanKind.INTERNAL,
    attributes: {
      'api.path': { type: 'string' }, transport: { type: 'string' }, model: { type: 'string' }, wire_api: { type: 'string' },
      'turn.has_metadata_header': { type: 'bool' }, 'websocket.warmup': { type: 'bool' },
    },
  },
  websocketStreamRequest: {
    name: 'responses_websocket.stream_request',
    kind: SpanKind.INTERNAL,
    attributes: { 'api.path': { type: 'string' }, transport: { type: 'string' } },
  },
  websocketConnection: {
    name: 'model_client.websocket_connection',
    kind: SpanKind.INTERNAL,
    attributes: {
      provider: { type: 'string' }, wire_api: { type: 'string' }, transport: { type: 'string' }, 'api.path': { type: 'string' },
      'turn.has_metadata_header': { type: 'bool' },
    },
  },
  response: {
    name: 'handle_responses',
    kind: SpanKind.INTERNAL,
    attributes: {
      'codex.request.reasoning_effort': { type: 'string' },
      'codex.response.receive_wait_ms': { type: 'double' },
      ...usageKeys(RESPONSE_TOKEN_USAGE),
    },
  },
  toolCall: {
    name: undefined,
    kind: SpanKind.INTERNAL,
    attributes: {
      call_id: { type: 'string' },
      tool_name: { type: 'string' },
      tool_source: { type: 'string' },
      aborted: { type: 'bool' },
      'codex.tool.phase': { type: 'string' },
      'conversation.id': { type: 'string' },
      'turn.id': { type: 'string' },
      turn_id: { type: 'string' },
    },
  },
};

/** Defaults of the model request attributes: the Responses API over HTTP with SSE, as Codex 0.169 sends them. */
export const MODEL_REQUEST_DEFAULTS = {
  apiPath: '/responses',
  httpMethod: 'POST',
  transport: 'responses_http',
  wireApi: 'responses',
} as const;

/** The `transport` value of the websocket transport, which switches the span names. */
export const WEBSOCKET_TRANSPORT = 'responses_websocket';

/** Codex's value of a reasoning effort that is not configured. */
export const DEFAULT_REASONING_EFFORT = 'default';
/** `tool_source` of a call the model made directly; `codex.tool.phase` as Codex 0.169 ends every tool span. */
export const TOOL_SOURCE_DIRECT = 'direct';
export const TOOL_PHASE = 'dispatch';
