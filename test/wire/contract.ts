/**
 * The wire contract (shared/spec/telemetry-contract.md §1–§3, Codex 0.169.0) written out independently
 * of src/, so the wire tests compare what arrives against the document, not against the catalog that
 * produced it. The real binary is compared with the library in test/conformance.
 * Type `strnum` = a decimal number sent as a string; `strbool` = "true" / "false" as a string.
 */
export type ExpectedType = 'string' | 'int' | 'bool' | 'strnum' | 'strbool';
export type ExpectedAttr = readonly [key: string, type: ExpectedType, presence?: 'optional'];

export const COMMON: readonly ExpectedAttr[] = [
  ['event.timestamp', 'string'],
  ['conversation.id', 'string'],
  ['app.version', 'string'],
  ['auth_mode', 'string', 'optional'],
  ['originator', 'string'],
  ['user.account_id', 'string', 'optional'],
  ['user.email', 'string', 'optional'],
  ['terminal.type', 'string'],
  ['model', 'string'],
  ['slug', 'string'],
];

export const AUTH_ENV: readonly ExpectedAttr[] = [
  ['auth.env_openai_api_key_present', 'bool'],
  ['auth.env_codex_api_key_present', 'bool'],
  ['auth.env_codex_api_key_enabled', 'bool'],
  ['auth.env_provider_key_name', 'string', 'optional'],
  ['auth.env_provider_key_present', 'bool', 'optional'],
  ['auth.env_refresh_token_url_override_present', 'bool'],
];

const AUTH_REQUEST: readonly ExpectedAttr[] = [
  ['auth.header_attached', 'bool'],
  ['auth.header_name', 'string', 'optional'],
  ['auth.retry_after_unauthorized', 'bool'],
  ['auth.recovery_mode', 'string', 'optional'],
  ['auth.recovery_phase', 'string', 'optional'],
];

const AUTH_RESPONSE: readonly ExpectedAttr[] = [
  ['auth.request_id', 'string', 'optional'],
  ['auth.cf_ray', 'string', 'optional'],
  ['auth.error', 'string', 'optional'],
  ['auth.error_code', 'string', 'optional'],
];

const AGENT_TASK: readonly ExpectedAttr[] = [
  ['auth.agent_id', 'string', 'optional'],
  ['auth.task_id', 'string', 'optional'],
];

