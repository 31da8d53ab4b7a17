/**
 * Realistic agent conversations, driven through the real library: a Session's methods and the helpers
 * (instrumentSseStream over a fake SSE stream, timeApiRequest and timeToolCall around fake async work).
 * Every choice comes from the seeded Random, so one seed gives one sequence of events and attribute values;
 * only what the helpers measure (durations) and the timestamps depend on the clock.
 *
 * Session 0 is scripted to show every rare case (retries on 429/500, a stream that breaks, a failed chunk,
 * a failed completion, every decision and source, a TUI denial that leaves only an aborted span, sandbox
 * denial and escalation, MCP calls); session 1 is the websocket conversation; session 2 runs in
 * danger-full-access with approval_policy = "never". Later sessions are drawn at random.
 */
import type { Session } from '../../session.js';
import type { Telemetry } from '../../telemetry.js';
import { instrumentSseStream, timeApiRequest, timeToolCall, type SseEventReader } from '../../helpers.js';
import type { ApprovalPolicy, Decision, DecisionSource, SandboxPolicy, SessionInfo, SseCompletedInput, ToolResultInput } from '../../events/inputs.js';
import { isDenial } from '../../events/decisions.js';

type ToolCallFields = Omit<ToolResultInput, 'durationMs' | 'success' | 'output'>;
import type { Random } from './prng.js';

/** What the driver needs from the run: pacing, stopping, and counting. */
export interface DriveContext {
  rng: Random;
  /** Called between steps: paces to the rate and yields to the event loop. Never blocks. */
  tick(): Promise<void>;
  /** True when the run should end at the next turn boundary (duration reached, interrupted). */
  stopping(): boolean;
}

type Transport = 'sse' | 'websocket';

interface Profile {
  kind: 'showcase' | 'websocket' | 'danger' | 'random';
  transport: Transport;
  approvalPolicy: ApprovalPolicy;
  sandboxPolicy: SandboxPolicy;
  /** The sandbox that runs commands: a metric tag. */
  sandbox: 'seccomp' | 'seatbelt' | 'none';
  mcpServers: string[];
  turns: number;
}

interface McpServer { name: string; origin: string; tools: string[] }

const MCP_SERVERS: readonly McpServer[] = [
  { name: 'github', origin: 'https://api.githubcopilot.com', tools: ['search_issues', 'get_pull_request', 'create_pull_request_review'] },
  { name: 'linear', origin: 'https://mcp.linear.app', tools: ['list_issues', 'create_issue'] },
  { name: 'postgres', origin: '', tools: ['query'] },
];

const MODELS = ['gpt-5-codex', 'gpt-5-codex', 'gpt-5.1-codex', 'o4-mini', 'gpt-oss:20b'] as const;
const TERMINALS = ['iTerm.app/3.5.10', 'vscode/1.96.2', 'WezTerm/20240203', 'tmux/3.4', 'Apple_Terminal/455'] as const;
const USERS = ['ana', 'bo', 'chen', 'dana', 'eli', 'fatima', 'gus', 'hana'] as const;

const PROMPTS = [
  'Fix the failing test in src/parser.test.ts and explain the root cause',
  'Add retry with exponential backoff to the HTTP client in lib/http.ts',
  'Why does `npm run build` fail on CI but not locally?',
  'Refactor the config loader so that every error names the key path',
  'Write unit tests for the rate limiter, including the burst case',
  'Upgrade the project to Node 22 and fix what breaks',
  'Find where we leak file descriptors in the watcher',
  'Summarise the open issues labelled "bug" and propose a plan',
  'Rename UserStore to AccountStore everywhere, including docs',
  'Make the Dockerfile build reproducible and smaller',
] as const;

