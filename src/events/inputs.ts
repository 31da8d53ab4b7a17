/** What a caller passes for each event. Every field is checked and coerced at emit: nothing here can make emit throw. */

/** Codex 0.169's decisions: opaque snake_case strings, sent as given (contract §1.4). */
export type Decision =
  | 'approved' | 'approved_for_session' | 'approved_with_amendment' | 'approved_mcp_policy_amendment'
  | 'approved_with_network_policy_allow' | 'denied_with_network_policy_deny'
  | 'denied' | 'timed_out' | 'abort';
export type DecisionSource = 'Config' | 'User' | 'AutomatedReviewer';
export type ApprovalPolicy = 'untrusted' | 'on-failure' | 'on-request' | 'granular' | 'never';
export type SandboxPolicy = 'danger-full-access' | 'read-only' | 'workspace-write' | 'external-sandbox';
export type SandboxOutcome = 'denied' | 'escalated' | 'timed_out' | 'signal';
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
export type ReasoningSummary = 'auto' | 'concise' | 'detailed' | 'none';

export interface SessionInfo {
  conversationId: string;
  model: string;
  /** Resolved model slug; defaults to `model`. */
  slug?: string;
  authMode?: 'ApiKey' | 'Chatgpt' | (string & {});
  accountId?: string;
  email?: string;
  /** Terminal user-agent token, e.g. `iTerm.app/3.5`; detected from the environment when left out. */
  terminalType?: string;
  /** `cli`, `vscode`, `exec`, `mcp`, …: a metric tag. */
  sessionSource?: string;
  /** The auth-env group (contract §1.3); the `*_present` booleans are read from the environment when left out. */
  authEnv?: AuthEnvInfo;
}

export interface AuthEnvInfo {
  openaiApiKeyPresent?: boolean;
  codexApiKeyPresent?: boolean;
  codexApiKeyEnabled?: boolean;
  providerKeyName?: string;
  providerKeyPresent?: boolean;
  refreshTokenUrlOverridePresent?: boolean;
}

export interface ConversationStartsInput {
  /** Codex's `config.legacy_multi_agent_disabled_sources`; default `none`. */
  legacyMultiAgentDisabledSources?: string;
  providerName: string;
  reasoningEffort?: ReasoningEffort | (string & {});
  reasoningSummary: ReasoningSummary | (string & {});
  contextWindow?: number;
  autoCompactTokenLimit?: number;
  approvalPolicy: ApprovalPolicy | (string & {});
  sandboxPolicy: SandboxPolicy | (string & {});
  mcpServers?: readonly string[];
  /** Tags of `codex.thread.started`; `unknown` when left out. */
  isGit?: boolean;
  isWorktree?: boolean;
}

export interface StartupPhaseInput {
  /** e.g. `thread_start_create_thread`, `thread_start_total`. */
  phase: string;
  /** e.g. `ready`; left out when there is none. */
  status?: string;
  durationMs: number;
}

export interface AuthDetails {
  headerAttached?: boolean;
  headerName?: string;
  retryAfterUnauthorized?: boolean;
  recoveryMode?: 'managed' | 'external' | (string & {});
  recoveryPhase?: string;
  requestId?: string;
  cfRay?: string;
  authError?: string;
  authErrorCode?: string;
  agentId?: string;
  taskId?: string;
}

export interface ApiRequestInput extends AuthDetails {
  attempt: number;
  durationMs: number;
  /** HTTP status of the response, if one came. */
  status?: number;
  error?: string;
  endpoint?: string;
}

export interface SseChunkInput { kind: string; durationMs: number }
export interface SseChunkFailedInput { kind?: string; durationMs: number; error: string }
export interface SseCompletedInput {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  /** The response's total tokens: Codex puts it in `tool_token_count` (an upstream quirk we keep so sums agree). */
  totalTokens: number;
  /** Time to the first token of this response. */
  ttftMs?: number;
  serviceTier?: string;
  reasoningEffort?: string;
}
export interface SseCompletedFailedInput { error: string }

export interface WebsocketConnectInput extends AuthDetails {
  durationMs: number;
  success: boolean;
  status?: number;
  error?: string;
  endpoint?: string;
  connectionReused?: boolean;
  /** The connection was opened again after an authentication refresh. */
  reauth?: boolean;
}
export interface WebsocketRequestInput {
  durationMs: number;
  success: boolean;
  error?: string;
  connectionReused?: boolean;
  agentId?: string;
  taskId?: string;
}
/** One event received on the websocket: metrics only (Codex no longer logs `codex.websocket_event`). */
export interface WebsocketEventInput { kind: string; durationMs: number; success: boolean; error?: string }

export interface ToolDecisionInput {
  /** The bare tool name, e.g. `exec_command`. */
  toolName: string;
  /** Default `functions`. */
  toolNamespace?: string;
  callId: string;
  /** Sent as given: Codex's decisions are opaque snake_case strings. */
  decision: Decision | (string & {});
  /** Left out when there is none. Only decisions with a source other than `Config` count as asked approvals. */
  source?: DecisionSource | (string & {});
}

export interface SandboxOutcomeInput {
  toolName: string;
  callId: string;
  outcome: SandboxOutcome | (string & {});
  initialDurationMs: number;
  escalatedDurationMs?: number;
}

export interface ToolResultInput {
  toolName: string;
  /** Default `functions`. */
  toolNamespace?: string;
  callId: string;
  /** The agent that made the call; default `/root` (Codex's main agent). */
  agentName?: string;
  /** Raw arguments as the model sent them; scrubbed of secrets before they leave. */
  arguments: string;
  durationMs: number;
  success: boolean;
  /** Full output; scrubbed, then cut to the `[otel.tool_result] max_bytes` preview of contract §5. */
  output: string;
  mcpServer?: string;
  mcpServerOrigin?: string;
  /** Metric tags: the sandbox that ran the call (`none`, `seatbelt`, `seccomp`, …) and the session's policy. */
  sandbox?: string;
  sandboxPolicy?: string;
  /** Metric tags of `exec_command` calls: Codex's command category and shell snapshot mode. */
  commandCategory?: string;
  shellSnapshotMode?: string;
}

export interface TurnTtftInput {
  /** From the turn's start to its first token. */
  durationMs: number;
}

/** A turn's token totals for the `codex.turn.token_usage` histogram. */
export interface TurnTokenUsage {
  input: number;
  cachedInput: number;
  cacheWriteInput: number;
  output: number;
  reasoningOutput: number;
  total: number;
}

export interface TurnInput {
  /** From the user's submission to the end of the turn. */
  e2eDurationMs: number;
  /** From the turn's start to the first complete message, when one came. */
  ttfmDurationMs?: number;
  /** The turn's token totals; by default the sum of the responses recorded with `sseEventCompleted` since the last turn. */
  tokenUsage?: TurnTokenUsage;
}