/** Each event shape: its name and its own attributes in order (then the common ones follow). */
export const SHAPES: Record<string, { name: string; attributes: readonly ExpectedAttr[] }> = {
  conversationStarts: {
    name: 'codex.conversation_starts',
    attributes: [
      ['config.legacy_multi_agent_disabled_sources', 'string'],
      ['provider_name', 'string'],
      ...AUTH_ENV,
      ['reasoning_effort', 'string', 'optional'],
      ['reasoning_summary', 'string'],
      ['context_window', 'int', 'optional'],
      ['auto_compact_token_limit', 'int', 'optional'],
      ['approval_policy', 'string'],
      ['sandbox_policy', 'string'],
      ['mcp_servers', 'string'],
    ],
  },
  startupPhase: {
    name: 'codex.startup_phase',
    attributes: [['startup.phase', 'string'], ['startup.status', 'string', 'optional'], ['duration_ms', 'strnum']],
  },
  apiRequest: {
    name: 'codex.api_request',
    attributes: [
      ['duration_ms', 'strnum'],
      ['http.response.status_code', 'int', 'optional'],
      ['error.message', 'string', 'optional'],
      ['attempt', 'int'],
      ...AUTH_REQUEST,
      ['endpoint', 'string'],
      ...AUTH_ENV,
      ...AUTH_RESPONSE,
      ...AGENT_TASK,
    ],
  },
  sseChunk: { name: 'codex.sse_event', attributes: [['event.kind', 'string'], ['duration_ms', 'strnum']] },
  sseChunkFailed: {
    name: 'codex.sse_event',
    attributes: [['event.kind', 'string', 'optional'], ['duration_ms', 'strnum'], ['error.message', 'string']],
  },
  sseCompleted: {
    name: 'codex.sse_event',
    attributes: [
      ['event.kind', 'string'],
      ['input_token_count', 'strnum'],
      ['output_token_count', 'strnum'],
      ['cached_token_count', 'int'],
      ['cache_write_token_count', 'int'],
      ['reasoning_token_count', 'int'],
      ['tool_token_count', 'strnum'],
      ['ttft_ms', 'int', 'optional'],
      ['service_tier', 'string', 'optional'],
      ['model_reasoning_effort', 'string', 'optional'],
    ],
  },
  sseCompletedFailed: { name: 'codex.sse_event', attributes: [['event.kind', 'string'], ['error.message', 'string']] },
  turnTtft: { name: 'codex.turn_ttft', attributes: [['duration_ms', 'strnum']] },
  websocketConnect: {
    name: 'codex.websocket_connect',
    attributes: [
      ['duration_ms', 'strnum'],
      ['http.response.status_code', 'int', 'optional'],
      ['success', 'strbool'],
      ['error.message', 'string', 'optional'],
      ...AUTH_REQUEST,
      ['endpoint', 'string'],
      ...AUTH_ENV,
      ['auth.connection_reused', 'bool'],
      ['auth.reauth', 'bool'],
      ...AUTH_RESPONSE,
      ...AGENT_TASK,
    ],
  },
  websocketRequest: {
    name: 'codex.websocket_request',
    attributes: [
      ['duration_ms', 'strnum'], ['success', 'strbool'], ['error.message', 'string', 'optional'], ...AUTH_ENV,
      ['auth.connection_reused', 'bool'], ...AGENT_TASK,
    ],
  },
  userPrompt: { name: 'codex.user_prompt', attributes: [['prompt_length', 'strnum'], ['prompt', 'string']] },
  toolDecision: {
    name: 'codex.tool_decision',
    attributes: [['tool_name', 'string'], ['tool_namespace', 'string'], ['call_id', 'string'], ['decision', 'string'], ['source', 'string', 'optional']],
  },
  sandboxOutcome: {
    name: 'codex.sandbox_outcome',
    attributes: [
      ['tool_name', 'string'], ['call_id', 'string'], ['outcome', 'string'],
      ['initial_duration_ms', 'int'], ['escalated_duration_ms', 'int', 'optional'],
    ],
  },
  toolResult: {
    name: 'codex.tool_result',
    attributes: [
      ['tool_result_seq', 'int'], ['tool_name', 'string'], ['tool_namespace', 'string'], ['call_id', 'string'],
      ['duration_ms', 'strnum'], ['success', 'strbool'], ['output_truncated', 'bool'], ['agent_name', 'string'],
      ['arguments', 'string'], ['output', 'string'], ['mcp_server', 'string'], ['mcp_server_origin', 'string'],
    ],
  },
};

export const DURATION_BUCKETS = [
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 3000, 3500, 4000, 4500,
  5000, 6000, 7000, 7500, 8000, 9000, 10000, 12000, 15000, 20000, 30000, 60000, 120000,
];

/** Metrics of contract §3 with their tags (besides the session tags of §3.1). */
export const METRIC_PAIRS: ReadonlyArray<{ counter: string; histogram?: string; tags: string[] }> = [
  { counter: 'codex.api_request', histogram: 'codex.api_request.duration_ms', tags: ['status', 'success'] },
  { counter: 'codex.sse_event', histogram: 'codex.sse_event.duration_ms', tags: ['kind', 'success'] },
  { counter: 'codex.websocket.request', histogram: 'codex.websocket.request.duration_ms', tags: ['success'] },
  { counter: 'codex.websocket.event', histogram: 'codex.websocket.event.duration_ms', tags: ['kind', 'success'] },
  { counter: 'codex.websocket.connect', histogram: 'codex.websocket.connect.duration_ms', tags: ['success', 'reauth'] },
  { counter: 'codex.tool.call', histogram: 'codex.tool.call.duration_ms', tags: ['tool', 'success', 'sandbox', 'sandbox_policy'] },
  { counter: 'codex.approval.requested', tags: ['tool', 'approved'] },
  { counter: 'codex.conversation.turn.count', tags: [] },
  { counter: 'codex.thread.started', tags: ['is_git', 'is_worktree'] },
];
export const TURN_HISTOGRAMS = ['codex.turn.e2e_duration_ms', 'codex.turn.ttft.duration_ms', 'codex.turn.ttfm.duration_ms', 'codex.turn.token_usage'];
export const SESSION_TAGS = ['auth_mode', 'session_source', 'originator', 'model', 'app.version'];