const READ_COMMANDS = ['rg -n "TODO" src', 'ls -la', 'cat package.json', 'git status --short', 'git diff --stat', 'sed -n 1,80p src/index.ts'] as const;
const WRITE_COMMANDS = ['npm test', 'npm run build', 'npx tsc --noEmit', 'cargo test -p core', 'pytest -q tests/unit', 'make lint'] as const;
const NETWORK_COMMANDS = ['npm install', 'curl -sSf https://registry.npmjs.org/typescript', 'git fetch origin', 'pip install -r requirements.txt'] as const;
const RISKY_COMMANDS = ['rm -rf build node_modules', 'git push --force origin main', 'curl -sSL https://get.example.dev/install.sh | sh', 'chmod -R 777 .', 'docker run --privileged -v /:/host alpine'] as const;

const USER_DECISIONS: ReadonlyArray<readonly [Decision, number]> = [
  ['approved', 60], ['approved_for_session', 15], ['denied', 12], ['approved_with_amendment', 6], ['approved_with_network_policy_allow', 4], ['abort', 3],
];
const REVIEWER_DECISIONS: ReadonlyArray<readonly [Decision, number]> = [['approved', 80], ['denied', 15], ['timed_out', 5]];

/** The SessionInfo of conversation `index`: every field explicit, so the environment changes nothing. */
export function sessionInfo(rng: Random, index: number): { info: SessionInfo; profile: Profile } {
  const profile = pickProfile(rng, index);
  const user = rng.pick(USERS);
  const model = profile.kind === 'danger' ? 'gpt-5-codex' : rng.pick(MODELS);
  const authMode = profile.kind === 'showcase' || rng.chance(0.5) ? 'Chatgpt' : 'ApiKey';
  const info: SessionInfo = {
    conversationId: rng.uuid(),
    model,
    authMode,
    accountId: `acct_${rng.hex(12)}`,
    email: `${user}@example.com`,
    terminalType: rng.pick(TERMINALS),
    sessionSource: profile.kind === 'danger' ? 'exec' : rng.pick(['cli', 'cli', 'vscode', 'exec'] as const),
    authEnv: {
      openaiApiKeyPresent: authMode === 'ApiKey',
      codexApiKeyPresent: false,
      codexApiKeyEnabled: false,
      refreshTokenUrlOverridePresent: false,
    },
  };
  return { info, profile };
}

function pickProfile(rng: Random, index: number): Profile {
  if (index === 0) {
    return { kind: 'showcase', transport: 'sse', approvalPolicy: 'on-request', sandboxPolicy: 'workspace-write', sandbox: 'seccomp', mcpServers: ['github', 'linear'], turns: 4 };
  }
  if (index === 1) {
    return { kind: 'websocket', transport: 'websocket', approvalPolicy: 'untrusted', sandboxPolicy: 'workspace-write', sandbox: 'seatbelt', mcpServers: ['postgres'], turns: 3 };
  }
  if (index === 2) {
    return { kind: 'danger', transport: 'sse', approvalPolicy: 'never', sandboxPolicy: 'danger-full-access', sandbox: 'none', mcpServers: [], turns: 3 };
  }
  const [approvalPolicy, sandboxPolicy] = rng.weighted<readonly [ApprovalPolicy, SandboxPolicy]>([
    [['on-request', 'workspace-write'], 50],
    [['untrusted', 'read-only'], 15],
    [['on-failure', 'workspace-write'], 15],
    [['granular', 'workspace-write'], 10],
    [['never', 'read-only'], 5],
    [['on-request', 'external-sandbox'], 5],
  ]);
  const mcpServers = MCP_SERVERS.filter(() => rng.chance(0.35)).map((server) => server.name);
  return {
    kind: 'random',
    transport: rng.chance(0.15) ? 'websocket' : 'sse',
    approvalPolicy,
    sandboxPolicy,
    sandbox: sandboxPolicy === 'external-sandbox' ? 'none' : rng.pick(['seccomp', 'seatbelt'] as const),
    mcpServers,
    turns: rng.int(1, 4),
  };
}

