/**
 * The event catalog of contract §1.2 as data: one entry per event shape, its attributes in wire order,
 * each with its wire type, and the metrics it drives. Everything that emits reads this table.
 *
 * It matches the real Codex CLI named by CODEX_VERSION, proven by the conformance suite
 * (test/conformance), which runs that binary and compares its OTLP with ours.
 */
import type { EmitContext } from './context.js';

/** The Codex CLI release whose wire format this catalog matches: the one place that names it. */
export const CODEX_VERSION = '0.169.0';

/** `strnum` is a decimal number sent as a string and `strbool` a boolean sent as "true"/"false", as Codex does. */
export type WireType = 'string' | 'int' | 'bool' | 'strnum' | 'strbool';

export interface AttributeSpec {
  key: string;
  type: WireType;
  /** A field of the caller's input, or a function of the input and the emit context. */
  from: string | ((input: any, ctx: EmitContext) => unknown);
  /** The input field a function `from` reads, when there is one (for tools that map inputs to keys). */
  field?: string;
  /** Left out of the record when absent. A required attribute that is absent gets `fallback`. */
  optional?: boolean;
  fallback?: string | number | boolean;
}

/** A metric tag: its key and its value from the input; `undefined` leaves the tag out of the point. */
export type TagSpec = readonly [tag: string, value: (input: any) => unknown];

export interface MetricSpec {
  counter?: string;
  /** The duration histogram fed from the input's `durationMs`. */
  histogram?: string;
  tags: readonly TagSpec[];
  /** Recorded only when this holds (e.g. approvals that were actually asked). */
  when?: (input: any) => boolean;
}

export interface EventShape {
  /** The event name on the wire. Several shapes may share one (the four `codex.sse_event` shapes). */
  name: string;
  attributes: readonly AttributeSpec[];
  metric?: MetricSpec;
}

const scrubbed = (field: string): Pick<AttributeSpec, 'from' | 'field'> => ({
  from: (input: any, ctx: EmitContext) => ctx.scrub(input[field]),
  field,
});
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
  { key: 'auth.error', type: 'string', ...scrubbed('authError'), optional: true },
  { key: 'auth.error_code', type: 'string', from: 'authErrorCode', optional: true },
];

const AGENT_TASK: readonly AttributeSpec[] = [
  { key: 'auth.agent_id', type: 'string', from: 'agentId', optional: true },
  { key: 'auth.task_id', type: 'string', from: 'taskId', optional: true },
];

const DURATION: AttributeSpec = { key: 'duration_ms', type: 'strnum', from: 'durationMs', fallback: 0 };
const ERROR_OPTIONAL: AttributeSpec = { key: 'error.message', type: 'string', ...scrubbed('error'), optional: true };
const ERROR_REQUIRED: AttributeSpec = { key: 'error.message', type: 'string', ...scrubbed('error'), fallback: 'unknown error' };
const SUCCESS: AttributeSpec = { key: 'success', type: 'strbool', from: 'success', fallback: false };
const STATUS: AttributeSpec = { key: 'http.response.status_code', type: 'int', from: 'status', optional: true };
const ENDPOINT: AttributeSpec = { key: 'endpoint', type: 'string', from: 'endpoint', fallback: '/responses' };
const CONNECTION_REUSED: AttributeSpec = { key: 'auth.connection_reused', type: 'bool', from: 'connectionReused', fallback: false };
const TOOL_NAME: AttributeSpec = { key: 'tool_name', type: 'string', from: 'toolName', fallback: 'unknown' };
const TOOL_NAMESPACE: AttributeSpec = { key: 'tool_namespace', type: 'string', from: 'toolNamespace', fallback: 'functions' };
const CALL_ID: AttributeSpec = { key: 'call_id', type: 'string', from: 'callId', fallback: 'unknown' };

const isHttpSuccess = (input: any) =>
  typeof input.status === 'number' && input.status >= 200 && input.status < 300 && !input.error;

export const COMPLETED_KIND = 'response.completed';

/**
 * The `tool` tag of `codex.approval.requested` names the tool's handler, not the tool: commands run
 * by `exec_command` are approved as `unified_exec`.
 */
export const APPROVAL_TOOL_TAGS: Readonly<Record<string, string>> = { exec_command: 'unified_exec' };

/** Decisions Codex makes without asking anyone carry source `Config`; only asked approvals are counted. */
const wasAsked = (input: any) => typeof input.source === 'string' && input.source !== 'Config';

/** Only `exec_command` calls carry the command tags of `codex.tool.call`. */
const commandTag = (field: string, fallback: string) => (input: any) =>
  input.toolName === 'exec_command' ? (input[field] ?? fallback) : undefined;

