/** What a caller passes for each event. Every field is checked and coerced at emit: nothing here can make emit throw. */

export type Decision =
  | 'approved' | 'approvedforsession' | 'approvedexecpolicyamendment' | 'networkpolicyamendment'
  | 'denied' | 'timedout' | 'abort';
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
  providerName: string;
  reasoningEffort?: ReasoningEffort | (string & {});
  reasoningSummary: ReasoningSummary | (string & {});
  contextWindow?: number;
  autoCompactTokenLimit?: number;
  approvalPolicy: ApprovalPolicy | (string & {});
  sandboxPolicy: SandboxPolicy | (string & {});
  mcpServers?: readonly string[];
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
  reasoningTokens?: number;
  /** The response's total tokens: Codex puts it in `tool_token_count` (an upstream quirk we keep so sums agree). */
  totalTokens: number;
}
export interface SseCompletedFailedInput { error: string }

export interface WebsocketConnectInput extends AuthDetails {
  durationMs: number;
  success: boolean;
  status?: number;
  error?: string;
  endpoint?: string;
  connectionReused?: boolean;
}
export interface WebsocketRequestInput { durationMs: number; success: boolean; error?: string; connectionReused?: boolean }
export interface WebsocketEventInput { kind: string; durationMs: number; success: boolean; error?: string }

export interface ToolDecisionInput {
  toolName: string;
  callId: string;
  decision: Decision | (string & {});
  source: DecisionSource | (string & {});
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
  callId: string;
  /** Raw arguments as the model sent them; scrubbed of secrets before they leave. */
  arguments: string;
  durationMs: number;
  success: boolean;
  /** Full output; scrubbed, then cut to the preview of contract §4. */
  output: string;
  mcpServer?: string;
  mcpServerOrigin?: string;
  /** Metric tags: the sandbox that ran the call (`none`, `seatbelt`, `seccomp`, …) and the session's policy. */
  sandbox?: string;
  sandboxPolicy?: string;
}

export interface TurnInput {
  /** From the user's submission to the end of the turn. */
  e2eDurationMs: number;
  /** From the request to the first token, when one came. */
  ttftDurationMs?: number;
}