// ---------------------------------------------------------------------------------------------------------
// What a turn does. The showcase session forces the rare cases; random sessions draw them.

type ApiFailure = 429 | 500 | 401 | 'network';

interface StreamPlan {
  deltas: number;
  /** Index of a delta that arrives as an error event (chunk failed, with its kind). */
  failedChunkAt?: number;
  /** The stream throws after this many events (chunk failed, no kind), then the request is retried. */
  breakAfter?: number;
  /** The completion arrives without usage, as a failure; then the request is retried. */
  completionFails?: boolean;
}

interface ToolPlan {
  tool: 'shell' | 'apply_patch' | 'update_plan' | 'mcp';
  command?: string;
  mcp?: McpServer;
  mcpTool?: string;
  /** The decision, when one is asked or configured; undefined: no approval involved. */
  decision?: { decision: Decision; source: DecisionSource };
  /** Denied in the TUI (Esc): as in Codex 0.169, no decision or result event, only the call's span ended aborted. */
  tuiDenied?: boolean;
  /** The sandbox refused the command first; the decision is about escalating. */
  sandboxDenied?: boolean;
  /** Another sandbox outcome (no escalation question). */
  sandboxOutcome?: 'timed_out' | 'signal';
  fails?: boolean;
  secret?: boolean;
}

interface TurnPlan {
  prompt: string;
  apiFailures: ApiFailure[];
  streams: StreamPlan[];
  tools: ToolPlan[];
  parseError?: boolean;
}

/** Runs one conversation from start to end (or to the stop signal at a turn boundary). */
export async function runConversation(telemetry: Telemetry, ctx: DriveContext, index: number, wrap: (session: Session) => Session): Promise<void> {
  const { rng } = ctx;
  const { info, profile } = sessionInfo(rng, index);
  const session = wrap(telemetry.startSession(info));
  const mcp = MCP_SERVERS.filter((server) => profile.mcpServers.includes(server.name));
  session.conversationStarts({
    providerName: 'openai',
    reasoningEffort: rng.pick(['low', 'medium', 'medium', 'high'] as const),
    reasoningSummary: rng.pick(['auto', 'concise', 'detailed'] as const),
    contextWindow: info.model === 'o4-mini' ? 200_000 : 272_000,
    autoCompactTokenLimit: info.model === 'o4-mini' ? 180_000 : 244_800,
    approvalPolicy: profile.approvalPolicy,
    sandboxPolicy: profile.sandboxPolicy,
    mcpServers: profile.mcpServers,
  });
  session.startupPhase({ phase: 'thread_start_total', status: 'ready', durationMs: rng.duration(40) });
  await ctx.tick();
  const state: ConversationState = { session, profile, mcp, ctx, approvedForSession: new Set(), wsConnected: false, aborted: false };
  for (let turn = 0; turn < profile.turns && !state.aborted; turn++) {
    if (turn > 0 && ctx.stopping()) break;
    const plan = profile.kind === 'showcase' ? showcaseTurn(rng, turn) : randomTurn(rng, state, turn);
    await runTurn(state, plan);
  }
}

interface ConversationState {
  session: Session;
  profile: Profile;
  mcp: readonly McpServer[];
  ctx: DriveContext;
  /** Commands the user approved for the rest of the session: later calls are approved by Config. */
  approvedForSession: Set<string>;
  wsConnected: boolean;
  aborted: boolean;
}

