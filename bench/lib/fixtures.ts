/**
 * The three benchmarked events, the session they belong to, and the baseline's hand-written attribute
 * builders. The baseline must send the same keys and values as codex-otel (checked by the parity step
 * of the runner): a hand-written instrumentation builds one object literal per emit.
 */
import type { ApiRequestInput, SessionInfo, SseChunkInput, ToolResultInput } from '../../src/index.js';

export type EventKind = 'sse' | 'tool' | 'api';
export const EVENT_KINDS: readonly EventKind[] = ['sse', 'tool', 'api'];
export const EVENT_LABELS: Record<EventKind, string> = {
  sse: '`codex.sse_event` (chunk)',
  tool: '`codex.tool_result` (4 KiB output)',
  api: '`codex.api_request`',
};

export const APP_VERSION = '1.0.0-bench';
export const ORIGINATOR = 'codex_cli_rs';

export const SESSION: SessionInfo = {
  conversationId: '0199a8f1-6a2e-7c31-9d4b-2f6e8a1c3b5d',
  model: 'gpt-5-codex',
  authMode: 'ApiKey',
  accountId: 'acct_4f9e2b7c',
  email: 'dev@example.com',
  terminalType: 'bench-term/1.0',
  sessionSource: 'cli',
  authEnv: {
    openaiApiKeyPresent: true,
    codexApiKeyPresent: false,
    codexApiKeyEnabled: false,
    refreshTokenUrlOverridePresent: false,
  },
};

/** A 4 KiB tool output: 52 lines of 79 characters + newline (ASCII, no secret). */
export function toolOutput(secrets = false): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 4096; i++) {
    lines.push(`drwxr-xr-x  2 dev dev 4096 Nov 21 12:0${i % 10} src/module-${String(i).padStart(4, '0')}/component-${i % 7}.ts`.padEnd(79, ' '));
  }
  if (secrets) {
    // Three secrets of different kinds, the way they show up in `env` or config dumps.
    lines[3] = 'OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd';
    lines[17] = 'aws_access_key_id = AKIAIOSFODNN7EXAMPL3';
    lines[40] = 'GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ0123456789';
  }
  return lines.join('\n').slice(0, 4096);
}

const OUTPUT = toolOutput();
const ARGUMENTS = '{"command":["bash","-lc","ls -la src"],"workdir":"/home/dev/project","timeout_ms":10000}';

export const SSE_INPUT: SseChunkInput = { kind: 'response.output_text.delta', durationMs: 3 };
export const TOOL_INPUT: ToolResultInput = {
  toolName: 'shell',
  callId: 'call_8f3a2b1c9d7e6f5a4b3c2d1e',
  arguments: ARGUMENTS,
  durationMs: 153,
  success: true,
  output: OUTPUT,
  sandbox: 'seccomp',
  sandboxPolicy: 'workspace-write',
};
export const API_INPUT: ApiRequestInput = {
  attempt: 1,
  durationMs: 812,
  status: 200,
  endpoint: '/responses',
  headerAttached: true,
  headerName: 'authorization',
  requestId: 'req_7c1d2e3f4a5b6c7d8e9f',
  cfRay: '8f1e2d3c4b5a6978-AMS',
};

// ---- the baseline: what a hand-written instrumentation on the bare SDK sends -------------------------

const PREVIEW_NOTICE = '[... telemetry preview truncated ...]';

/** The common attributes of the session, as a hand-written instrumentation would keep them. */
const C = {
  conversationId: SESSION.conversationId,
  authMode: SESSION.authMode!,
  accountId: SESSION.accountId!,
  email: SESSION.email!,
  terminal: SESSION.terminalType!,
  model: SESSION.model,
};

type Attrs = Record<string, string | number | boolean>;

export function baselineSse(input: SseChunkInput, now: number): Attrs {
  return {
    'event.name': 'codex.sse_event',
    'event.kind': input.kind,
    duration_ms: String(input.durationMs),
    'event.timestamp': new Date(now).toISOString(),
    'conversation.id': C.conversationId,
    'app.version': APP_VERSION,
    auth_mode: C.authMode,
    originator: ORIGINATOR,
    'user.account_id': C.accountId,
    'user.email': C.email,
    'terminal.type': C.terminal,
    model: C.model,
    slug: C.model,
  };
}

