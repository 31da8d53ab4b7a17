import { createTelemetry, parseConfigText, type OtelConfig, type Telemetry } from '../../src/index.js';

export const PROMPT_TEXT = 'please refactor the billing module — prompt-canary-7d1f';
export const SESSION = {
  conversationId: '0199a0c4-5f1e-7b52-9d4e-3f6a2c1b8e77',
  model: 'gpt-5-codex',
  slug: 'gpt-5-codex-2026-06',
  authMode: 'ApiKey',
  accountId: 'acct-1234',
  email: 'dev@example.com',
  terminalType: 'iTerm.app/3.5',
  sessionSource: 'cli',
} as const;

/** A config.toml for one transport, as a user would write it. */
export function configToml(exporter: string, metricsExporter: string, extra = ''): string {
  return `[otel]\nenvironment = "wire-test"\nexporter = ${exporter}\nmetrics_exporter = ${metricsExporter}\n${extra}`;
}

export function loadTestConfig(toml: string, env: NodeJS.ProcessEnv = {}): OtelConfig {
  const result = parseConfigText(toml, { env, baseDir: process.cwd() });
  if (!result.config) throw new Error(`test config invalid: ${JSON.stringify(result.errors)}`);
  return result.config;
}

export function startTestTelemetry(config: OtelConfig): Telemetry {
  return createTelemetry(config, { originator: 'codex_cli_rs', appVersion: '0.42.0', env: {}, diagnostics: false });
}

/**
 * Emits every event shape of the contract once with every optional value set, then the shapes that
 * have optionals once more with none of them. Returns the shape ids in emit order.
 */
export function emitEveryShape(telemetry: Telemetry): string[] {
  const session = telemetry.startSession({ ...SESSION, authEnv: { providerKeyName: 'OPENAI_API_KEY', providerKeyPresent: true } });
  const order: string[] = [];
  const note = (id: string) => order.push(id);
  session.conversationStarts({
    providerName: 'openai', reasoningEffort: 'high', reasoningSummary: 'auto', contextWindow: 272000,
    autoCompactTokenLimit: 200000, approvalPolicy: 'on-request', sandboxPolicy: 'workspace-write', mcpServers: ['github', 'linear'],
  }); note('conversationStarts');
  session.startupPhase({ phase: 'thread_start_total', status: 'ready', durationMs: 14 }); note('startupPhase');
  session.userPrompt(PROMPT_TEXT); note('userPrompt');
  session.apiRequest({
    attempt: 1, durationMs: 1234.4, status: 429, error: 'rate limited', endpoint: '/responses', headerAttached: true,
    headerName: 'authorization', retryAfterUnauthorized: true, recoveryMode: 'managed', recoveryPhase: 'refresh',
    requestId: 'req_1', cfRay: 'ray-1', authError: 'expired', authErrorCode: 'token_expired', agentId: 'agent-1', taskId: 'task-1',
  }); note('apiRequest');
  session.sseEvent({ kind: 'response.output_text.delta', durationMs: 12 }); note('sseChunk');
  session.sseEventFailed({ kind: 'response.output_text.delta', durationMs: 7, error: 'stream reset' }); note('sseChunkFailed');
  session.sseEventCompleted({
    inputTokens: 1200, outputTokens: 340, cachedTokens: 800, cacheWriteTokens: 16, reasoningTokens: 64, totalTokens: 1540,
    ttftMs: 210, serviceTier: 'default', reasoningEffort: 'high',
  }); note('sseCompleted');
  session.sseEventCompletedFailed({ error: 'response.failed: server_error' }); note('sseCompletedFailed');
  session.websocketConnect({
    durationMs: 80, success: false, status: 401, error: 'unauthorized', endpoint: '/responses', headerAttached: true,
    headerName: 'authorization', retryAfterUnauthorized: false, recoveryMode: 'external', recoveryPhase: 'reload',
    requestId: 'req_2', cfRay: 'ray-2', authError: 'bad token', authErrorCode: 'invalid', connectionReused: true,
    reauth: true, agentId: 'agent-2', taskId: 'task-2',
  }); note('websocketConnect');
  session.websocketRequest({ durationMs: 33, success: false, error: 'closed', connectionReused: true, agentId: 'agent-3', taskId: 'task-3' }); note('websocketRequest');
  session.websocketEvent({ kind: 'response.created', durationMs: 4, success: false });
  session.turnTtft({ durationMs: 640 }); note('turnTtft');
  session.toolDecision({ toolName: 'exec_command', toolNamespace: 'functions', callId: 'call_1', decision: 'denied', source: 'User' }); note('toolDecision');
  session.sandboxOutcome({ toolName: 'shell', callId: 'call_1', outcome: 'escalated', initialDurationMs: 15, escalatedDurationMs: 220 }); note('sandboxOutcome');
  session.toolResult({
    toolName: 'github.create_issue', callId: 'call_2', arguments: '{"title":"x"}', durationMs: 510, success: true,
    output: 'created #12', mcpServer: 'github', mcpServerOrigin: 'stdio', sandbox: 'seccomp', sandboxPolicy: 'workspace-write',
  }); note('toolResult');
  session.turn({ e2eDurationMs: 4200, ttfmDurationMs: 700 });

  const bare = telemetry.startSession({ conversationId: 'bare-1', model: 'gpt-5' });
  bare.conversationStarts({ providerName: 'openai', reasoningSummary: 'none', approvalPolicy: 'never', sandboxPolicy: 'danger-full-access' }); note('conversationStarts');
  bare.apiRequest({ attempt: 0, durationMs: 80 }); note('apiRequest');
  bare.sseEventFailed({ durationMs: 3, error: 'eof' }); note('sseChunkFailed');
  bare.websocketConnect({ durationMs: 9, success: true }); note('websocketConnect');
  bare.websocketRequest({ durationMs: 9, success: true }); note('websocketRequest');
  bare.websocketEvent({ kind: 'response.done', durationMs: 1, success: true });
  bare.sandboxOutcome({ toolName: 'apply_patch', callId: 'c9', outcome: 'denied', initialDurationMs: 3 }); note('sandboxOutcome');
  bare.toolResult({ toolName: 'shell', callId: 'c10', arguments: 'ls', durationMs: 4, success: false, output: 'boom' }); note('toolResult');
  return order;
}