function showcaseTurn(rng: Random, turn: number): TurnPlan {
  const prompt = rng.pick(PROMPTS);
  const github = MCP_SERVERS[0]!;
  const linear = MCP_SERVERS[1]!;
  switch (turn) {
    case 0:
      return {
        prompt,
        apiFailures: [429, 500],
        streams: [{ deltas: rng.int(6, 12), failedChunkAt: 2 }],
        tools: [
          { tool: 'shell', command: 'rg -n "parseConfig" src', decision: { decision: 'approved', source: 'Config' } },
          { tool: 'apply_patch', decision: { decision: 'approved_for_session', source: 'User' } },
          { tool: 'update_plan' },
        ],
      };
    case 1:
      return {
        prompt,
        apiFailures: [],
        streams: [{ deltas: rng.int(4, 8), breakAfter: 3 }, { deltas: rng.int(4, 8), completionFails: true }, { deltas: rng.int(6, 12) }],
        tools: [
          { tool: 'mcp', mcp: github, mcpTool: 'search_issues', decision: { decision: 'approved', source: 'AutomatedReviewer' } },
          { tool: 'mcp', mcp: linear, mcpTool: 'create_issue', decision: { decision: 'denied', source: 'User' } },
          { tool: 'shell', command: 'npm test', sandboxDenied: true, decision: { decision: 'approved', source: 'User' } },
          { tool: 'shell', command: 'curl -sf -H "Authorization: Bearer TOKEN" https://api.internal.example.com/health', secret: true, fails: true, decision: { decision: 'approved', source: 'AutomatedReviewer' } },
        ],
      };
    case 2:
      return {
        prompt,
        apiFailures: [401],
        streams: [{ deltas: rng.int(6, 12) }],
        tools: [
          { tool: 'shell', command: 'npm install left-pad', sandboxDenied: true, decision: { decision: 'denied', source: 'User' } },
          { tool: 'shell', command: 'git push origin HEAD', decision: { decision: 'timed_out', source: 'AutomatedReviewer' } },
          { tool: 'shell', command: 'git push --force origin main', tuiDenied: true },
          { tool: 'shell', command: 'npx tsc --noEmit', sandboxOutcome: 'timed_out', fails: true, decision: { decision: 'approved', source: 'Config' } },
        ],
      };
    default:
      return {
        prompt,
        apiFailures: [],
        streams: [{ deltas: rng.int(4, 10) }],
        tools: [{ tool: 'shell', command: 'rm -rf build node_modules', decision: { decision: 'abort', source: 'User' } }],
      };
  }
}

function randomTurn(rng: Random, state: ConversationState, turn: number): TurnPlan {
  const apiFailures: ApiFailure[] = [];
  while (apiFailures.length < 3 && rng.chance(0.12)) {
    apiFailures.push(rng.weighted<ApiFailure>([[429, 6], [500, 3], ['network', 1], [state.profile.kind === 'random' ? 401 : 429, 1]]));
  }
  const streams: StreamPlan[] = [];
  if (state.profile.transport === 'sse') {
    if (rng.chance(0.04)) streams.push({ deltas: rng.int(3, 8), breakAfter: rng.int(1, 3) });
    if (rng.chance(0.03)) streams.push({ deltas: rng.int(3, 8), completionFails: true });
  }
  const final: StreamPlan = { deltas: rng.int(5, 25) };
  if (rng.chance(0.06)) final.failedChunkAt = rng.int(0, final.deltas - 1);
  streams.push(final);
  const count = rng.weighted([[0, 2], [1, 4], [2, 3], [3, 1]] as const);
  const tools: ToolPlan[] = [];
  for (let i = 0; i < count; i++) tools.push(randomTool(rng, state));
  return {
    prompt: rng.pick(PROMPTS),
    apiFailures,
    streams,
    tools,
    ...(state.profile.kind === 'websocket' && turn === 1 ? { parseError: true } : {}),
  };
}