/** The preview of contract §4 for an ASCII output (one byte per character). */
function preview(output: string): string {
  return output.length > 2048 ? `${output.slice(0, 2048)}\n${PREVIEW_NOTICE}` : output;
}

/** `tool_result_seq` of Codex 0.169: numbered from 1 per process. */
let toolResultSeq = 0;

/** The keys and values of Codex 0.169.0's `codex.tool_result`, in its order. */
export function baselineTool(input: ToolResultInput, now: number): Attrs {
  return {
    'event.name': 'codex.tool_result',
    tool_result_seq: ++toolResultSeq,
    tool_name: input.toolName,
    tool_namespace: input.toolNamespace ?? 'functions',
    call_id: input.callId,
    duration_ms: String(input.durationMs),
    success: String(input.success),
    output_truncated: input.output.length > 2048,
    agent_name: input.agentName ?? '/root',
    arguments: input.arguments,
    output: preview(input.output),
    mcp_server: input.mcpServer ?? '',
    mcp_server_origin: input.mcpServerOrigin ?? '',
    'event.timestamp': new Date(now).toISOString(),
    'conversation.id': C.conversationId,
    'app.version': APP_VERSION,
    auth_mode: C.authMode,
    originator: ORIGINATOR,
    'user.account_id': C.accountId,
    'user.email': C.email,
    'terminal.type': C.terminal,
    model: C.model,
    slug: C.model,
  };
}

export function baselineApi(input: ApiRequestInput, now: number): Attrs {
  return {
    'event.name': 'codex.api_request',
    duration_ms: String(input.durationMs),
    'http.response.status_code': input.status!,
    attempt: input.attempt,
    'auth.header_attached': input.headerAttached ?? false,
    'auth.header_name': input.headerName!,
    'auth.retry_after_unauthorized': input.retryAfterUnauthorized ?? false,
    endpoint: input.endpoint ?? '/responses',
    'auth.env_openai_api_key_present': true,
    'auth.env_codex_api_key_present': false,
    'auth.env_codex_api_key_enabled': false,
    'auth.env_refresh_token_url_override_present': false,
    'auth.request_id': input.requestId!,
    'auth.cf_ray': input.cfRay!,
    'event.timestamp': new Date(now).toISOString(),
    'conversation.id': C.conversationId,
    'app.version': APP_VERSION,
    auth_mode: C.authMode,
    originator: ORIGINATOR,
    'user.account_id': C.accountId,
    'user.email': C.email,
    'terminal.type': C.terminal,
    model: C.model,
    slug: C.model,
  };
}

/** Metric tags of contract §3 for the baseline+metrics variant: built per emit, like the attributes. */
export function baselineTags(kind: EventKind, _now: number): Attrs {
  const session = { auth_mode: C.authMode, session_source: 'cli', originator: ORIGINATOR, model: C.model, 'app.version': APP_VERSION };
  if (kind === 'sse') return { ...session, kind: SSE_INPUT.kind, success: 'true' };
  if (kind === 'tool') {
    return { ...session, tool: TOOL_INPUT.toolName, success: String(TOOL_INPUT.success), sandbox: TOOL_INPUT.sandbox!, sandbox_policy: TOOL_INPUT.sandboxPolicy! };
  }
  return { ...session, status: String(API_INPUT.status), success: 'true' };
}

export const BASELINE_METRICS: Record<EventKind, { counter: string; histogram: string; duration: number }> = {
  sse: { counter: 'codex.sse_event', histogram: 'codex.sse_event.duration_ms', duration: SSE_INPUT.durationMs },
  tool: { counter: 'codex.tool.call', histogram: 'codex.tool.call.duration_ms', duration: TOOL_INPUT.durationMs },
  api: { counter: 'codex.api_request', histogram: 'codex.api_request.duration_ms', duration: API_INPUT.durationMs },
};

/**
 * A realistic mix for the outage and shutdown figures: per 20 events, 18 SSE chunks, 1 API request,
 * 1 tool result.
 */
export function mixKind(i: number): EventKind {
  const slot = i % 20;
  return slot === 0 ? 'api' : slot === 10 ? 'tool' : 'sse';
}