export const CATALOG = {
  conversationStarts: {
    name: 'codex.conversation_starts',
    attributes: [
      { key: 'config.legacy_multi_agent_disabled_sources', type: 'string', from: 'legacyMultiAgentDisabledSources', fallback: 'none' },
      { key: 'provider_name', type: 'string', from: 'providerName', fallback: 'unknown' },
      ...AUTH_ENV,
      { key: 'reasoning_effort', type: 'string', from: 'reasoningEffort', optional: true },
      { key: 'reasoning_summary', type: 'string', from: 'reasoningSummary', fallback: 'auto' },
      { key: 'context_window', type: 'int', from: 'contextWindow', optional: true },
      { key: 'auto_compact_token_limit', type: 'int', from: 'autoCompactTokenLimit', optional: true },
      { key: 'approval_policy', type: 'string', from: 'approvalPolicy', fallback: 'unknown' },
      { key: 'sandbox_policy', type: 'string', from: 'sandboxPolicy', fallback: 'unknown' },
      {
        key: 'mcp_servers', type: 'string', field: 'mcpServers', fallback: '',
        from: (input: any) => (Array.isArray(input.mcpServers) ? input.mcpServers.join(', ') : input.mcpServers),
      },
    ],
    metric: {
      counter: 'codex.thread.started',
      tags: [
        ['is_git', (i: any) => (typeof i.isGit === 'boolean' ? String(i.isGit) : 'unknown')],
        ['is_worktree', (i: any) => (typeof i.isWorktree === 'boolean' ? String(i.isWorktree) : 'unknown')],
      ],
    },
  },
  startupPhase: {
    name: 'codex.startup_phase',
    attributes: [
      { key: 'startup.phase', type: 'string', from: 'phase', fallback: 'unknown' },
      { key: 'startup.status', type: 'string', from: 'status', optional: true },
      DURATION,
    ],
    metric: {
      histogram: 'codex.startup.phase.duration_ms',
      tags: [['phase', (i: any) => i.phase ?? 'unknown'], ['status', (i: any) => i.status]],
    },
  },
  userPrompt: {
    name: 'codex.user_prompt',
    attributes: [
      { key: 'prompt_length', type: 'strnum', from: (input: any, ctx: EmitContext) => ctx.promptLength(input.text), field: 'text', fallback: 0 },
      { key: 'prompt', type: 'string', from: (input: any, ctx: EmitContext) => ctx.prompt(input.text), field: 'text', fallback: '[REDACTED]' },
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
      ...AGENT_TASK,
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
  /** The usage record that follows the `response.completed` chunk; it drives no metric of its own. */
  sseCompleted: {
    name: 'codex.sse_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: () => COMPLETED_KIND },
      { key: 'input_token_count', type: 'strnum', from: 'inputTokens', fallback: 0 },
      { key: 'output_token_count', type: 'strnum', from: 'outputTokens', fallback: 0 },
      { key: 'cached_token_count', type: 'int', from: 'cachedTokens', fallback: 0 },
      { key: 'cache_write_token_count', type: 'int', from: 'cacheWriteTokens', fallback: 0 },
      { key: 'reasoning_token_count', type: 'int', from: 'reasoningTokens', fallback: 0 },
      { key: 'tool_token_count', type: 'strnum', from: 'totalTokens', fallback: 0 },
      { key: 'ttft_ms', type: 'int', from: 'ttftMs', optional: true },
      { key: 'service_tier', type: 'string', from: 'serviceTier', optional: true },
      { key: 'model_reasoning_effort', type: 'string', from: 'reasoningEffort', optional: true },
    ],
  },
  sseCompletedFailed: {
    name: 'codex.sse_event',
    attributes: [
      { key: 'event.kind', type: 'string', from: () => COMPLETED_KIND },
      ERROR_REQUIRED,
    ],
  },
  turnTtft: {
    name: 'codex.turn_ttft',
    attributes: [DURATION],
    metric: { histogram: 'codex.turn.ttft.duration_ms', tags: [] },
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
      CONNECTION_REUSED,
      { key: 'auth.reauth', type: 'bool', from: 'reauth', fallback: false },
      ...AUTH_RESPONSE,
      ...AGENT_TASK,
    ],
    metric: {
      counter: 'codex.websocket.connect',
      histogram: 'codex.websocket.connect.duration_ms',
      tags: [['success', successOf], ['reauth', (i: any) => (i.reauth === true ? 'true' : 'false')]],
    },
  },
  websocketRequest: {
    name: 'codex.websocket_request',
    attributes: [DURATION, SUCCESS, ERROR_OPTIONAL, ...AUTH_ENV, CONNECTION_REUSED, ...AGENT_TASK],
    metric: { counter: 'codex.websocket.request', histogram: 'codex.websocket.request.duration_ms', tags: [['success', successOf]] },
  },
  toolDecision: {
    name: 'codex.tool_decision',
    attributes: [
      TOOL_NAME,
      TOOL_NAMESPACE,
      CALL_ID,
      { key: 'decision', type: 'string', from: 'decision', fallback: 'unknown' },
      { key: 'source', type: 'string', from: 'source', optional: true },
    ],
    metric: {
      counter: 'codex.approval.requested',
      when: wasAsked,
      tags: [
        ['tool', (i: any) => APPROVAL_TOOL_TAGS[i.toolName] ?? i.toolName ?? 'unknown'],
        ['approved', (i: any) => i.decision ?? 'unknown'],
      ],
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
      { key: 'tool_result_seq', type: 'int', from: (_input: unknown, ctx: EmitContext) => ctx.nextToolResultSeq() },
      TOOL_NAME,
      TOOL_NAMESPACE,
      CALL_ID,
      DURATION,
      SUCCESS,
      // Settled on the export path by the output's preview scrub, which makes the cut (events/content.ts).
      { key: 'output_truncated', type: 'bool', from: () => false },
      { key: 'agent_name', type: 'string', from: 'agentName', fallback: '/root' },
      { key: 'arguments', type: 'string', ...scrubbed('arguments'), fallback: '' },
      { key: 'output', type: 'string', from: (input: any, ctx: EmitContext) => ctx.preview(input.output), field: 'output', fallback: '' },
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
        ['command_category', commandTag('commandCategory', 'unknown')],
        ['shell_snapshot_mode', commandTag('shellSnapshotMode', 'disabled')],
      ],
    },
  },
} as const satisfies Record<string, EventShape>;

export type ShapeId = keyof typeof CATALOG;

/** Every event name the catalog can emit. */
export const EVENT_NAMES: readonly string[] = [...new Set(Object.values(CATALOG).map((shape) => shape.name))];

/** The input field an attribute is read from, if any (constants and session facts have none). */
export function inputField(spec: AttributeSpec): string | undefined {
  return typeof spec.from === 'string' ? spec.from : spec.field;
}
