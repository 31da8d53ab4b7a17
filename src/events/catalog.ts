/**
 * The event catalog of contract §1.2 as data: one entry per event shape, its attributes in wire order,
 * each with its wire type, and the metric pair it drives. Everything that emits reads this table.
 */
import type { EmitContext } from './context.js';

/** `strnum` is a decimal number sent as a string and `strbool` a boolean sent as "true"/"false", as Codex does. */
export type WireType = 'string' | 'int' | 'bool' | 'strnum' | 'strbool';

export interface AttributeSpec {
  key: string;
  type: WireType;
  /** A field of the caller's input, or a function of the input and the emit context. */
  from: string | ((input: any, ctx: EmitContext) => unknown);
  /** Left out of the record when absent. A required attribute that is absent gets `fallback`. */
  optional?: boolean;
  fallback?: string | number | boolean;
}

export interface MetricSpec {
  counter: string;
  /** The duration histogram paired with the counter, fed from the input's `durationMs`. */
  histogram?: string;
  tags: ReadonlyArray<readonly [tag: string, value: (input: any) => unknown]>;
}

export interface EventShape {
  /** The event name on the wire. Several shapes may share one (the four `codex.sse_event` shapes). */
  name: string;
  attributes: readonly AttributeSpec[];
  metric?: MetricSpec;
}

const scrubbed = (field: string) => (input: any, ctx: EmitContext) => ctx.scrub(input[field]);
const fromSession = (field: keyof EmitContext['authEnv']) => (_input: unknown, ctx: EmitContext) => ctx.authEnv[field];
const successOf = (input: any) => (input.success === true ? 'true' : 'false');

const AUTH_ENV: readonly AttributeSpec[] = [
  { key: 'auth.env_openai_api_key_present', type: 'bool', from: fromSession('openaiApiKeyPresent') },
  { key: 'auth.env_codex_api_key_present', type: 'bool', from: fromSession('codexApiKeyPresent') },
  { key: 'auth.env_codex_api_key_enabled', type: 'bool', from: fromSession('codexApiKeyEnabled') },
  { key: 'auth.env_provider_key_name', type: 'string', from: fromSession('providerKeyName'), optional: true },
  { key: 'auth.env_provider_key_present', type: 'bool', from: fromSession('providerKeyPresent'), optional: true },
  { key: 'auth.env_refresh_token_url_override_present', type: 'bool', from: fromSession('refreshTokenUrlOverridePresent') },
];

const AUTH_REQUEST: readonly AttributeSpec[] = [
  { key: 'auth.header_attached', type: 'bool', from: 'headerAttached', fallback: false },
  { key: 'auth.header_name', type: 'string', from: 'headerName', optional: true },
  { key: 'auth.retry_after_unauthorized', type: 'bool', from: 'retryAfterUnauthorized', fallback: false },
  { key: 'auth.recovery_mode', type: 'string', from: 'recoveryMode', optional: true },
  { key: 'auth.recovery_phase', type: 'string', from: 'recoveryPhase', optional: true },
];

const AUTH_RESPONSE: readonly AttributeSpec[] = [
  { key: 'auth.request_id', type: 'string', from: 'requestId', optional: true },
  { key: 'auth.cf_ray', type: 'string', from: 'cfRay', optional: true },
  { key: 'auth.error', type: 'string', from: scrubbed('authError'), optional: true },
  { key: 'auth.error_code', type: 'string', from: 'authErrorCode', optional: true },
];

const DURATION: AttributeSpec = { key: 'duration_ms', type: 'strnum', from: 'durationMs', fallback: 0 };
const ERROR_OPTIONAL: AttributeSpec = { key: 'error.message', type: 'string', from: scrubbed('error'), optional: true };
const ERROR_REQUIRED: AttributeSpec = { key: 'error.message', type: 'string', from: scrubbed('error'), fallback: 'unknown error' };
const SUCCESS: AttributeSpec = { key: 'success', type: 'strbool', from: 'success', fallback: false };
const STATUS: AttributeSpec = { key: 'http.response.status_code', type: 'int', from: 'status', optional: true };
const ENDPOINT: AttributeSpec = { key: 'endpoint', type: 'string', from: 'endpoint', fallback: '/responses' };
const CONNECTION_REUSED: AttributeSpec = { key: 'auth.connection_reused', type: 'bool', from: 'connectionReused', fallback: false };
const TOOL_NAME: AttributeSpec = { key: 'tool_name', type: 'string', from: 'toolName', fallback: 'unknown' };
const CALL_ID: AttributeSpec = { key: 'call_id', type: 'string', from: 'callId', fallback: 'unknown' };