function randomTool(rng: Random, state: ConversationState): ToolPlan {
  const { profile } = state;
  const kind = rng.weighted<ToolPlan['tool']>([['shell', 6], ['apply_patch', 2], ['update_plan', 1], ['mcp', state.mcp.length ? 2 : 0]]);
  if (kind === 'update_plan') return { tool: 'update_plan' };
  const plan: ToolPlan = { tool: kind };
  let risk: 'read' | 'write' | 'network' | 'risky' = 'write';
  if (kind === 'shell') {
    risk = profile.kind === 'danger'
      ? rng.weighted([['read', 2], ['write', 3], ['risky', 3], ['network', 2]] as const)
      : rng.weighted([['read', 5], ['write', 4], ['network', 2], ['risky', 1]] as const);
    plan.command = rng.pick(risk === 'read' ? READ_COMMANDS : risk === 'write' ? WRITE_COMMANDS : risk === 'network' ? NETWORK_COMMANDS : RISKY_COMMANDS);
  } else if (kind === 'mcp') {
    plan.mcp = rng.pick(state.mcp);
    plan.mcpTool = rng.pick(plan.mcp.tools);
  }
  plan.fails = rng.chance(0.12);
  const key = plan.command ?? plan.mcpTool ?? kind;

  if (profile.approvalPolicy === 'never' || profile.sandboxPolicy === 'danger-full-access') {
    plan.decision = { decision: 'approved', source: 'Config' };
  } else if (state.approvedForSession.has(key) || risk === 'read') {
    plan.decision = { decision: 'approved', source: 'Config' };
  } else if (profile.approvalPolicy === 'granular') {
    plan.decision = { decision: rng.weighted(REVIEWER_DECISIONS), source: 'AutomatedReviewer' };
  } else if (profile.approvalPolicy === 'on-failure' && kind === 'shell') {
    plan.sandboxDenied = risk !== 'write' || rng.chance(0.2);
    plan.decision = plan.sandboxDenied ? { decision: rng.weighted(USER_DECISIONS), source: 'User' } : { decision: 'approved', source: 'Config' };
  } else if (profile.approvalPolicy === 'untrusted' || risk === 'risky' || risk === 'network' || kind === 'mcp') {
    const reviewer = rng.chance(0.3);
    plan.decision = reviewer ? { decision: rng.weighted(REVIEWER_DECISIONS), source: 'AutomatedReviewer' } : { decision: rng.weighted(USER_DECISIONS), source: 'User' };
  } else {
    plan.decision = { decision: 'approved', source: 'Config' };
  }
  if (plan.decision?.decision === 'approved_for_session') state.approvedForSession.add(key);
  if (kind === 'shell' && profile.sandbox !== 'none' && !plan.sandboxDenied && rng.chance(0.03)) plan.sandboxOutcome = rng.pick(['timed_out', 'signal'] as const);
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// Executing a turn through the library.

async function runTurn(state: ConversationState, plan: TurnPlan): Promise<void> {
  const { session, ctx } = state;
  const { rng } = ctx;
  session.userPrompt(plan.prompt);
  await ctx.tick();
  let elapsed = rng.int(5, 40);
  let ttft: number | undefined;
  let attempt = 0;

  const failures = [...plan.apiFailures];
  const streams = [...plan.streams];
  // The model answers with the tool calls first; tool outputs go back in a second request.
  for (;;) {
    const stream = streams.shift() ?? { deltas: rng.int(4, 12) };
    const failure = failures.shift();
    const requestMs = rng.duration(failure ? 250 : 600);
    elapsed += requestMs;
    if (state.profile.transport === 'websocket') {
      await websocketRequest(state, stream, plan, rng.duration(400));
      ttft ??= requestMs;
      break;
    }
    const ok = await apiRequest(state, attempt, failure, plan);
    attempt++;
    if (!ok) {
      elapsed += rng.duration(800);
      streams.unshift(stream);
      continue;
    }
    ttft ??= requestMs;
    const completed = await sseStream(state, stream);
    if (!completed) continue;
    if (streams.length === 0) break;
  }
  await ctx.tick();

  for (const tool of plan.tools) {
    elapsed += await runTool(state, tool);
    await ctx.tick();
    if (state.aborted) break;
  }
  if (plan.tools.length && !state.aborted) {
    // The follow-up request that carries the tool outputs back to the model.
    if (state.profile.transport === 'websocket') {
      await websocketRequest(state, { deltas: rng.int(4, 12) }, { ...plan, parseError: false }, rng.duration(400));
    } else {
      await apiRequest(state, 0, undefined, plan);
      await sseStream(state, { deltas: rng.int(4, 12) });
    }
    elapsed += rng.duration(1500);
  }
  if (ttft !== undefined) session.turnTtft({ durationMs: ttft });
  session.turn({ e2eDurationMs: elapsed });
  await ctx.tick();
}

class ApiError extends Error {
  constructor(readonly status: number | undefined, message: string) {
    super(message);
  }
}

const FAILURE_MESSAGES: Record<string, string> = {
  429: 'unexpected status 429 Too Many Requests: Rate limit reached for requests, please try again in 1.2s',
  500: 'unexpected status 500 Internal Server Error: The server had an error while processing your request',
  401: 'unexpected status 401 Unauthorized: Your access token has expired',
  network: 'error sending request for url (https://chatgpt.com/backend-api/codex/responses): connection reset by peer',
};

/** One HTTP attempt through timeApiRequest; true when it succeeded. */
async function apiRequest(state: ConversationState, attempt: number, failure: ApiFailure | undefined, plan: TurnPlan): Promise<boolean> {
  const { session, ctx } = state;
  const { rng } = ctx;
  const previous401 = plan.apiFailures.includes(401) && attempt > 0 && failure !== 401;
  const fields = {
    attempt,
    endpoint: '/responses',
    headerAttached: true,
    headerName: 'authorization',
    requestId: `req_${rng.hex(24)}`,
    cfRay: `${rng.hex(16)}-${rng.pick(['SJC', 'IAD', 'FRA', 'NRT'] as const)}`,
    ...(failure === 401 ? { authError: 'token_expired: the access token expired', authErrorCode: 'token_expired' } : {}),
    ...(previous401 ? { retryAfterUnauthorized: true, recoveryMode: 'managed', recoveryPhase: 'refresh_token' } : {}),
  };
  try {
    await timeApiRequest(session, { ...fields, statusOf: (response: { status: number }) => response.status }, async () => {
      await ctx.tick();
      if (failure !== undefined) throw new ApiError(failure === 'network' ? undefined : failure, FAILURE_MESSAGES[String(failure)]!);
      return { status: 200 };
    });
    return true;
  } catch {
    return false;
  }
}

interface FakeSseEvent {
  type: string;
  delta?: string;
  error?: string;
  usage?: SseCompletedInput;
}

const SSE_READER: SseEventReader<FakeSseEvent> = {
  kind: (event) => event.type,
  usage: (event) => (event.type === 'response.completed' && !event.error ? event.usage : undefined),
  error: (event) => event.error,
};

/** Streams one response through instrumentSseStream; true when it completed with usage. */
async function sseStream(state: ConversationState, plan: StreamPlan): Promise<boolean> {
  const { session, ctx } = state;
  const events = responseEvents(ctx.rng, plan);
  async function* fake(): AsyncGenerator<FakeSseEvent> {
    let sent = 0;
    for (const event of events) {
      if (plan.breakAfter !== undefined && sent === plan.breakAfter) {
        throw new Error('stream disconnected before completion: error decoding response body');
      }
      await ctx.tick();
      sent++;
      yield event;
    }
  }
  let completed = false;
  try {
    for await (const event of instrumentSseStream(session, fake(), SSE_READER)) {
      if (event.type === 'response.completed' && !event.error) completed = true;
    }
  } catch {
    return false;
  }
  return completed;
}

function responseEvents(rng: Random, plan: StreamPlan): FakeSseEvent[] {
  const events: FakeSseEvent[] = [
    { type: 'response.created' },
    { type: 'response.in_progress' },
    { type: 'response.output_item.added' },
  ];
  for (let i = 0; i < plan.deltas; i++) {
    events.push(i === plan.failedChunkAt
      ? { type: 'response.output_text.delta', error: 'failed to parse SSE event data: EOF while parsing a string at line 1 column 118' }
      : { type: 'response.output_text.delta', delta: 'x' });
  }
  events.push({ type: 'response.output_item.done' });
  if (plan.completionFails) {
    events.push({ type: 'response.completed', error: 'Incomplete response returned, reason: max_output_tokens' });
    return events;
  }
  const input = rng.int(1_500, 48_000);
  const cached = Math.floor(input * rng.next() * 0.8);
  const output = rng.int(40, 3_000);
  const reasoning = Math.floor(output * rng.next() * 0.6);
  events.push({ type: 'response.completed', usage: { inputTokens: input, outputTokens: output, cachedTokens: cached, reasoningTokens: reasoning, totalTokens: input + output } });
  return events;
}

/** One request over the websocket (connecting first if needed), with its events; no SSE on this transport. */
async function websocketRequest(state: ConversationState, plan: StreamPlan, turn: TurnPlan, durationMs: number): Promise<void> {
  const { session, ctx } = state;
  const { rng } = ctx;
  if (!state.wsConnected) {
    const base = { endpoint: '/responses', headerAttached: true, headerName: 'authorization', requestId: `req_${rng.hex(24)}` };
    session.websocketConnect({ ...base, durationMs: rng.duration(900), success: false, status: 503, error: 'websocket handshake failed: 503 Service Unavailable', connectionReused: false });
    await ctx.tick();
    session.websocketConnect({ ...base, durationMs: rng.duration(300), success: true, status: 101, connectionReused: false });
    state.wsConnected = true;
    await ctx.tick();
  }
  session.websocketRequest({ durationMs, success: true, connectionReused: true });
  await ctx.tick();
  const events = responseEvents(rng, plan);
  for (const [i, event] of events.entries()) {
    session.websocketEvent({ kind: event.type, durationMs: rng.duration(i === 0 ? 300 : 25), success: true });
    if (turn.parseError && i === 4) {
      session.websocketEvent({ kind: 'parse_error', durationMs: rng.duration(20), success: false, error: 'failed to parse websocket message: expected value at line 1 column 1' });
    }
    await ctx.tick();
  }
}

/** Runs one tool call: decision, sandbox, execution through timeToolCall. Returns its simulated duration. */
async function runTool(state: ConversationState, plan: ToolPlan): Promise<number> {
  const { session, profile, ctx } = state;
  const { rng } = ctx;
  const callId = `call_${rng.hex(24)}`;
  const toolName = plan.tool === 'mcp' ? `${plan.mcp!.name}__${plan.mcpTool!}` : plan.tool;
  const args = toolArguments(rng, plan);
  const common: ToolCallFields = {
    toolName,
    callId,
    arguments: args,
    sandbox: plan.tool === 'mcp' ? 'none' : profile.sandbox,
    sandboxPolicy: profile.sandboxPolicy,
    ...(plan.tool === 'mcp' ? { mcpServer: plan.mcp!.name, mcpServerOrigin: plan.mcp!.origin } : {}),
  };
  let simulated = rng.duration(plan.tool === 'shell' ? 1_800 : 400);
  if (plan.tuiDenied) {
    session.toolCallAborted({ toolName, callId });
    return rng.duration(3_000);
  }
  const decision = plan.decision;
  const approved = decision !== undefined && !isDenial(decision.decision);

  if (plan.sandboxDenied) {
    // First run inside the sandbox is refused; the decision is about running it outside.
    const initial = rng.duration(120);
    if (decision) session.toolDecision({ toolName, callId, ...decision });
    if (!approved) {
      session.sandboxOutcome({ toolName, callId, outcome: 'denied', initialDurationMs: initial });
      await rejectedResult(state, common, decision?.decision ?? 'denied');
      return initial;
    }
    session.sandboxOutcome({ toolName, callId, outcome: 'escalated', initialDurationMs: initial, escalatedDurationMs: simulated });
    simulated += initial;
  } else if (decision) {
    session.toolDecision({ toolName, callId, ...decision });
    if (!approved) {
      await rejectedResult(state, common, decision.decision);
      return rng.duration(3_000);
    }
  }
  if (plan.sandboxOutcome) {
    session.sandboxOutcome({ toolName, callId, outcome: plan.sandboxOutcome, initialDurationMs: simulated });
  }
  const fails = plan.fails === true || plan.sandboxOutcome !== undefined;
  const output = toolOutput(rng, plan, fails);
  await timeToolCall(session, { ...common, outputOf: (result: { output: string }) => result.output, successOf: () => !fails }, async () => {
    await ctx.tick();
    return { output };
  });
  return simulated;
}

/**
 * The rejection Codex reports back to the model for a refused call: nothing ran, so nothing is timed; the
 * record lands in the call's span, which the denial ended with `aborted = true`.
 */
async function rejectedResult(state: ConversationState, common: ToolCallFields, decision: string): Promise<void> {
  const message = decision === 'abort' ? 'aborted by user' : decision === 'timed_out' ? 'approval request timed out' : 'exec command rejected by user';
  if (decision === 'abort') state.aborted = true;
  state.session.toolResult({ ...common, durationMs: 0, success: false, output: message });
  await state.ctx.tick();
}

function toolArguments(rng: Random, plan: ToolPlan): string {
  switch (plan.tool) {
    case 'shell': {
      let command = plan.command ?? 'ls';
      if (plan.secret) command = command.replace('TOKEN', `sk-proj-${rng.hex(40)}`);
      return JSON.stringify({ command: ['bash', '-lc', command], workdir: '/home/dev/project', timeout_ms: 120_000 });
    }
    case 'apply_patch':
      return `*** Begin Patch\n*** Update File: src/${rng.pick(['config', 'parser', 'client', 'store'] as const)}.ts\n@@\n-  return retry(fn);\n+  return retry(fn, { attempts: 3 });\n*** End Patch`;
    case 'update_plan':
      return JSON.stringify({ plan: [{ step: 'Reproduce the failure', status: 'completed' }, { step: 'Fix and add a test', status: 'in_progress' }] });
    case 'mcp':
      return JSON.stringify(plan.mcpTool === 'query' ? { sql: 'select count(*) from orders where created_at > now() - interval \'1 day\'' } : { query: 'is:open label:bug', limit: rng.int(5, 30) });
  }
}

function toolOutput(rng: Random, plan: ToolPlan, fails: boolean): string {
  if (fails) {
    return rng.pick([
      'error: process exited with code 1\nnpm ERR! Test failed.  See above for more details.',
      'bash: line 1: tsc: command not found',
      'Error: ENOENT: no such file or directory, open \'src/legacy.ts\'',
      'MCP error -32603: upstream request failed with status 502',
    ] as const);
  }
  if (plan.tool === 'shell' && plan.command && /test|build|tsc|lint/.test(plan.command)) {
    // Long outputs exercise the preview truncation (64 lines, 2048 bytes).
    const lines = rng.int(10, 120);
    const out: string[] = [];
    for (let i = 0; i < lines; i++) out.push(`  ✓ case ${i + 1} (${rng.int(1, 90)} ms)`);
    out.push(`Tests: ${lines} passed, ${lines} total`);
    return out.join('\n');
  }
  if (plan.tool === 'mcp') return JSON.stringify({ content: [{ type: 'text', text: `${rng.int(0, 40)} results` }] });
  if (plan.tool === 'apply_patch') return 'Success. Updated the following files:\nM src/config.ts';
  if (plan.tool === 'update_plan') return 'Plan updated';
  return `${rng.int(1, 60)} lines of output`;
}
