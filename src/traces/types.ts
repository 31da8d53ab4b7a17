/** The span API of a session (README: "Spans"). Every method is safe to call on the no-op path. */

/** Token counts of a response or a turn; absent counts are left out of the span. */
export interface TokenUsage {
  inputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteInputTokens?: number;
  /** Default: input minus cached input. */
  nonCachedInputTokens?: number;
  outputTokens?: number;
  reasoningOutputTokens?: number;
  totalTokens?: number;
}

export interface TurnInfo {
  /** Default: a fresh UUID. */
  turnId?: string;
  /** Default: the session's model. */
  model?: string;
  /** `codex.turn.reasoning_effort`; default `default` (none configured), as Codex. */
  reasoningEffort?: string;
}

export interface ModelRequestInfo {
  model?: string;
  /** Default `/responses`. */
  apiPath?: string;
  /** Default `POST`. */
  httpMethod?: string;
  /** Default `responses_http`; `responses_websocket` names the spans as Codex's websocket transport does. */
  transport?: string;
  /** Default `responses`. */
  wireApi?: string;
  /** `turn.has_metadata_header`: the request carried Codex's turn metadata header. Default false. */
  hasMetadataHeader?: boolean;
  /** `websocket.warmup` (websocket transport): the request was a warm-up. Default false. */
  websocketWarmup?: boolean;
}

export interface ToolCallInfo {
  /** The bare tool name; also the span's name (`exec_command`, …). */
  toolName: string;
  callId: string;
}

/** One turn: the parent of its model requests and tool calls. */
export interface TurnSpan {
  readonly turnId: string;
  /** False on the no-op path (`trace_exporter = "none"`): nothing is recorded. */
  readonly recording: boolean;
  /** W3C `traceparent`/`tracestate` for an outgoing request of this turn (`{}` when not recording). */
  traceHeaders(): Record<string, string>;
  /** Adds a response's usage to the turn's totals (the SSE helper and `sseEventCompleted` do this). */
  addUsage(usage: TokenUsage): void;
  /**
   * Ends the turn with its token usage (default: the sum of the responses' usage). Tool calls still open
   * end as aborted, a model request still open ends. Idempotent.
   */
  end(usage?: TokenUsage): void;
}

/** A model request (`model_client.stream_responses_api`), over its attempts and its stream. */
export interface ModelRequestSpan {
  readonly recording: boolean;
  traceHeaders(): Record<string, string>;
  /** Ends the request; an error message marks it failed. Idempotent. */
  end(error?: string): void;
}

/** A tool call, from the decision to the result. */
export interface ToolCallSpan {
  readonly callId: string;
  readonly recording: boolean;
  /** Ends the call: `aborted` when it was denied, interrupted or never ran. Idempotent. */
  end(outcome?: { aborted?: boolean; error?: string }): void;
}