const isHttpSuccess = (input: any) =>
  typeof input.status === 'number' && input.status >= 200 && input.status < 300 && !input.error;

export const COMPLETED_KIND = 'response.completed';

export const CATALOG = {
  conversationStarts: {
    name: 'codex.conversation_starts',
    attributes: [
      { key: 'provider_name', type: 'string', from: 'providerName', fallback: 'unknown' },
      { key: 'reasoning_effort', type: 'string', from: 'reasoningEffort', optional: true },
      { key: 'reasoning_summary', type: 'string', from: 'reasoningSummary', fallback: 'auto' },
      { key: 'context_window', type: 'int', from: 'contextWindow', optional: true },
      { key: 'auto_compact_token_limit', type: 'int', from: 'autoCompactTokenLimit', optional: true },
      { key: 'approval_policy', type: 'string', from: 'approvalPolicy', fallback: 'unknown' },
      { key: 'sandbox_policy', type: 'string', from: 'sandboxPolicy', fallback: 'unknown' },
      { key: 'mcp_servers', type: 'string', from: (input: any) => (Array.isArray(input.mcpServers) ? input.mcpServers.join(', ') : ''), fallback: '' },
      ...AUTH_ENV,
    ],
  },
  apiRequest: {
    name: 'codex.api_request',
    attributes: [
      DURATION,
      STATUS,
      ERROR_OPTIONAL,
      { key: 'attempt', type: 'int', from: 'attempt', fallback: 0 },
      ...AUTH_REQUEST,
      ENDPOINT,
      ...AUTH_ENV,
      ...AUTH_RESPONSE,
    ],
    metric: {
      counter: 'codex.api_request',
      histogram: 'codex.api_request.duration_ms',
      tags: [
        ['status', (input: any) => (typeof input.status === 'number' && Number.isFinite(input.status) ? String(Math.trunc(input.status)) : 'none')],
        ['success', (input: any) => String(isHttpSuccess(input))],
      ],
    },
  },
  sseChunk: {
    name: 'codex.sse_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: 'kind', fallback: 'unknown' },
      DURATION,
    ],
    metric: { counter: 'codex.sse_event', histogram: 'codex.sse_event.duration_ms', tags: [['kind', (i: any) => i.kind ?? 'unknown'], ['success', () => 'true']] },
  },
  sseChunkFailed: {
    name: 'codex.sse_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: 'kind', optional: true },
      DURATION,
      ERROR_REQUIRED,
    ],
    metric: { counter: 'codex.sse_event', histogram: 'codex.sse_event.duration_ms', tags: [['kind', (i: any) => i.kind ?? 'unknown'], ['success', () => 'false']] },
  },
  sseCompleted: {
    name: 'codex.sse_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: () => COMPLETED_KIND },
      { key: 'input_token_count', type: 'strnum', from: 'inputTokens', fallback: 0 },
      { key: 'output_token_count', type: 'strnum', from: 'outputTokens', fallback: 0 },
      { key: 'cached_token_count', type: 'int', from: 'cachedTokens', fallback: 0 },
      { key: 'reasoning_token_count', type: 'int', from: 'reasoningTokens', fallback: 0 },
      { key: 'tool_token_count', type: 'strnum', from: 'totalTokens', fallback: 0 },
    ],
    metric: { counter: 'codex.sse_event', tags: [['kind', () => COMPLETED_KIND], ['success', () => 'true']] },
  },
  sseCompletedFailed: {
    name: 'codex.sse_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: () => COMPLETED_KIND },
      ERROR_REQUIRED,
    ],
    metric: { counter: 'codex.sse_event', tags: [['kind', () => COMPLETED_KIND], ['success', () => 'false']] },
  },
  websocketConnect: {
    name: 'codex.websocket_connect',
    attributes: [
      DURATION,
      STATUS,
      SUCCESS,
      ERROR_OPTIONAL,
      ...AUTH_REQUEST,
      ENDPOINT,
      ...AUTH_ENV,
      ...AUTH_RESPONSE,
      CONNECTION_REUSED,
    ],
  },
  websocketRequest: {
    name: 'codex.websocket_request',
    attributes: [DURATION, SUCCESS, ERROR_OPTIONAL, ...AUTH_ENV, CONNECTION_REUSED],
    metric: { counter: 'codex.websocket.request', histogram: 'codex.websocket.request.duration_ms', tags: [['success', successOf]] },
  },
  websocketEvent: {
    name: 'codex.websocket_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: 'kind', fallback: 'unknown' },
      DURATION,
      SUCCESS,
      ERROR_OPTIONAL,
    ],
    metric: { counter: 'codex.websocket.event', histogram: 'codex.websocket.event.duration_ms', tags: [['kind', (i: any) => i.kind ?? 'unknown'], ['success', successOf]] },
  },
  userPrompt: {
    name: 'codex.user_prompt',
    attributes: [
      { key: 'prompt_length', type: 'strnum', from: (input: any, ctx: EmitContext) => ctx.promptLength(input.text), fallback: 0 },
      { key: 'prompt', type: 'string', from: (input: any, ctx: EmitContext) => ctx.prompt(input.text), fallback: '[REDACTED]' },
    ],
  },
  toolDecision: {
    name: 'codex.tool_decision',
    attributes: [
      TOOL_NAME,
      CALL_ID,
      { key: 'decision', type: 'string', from: (input: any) => normaliseDecision(input.decision), fallback: 'unknown' },
      { key: 'source', type: 'string', from: 'source', fallback: 'Config' },
    ],
    metric: {
      counter: 'codex.approval.requested',
      tags: [['tool', (i: any) => i.toolName ?? 'unknown'], ['approved', (i: any) => String(isApproval(normaliseDecision(i.decision)))]],
    },
  },
  sandboxOutcome: {
    name: 'codex.sandbox_outcome',
    attributes: [
      TOOL_NAME,
      CALL_ID,
      { key: 'outcome', type: 'string', from: 'outcome', fallback: 'unknown' },
      { key: 'initial_duration_ms', type: 'int', from: 'initialDurationMs', fallback: 0 },
      { key: 'escalated_duration_ms', type: 'int', from: 'escalatedDurationMs', optional: true },
    ],
  },
  toolResult: {
    name: 'codex.tool_result',
    attributes: [
      TOOL_NAME,
      CALL_ID,
      { key: 'arguments', type: 'string', from: scrubbed('arguments'), fallback: '' },
      DURATION,
      SUCCESS,
      { key: 'output', type: 'string', from: (input: any, ctx: EmitContext) => ctx.preview(input.output), fallback: '' },
      { key: 'mcp_server', type: 'string', from: 'mcpServer', fallback: '' },
      { key: 'mcp_server_origin', type: 'string', from: 'mcpServerOrigin', fallback: '' },
    ],
    metric: {
      counter: 'codex.tool.call',
      histogram: 'codex.tool.call.duration_ms',
      tags: [
        ['tool', (i: any) => i.toolName ?? 'unknown'],
        ['success', successOf],
        ['sandbox', (i: any) => i.sandbox ?? 'none'],
        ['sandbox_policy', (i: any) => i.sandboxPolicy ?? 'unspecified'],
      ],
    },
  },
} as const satisfies Record<string, EventShape>;

export type ShapeId = keyof typeof CATALOG;

/** Decisions on the wire are lowercase with no separators (`ApprovedForSession` → `approvedforsession`). */
export function normaliseDecision(decision: unknown): string | undefined {
  if (typeof decision !== 'string') return undefined;
  return decision.replace(/[^A-Za-z]/g, '').toLowerCase();
}

export function isApproval(decision: string | undefined): boolean {
  return decision !== undefined && (decision.startsWith('approved') || decision === 'networkpolicyamendment');
}

/** Every event name the catalog can emit. */
export const EVENT_NAMES: readonly string[] = [...new Set(Object.values(CATALOG).map((shape) => shape.name))];
