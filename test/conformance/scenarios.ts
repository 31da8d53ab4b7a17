/**
 * The conformance scenarios (issue 11, contract §7): what the mock model answers, how Codex is run,
 * and (for the TUI) what the user does. The binary runs it; its events are then replayed through
 * our library (replay.ts).
 */
import type { MockStep } from './mock-responses.js';
import { assistantMessage, created, execCommandCall, failed, textDelta, turnEvents } from './responses-events.js';
import type { TuiScript } from './tui-driver.js';

export interface ScenarioBase {
  /** Folder name under test/fixtures/codex-<version>/. */
  name: string;
  prompt: string;
  script: MockStep[];
  logUserPrompt?: boolean;
  websockets?: boolean;
  /** Events the binary must send in this scenario (proof that it exercised what it is named after). */
  expectEvents: readonly string[];
}

export interface ExecScenario extends ScenarioBase {
  kind: 'exec';
  /** Extra arguments to `codex exec` (before the prompt). */
  args?: string[];
}

export interface TuiScenario extends ScenarioBase {
  kind: 'tui';
  tui: TuiScript;
}

export type Scenario = ExecScenario | TuiScenario;

const ok = (text = 'Done.'): MockStep => ({ kind: 'events', events: turnEvents(assistantMessage(text)) });
const runs = (callId: string, cmd: string): MockStep => ({ kind: 'events', events: turnEvents(execCommandCall(callId, { cmd })) });

export const EXEC_SCENARIOS: readonly ExecScenario[] = [
  {
    name: 'exec-tool-call',
    expectEvents: ['codex.conversation_starts', 'codex.user_prompt', 'codex.api_request', 'codex.sse_event', 'codex.tool_decision', 'codex.tool_result', 'codex.turn_ttft'],
    kind: 'exec',
    prompt: 'Print a greeting with echo.',
    script: [runs('call_exec_1', 'echo conformance-hello'), ok('The command printed conformance-hello.')],
  },
  {
    name: 'http-500-retry',
    expectEvents: ['codex.api_request', 'codex.sse_event'],
    kind: 'exec',
    prompt: 'Say hello.',
    script: [{ kind: 'status', status: 500, body: '{"error":{"message":"internal error","type":"server_error"}}' }, ok('Hello.')],
  },
  {
    name: 'http-429-retry',
    expectEvents: ['codex.api_request', 'codex.sse_event'],
    kind: 'exec',
    prompt: 'Say hello.',
    script: [
      { kind: 'status', status: 429, body: '{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}', retryAfterSeconds: 1 },
      ok('Hello.'),
    ],
  },
  {
    name: 'sse-stream-cut',
    expectEvents: ['codex.api_request', 'codex.sse_event'],
    kind: 'exec',
    prompt: 'Say hello.',
    script: [{ kind: 'cut', events: [created(), textDelta('Hel')] }, ok('Hello.')],
  },
  {
    name: 'response-failed',
    expectEvents: ['codex.api_request', 'codex.sse_event'],
    kind: 'exec',
    prompt: 'Say hello.',
    script: [{ kind: 'events', events: [created(), failed('The server had an error while processing your request.', 'server_error')] }, ok('Hello.')],
  },
  {
    name: 'log-user-prompt',
    expectEvents: ['codex.user_prompt'],
    kind: 'exec',
    prompt: 'Say hello to the conformance suite.',
    logUserPrompt: true,
    script: [ok('Hello, conformance suite.')],
  },
  {
    name: 'websocket',
    expectEvents: ['codex.websocket_connect', 'codex.websocket_request', 'codex.sse_event', 'codex.tool_result', 'codex.startup_phase'],
    kind: 'exec',
    prompt: 'Print a greeting with echo.',
    websockets: true,
    script: [runs('call_ws_1', 'echo websocket-hello'), ok('The command printed websocket-hello.')],
  },
];

const escalated = (callId: string, cmd: string, justification: string, prefixRule?: string[]): MockStep => ({
  kind: 'events',
  events: turnEvents(execCommandCall(callId, {
    cmd,
    sandbox_permissions: 'require_escalated',
    justification,
    ...(prefixRule ? { prefix_rule: prefixRule } : {}),
  })),
});

/**
 * The TUI with on-request approvals, in one turn: approve once (`y`), approve and remember the
 * `touch` prefix (`p`), a command the workspace-write sandbox denies (writing outside the workspace),
 * then deny (Esc), which interrupts the turn.
 */
export const TUI_SCENARIO: TuiScenario = {
  name: 'tui-approvals',
    // Codex 0.169 sends codex.sandbox_outcome for the sandbox denial only some of the time (a race in
    // the binary; the fixture has one): when it comes, it is compared like every other event.
    expectEvents: ['codex.tool_decision', 'codex.tool_result'],
  kind: 'tui',
  prompt: 'Run the four commands.',
  script: [
    escalated('call_tui_approve', 'touch approved-once.txt', 'Create a file?'),
    escalated('call_tui_remember', 'touch remembered.txt', 'Create another file?', ['touch']),
    runs('call_tui_sandbox', 'mkdir -p /root/.codex-conformance-sandbox-probe'),
    escalated('call_tui_deny', 'rm -f denied.txt', 'Remove a file?'),
    ok('All four commands were handled.'),
  ],
  tui: {
    args: ['-a', 'on-request', '-s', 'workspace-write'],
    steps: [
      {
        label: 'the approval of touch approved-once.txt',
        waitFor: /\$ touch approved-once\.txt[\s\S]*Yes, proceed \(y\)/,
        keys: ['y'],
        accepted: /You approved codex to run touch approved-once\.txt/,
      },
      {
        label: 'the approval of touch remembered.txt',
        waitFor: /\$ touch remembered\.txt[\s\S]*start with `touch` \(p\)/,
        keys: ['p'],
        accepted: /You approved codex to always run commands that start with touch/,
      },
      {
        label: 'the denial of rm -f denied.txt',
        waitFor: /\$ rm -f denied\.txt[\s\S]*\(esc\)/,
        keys: ['Escape'],
        accepted: /You canceled the request to run rm -f denied\.txt/,
      },
    ],
    finished: /Conversation interrupted/,
  },
};

export const SCENARIOS: readonly Scenario[] = [...EXEC_SCENARIOS, TUI_SCENARIO];

/** Metric tags whose values the replayed events carry, compared value for value (compare.ts, compareTagValues). */
export const EVENT_TAGS: readonly string[] = [
  'token_type', 'approved', 'tool', 'kind', 'success', 'status', 'phase', 'reauth',
  'session_source', 'originator', 'model', 'app.version', 'auth_mode',
];
