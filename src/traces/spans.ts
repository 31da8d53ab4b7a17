/**
 * Codex-shaped spans of one session: the turn, its model requests (with their attempts and the completed
 * response) and its tool calls. Log events find the span they belong to here (`contextFor…`), so events
 * emitted inside a span carry its ids without the caller passing anything.
 *
 * Knows the OpenTelemetry API only: the tracer comes from the caller (export builds it).
 */
import { SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  DEFAULT_REASONING_EFFORT, MODEL_REQUEST_DEFAULTS, RESPONSE_TOKEN_USAGE, SPAN_CATALOG, TOOL_PHASE, TOOL_SOURCE_DIRECT, TURN_TOKEN_USAGE,
  WEBSOCKET_TRANSPORT,
} from './catalog.js';
import { w3cHeaders, type TracestateEntries } from './trace-context.js';
import type { ModelRequestInfo, ModelRequestSpan, TokenUsage, ToolCallInfo, ToolCallSpan, TurnInfo, TurnSpan } from './types.js';

/** What every span of a session shares. */
export interface SpanEnvironment {
  tracer: Tracer;
  conversationId: string;
  model: string;
  tracestate: TracestateEntries;
  /** Parent of turns (the `TRACEPARENT` of the environment, or the root). */
  parent: Context;
  /** The sessions that have a span open, so shutdown can end them (an unended span is never exported). */
  open: Set<SessionSpans>;
  /** The telemetry instance's internal-error reporter (span bookkeeping never throws into the caller). */
  report: (what: string, error: unknown) => void;
  /**
   * The session's common attributes (contract §1.1, identity policy applied), after `conversation.id`: put
   * on tool spans so the audit record the collector derives from an aborted span names who and where.
   */
  common: ReadonlyArray<readonly [string, string]>;
}

export class SessionSpans {
  private turn: OpenTurn | undefined;
  private request: OpenRequest | undefined;
  private readonly tools = new Map<string, OpenTool>();
  /** Calls a denial ended, most recent last (event-spans.ts): their later records stay in their span. */
  readonly deniedCalls = new Map<string, Context>();

  constructor(readonly env: SpanEnvironment) {}

  startTurn(info: TurnInfo | undefined): OpenTurn {
    this.turn?.end();
    const turnId = typeof info?.turnId === 'string' && info.turnId !== '' ? info.turnId : crypto.randomUUID();
    const model = nonEmpty(info?.model, this.env.model);
    const reasoningEffort = nonEmpty(info?.reasoningEffort, DEFAULT_REASONING_EFFORT);
    const span = this.env.tracer.startSpan(SPAN_CATALOG.turn.name!, {
      kind: SPAN_CATALOG.turn.kind,
      attributes: {
        'turn.id': turnId,
        'thread.id': this.env.conversationId,
        'conversation.id': this.env.conversationId,
        model,
        'codex.turn.reasoning_effort': reasoningEffort,
      },
    }, this.env.parent);
    this.turn = new OpenTurn(this, span, trace.setSpan(this.env.parent, span), turnId, model, reasoningEffort);
    this.env.open.add(this);
    return this.turn;
  }

  get currentTurn(): OpenTurn | undefined {
    return this.turn;
  }

  /** The parent of a new model request or tool call: the open turn, else the environment's parent. */
  private parentContext(): Context {
    return this.turn?.context ?? this.env.parent;
  }

  startModelRequest(info: ModelRequestInfo | undefined): OpenRequest {
    this.request?.end();
    const parent = this.parentContext();
    const transport = nonEmpty(info?.transport, MODEL_REQUEST_DEFAULTS.transport);
    const websocket = transport === WEBSOCKET_TRANSPORT;
    const apiPath = nonEmpty(info?.apiPath, MODEL_REQUEST_DEFAULTS.apiPath);
    const attempt: Attributes = websocket
      ? { 'api.path': apiPath, transport }
      : { 'api.path': apiPath, 'http.method': nonEmpty(info?.httpMethod, MODEL_REQUEST_DEFAULTS.httpMethod), transport };
    const attributes: Attributes = {
      ...attempt,
      model: nonEmpty(info?.model, this.turn?.model ?? this.env.model),
      wire_api: nonEmpty(info?.wireApi, MODEL_REQUEST_DEFAULTS.wireApi),
      'turn.has_metadata_header': info?.hasMetadataHeader === true,
      ...(websocket ? { 'websocket.warmup': info?.websocketWarmup === true } : {}),
    };
    const shape = websocket ? SPAN_CATALOG.websocketRequest : SPAN_CATALOG.modelRequest;
    const span = this.env.tracer.startSpan(shape.name!, { kind: shape.kind, attributes }, parent);
    const attemptShape = websocket ? SPAN_CATALOG.websocketStreamRequest : SPAN_CATALOG.streamRequest;
    this.request = new OpenRequest(this, span, trace.setSpan(parent, span), attemptShape.name!, attempt);
    this.env.open.add(this);
    return this.request;
  }

  /** The provider named by `codex.conversation_starts`: the `provider` of websocket connection spans. */
  providerName = 'unknown';

  /** A websocket connection (`model_client.websocket_connection`) that began at `startTime`; end it once its event is emitted. */
  startWebsocketConnection(startTime: number | undefined): { context: Context; end(error?: string): void } {
    const parent = this.parentContext();
    const shape = SPAN_CATALOG.websocketConnection;
    const span = this.env.tracer.startSpan(shape.name!, {
      kind: shape.kind,
      attributes: {
        provider: this.providerName,
        wire_api: MODEL_REQUEST_DEFAULTS.wireApi,
        transport: WEBSOCKET_TRANSPORT,
        'api.path': MODEL_REQUEST_DEFAULTS.apiPath,
        'turn.has_metadata_header': false,
      },
      ...(startTime !== undefined ? { startTime } : {}),
    }, parent);
    return {
      context: trace.setSpan(parent, span),
      end: (error?: string) => {
        if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        span.end();
      },
    };
  }

  /** The open model request, or a new one (the helpers share one request between the attempts and the stream). */
  modelRequest(): OpenRequest {
    return this.request ?? this.startModelRequest(undefined);
  }

  get openRequest(): OpenRequest | undefined {
    return this.request;
  }

  startToolCall(info: ToolCallInfo, startTime?: number): OpenTool {
    const callId = String(info?.callId ?? '');
    this.tools.get(callId)?.end({ aborted: true });
    const toolName = nonEmpty(info?.toolName, 'unknown');
    const parent = this.parentContext();
    const turnId = this.turn?.turnId ?? '';
    const span = this.env.tracer.startSpan(toolName, {
      kind: SPAN_CATALOG.toolCall.kind,
      attributes: {
        tool_name: toolName,
        'conversation.id': this.env.conversationId,
        'turn.id': turnId,
        turn_id: turnId,
        tool_source: TOOL_SOURCE_DIRECT,
        call_id: callId,
        ...this.commonAttributes(),
      },
      ...(startTime !== undefined ? { startTime } : {}),
    }, parent);
    const tool = new OpenTool(this, span, trace.setSpan(parent, span), callId, this.turn);
    this.tools.set(callId, tool);
    this.env.open.add(this);
    this.turn?.tools.add(tool);
    return tool;
  }

  private common: Attributes | undefined;

  private commonAttributes(): Attributes {
    if (!this.common) {
      this.common = {};
      for (const [key, value] of this.env.common) if (key !== 'conversation.id') this.common[key] = value;
    }
    return this.common;
  }

  /** True for a call a denial ended whose result is not recorded yet: its records belong to that span. */
  wasDenied(callId: unknown): boolean {
    return typeof callId === 'string' && this.deniedCalls.has(callId);
  }

  toolCall(callId: unknown): OpenTool | undefined {
    return typeof callId === 'string' ? this.tools.get(callId) : undefined;
  }

  /** Context of an event about a tool call: its span, else the turn. */
  contextForCall(callId: unknown): Context | undefined {
    return this.toolCall(callId)?.context ?? this.turn?.context;
  }

  /** Context of an API or websocket event: the attempt in flight, else the model request, else the turn. */
  contextForRequest(): Context | undefined {
    return this.request?.attemptContext ?? this.request?.context ?? this.turn?.context;
  }

  contextForTurn(): Context | undefined {
    return this.turn?.context;
  }

  headers(ctx: Context | undefined): Record<string, string> {
    return w3cHeaders(ctx, this.env.tracestate);
  }

  /** @internal bookkeeping of the handles */
  /** Ends everything still open (at shutdown): tool calls as aborted, they never finished. */
  endAll(): void {
    this.turn?.end();
    this.request?.end();
    for (const tool of [...this.tools.values()]) tool.end({ aborted: true });
    this.env.open.delete(this);
  }

  private settle(): void {
    if (!this.turn && !this.request && this.tools.size === 0) this.env.open.delete(this);
  }

  forgetTurn(turn: OpenTurn): void {
    if (this.turn === turn) this.turn = undefined;
    this.settle();
  }

  forgetRequest(request: OpenRequest): void {
    if (this.request === request) this.request = undefined;
    this.settle();
  }

  forgetTool(tool: OpenTool): void {
    if (this.tools.get(tool.callId) === tool) this.tools.delete(tool.callId);
    this.settle();
  }
}

export class OpenTurn implements TurnSpan {
  readonly recording = true;
  readonly tools = new Set<OpenTool>();
  private readonly usage: Required<TokenUsage> = { inputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, nonCachedInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0, totalTokens: 0 };
  private usageSeen = false;
  private ended = false;
  /** A user prompt was recorded in this turn: the next one starts a new turn. */
  prompted = false;

  constructor(
    private readonly owner: SessionSpans,
    private readonly span: Span,
    readonly context: Context,
    readonly turnId: string,
    readonly model: string,
    readonly reasoningEffort: string,
  ) {}

  traceHeaders(): Record<string, string> {
    return this.owner.headers(this.context);
  }

  addUsage(usage: TokenUsage): void {
    if (this.ended || !usage) return;
    for (const [, field] of TURN_TOKEN_USAGE) {
      if (field === 'nonCachedInputTokens') continue;
      const value = count(usage[field]);
      if (value !== undefined) {
        this.usage[field] += value;
        this.usageSeen = true;
      }
    }
  }

  end(usage?: TokenUsage): void {
    if (this.ended) return;
    this.ended = true;
    for (const tool of [...this.tools]) tool.end({ aborted: true });
    const request = this.owner.openRequest;
    if (request && request.turn === this) request.end();
    // Without usage (given or from responses) the counts are left out, as Codex does for a turn without a response.
    const attributes: Attributes = {};
    if (usage || this.usageSeen) {
      const totals: TokenUsage = usage ?? this.usage;
      for (const [key, field] of TURN_TOKEN_USAGE) {
        const value = field === 'nonCachedInputTokens' ? nonCached(totals) : count(totals[field]);
        attributes[`codex.turn.token_usage.${key}`] = value ?? 0;
      }
    }
    this.span.setAttributes(attributes);
    this.span.end();
    this.owner.forgetTurn(this);
  }
}

export class OpenRequest implements ModelRequestSpan {
  readonly recording = true;
  readonly turn: OpenTurn | undefined;
  /** The HTTP attempt in flight (`responses.stream_request`). */
  attemptContext: Context | undefined;
  private ended = false;

  constructor(
    private readonly owner: SessionSpans,
    private readonly span: Span,
    readonly context: Context,
    private readonly attemptName: string,
    private readonly attributes: Attributes,
  ) {
    this.turn = owner.currentTurn;
  }

  traceHeaders(): Record<string, string> {
    return this.owner.headers(this.attemptContext ?? this.context);
  }

  /** Starts one attempt: events emitted until `done` carry its span. */
  startAttempt(startTime?: number): (error?: string) => void {
    const span = this.owner.env.tracer.startSpan(this.attemptName, {
      kind: SPAN_CATALOG.streamRequest.kind,
      attributes: this.attributes,
      ...(startTime !== undefined ? { startTime } : {}),
    }, this.context);
    const ctx = trace.setSpan(this.context, span);
    this.attemptContext = ctx;
    return (error?: string) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
      if (this.attemptContext === ctx) this.attemptContext = undefined;
    };
  }

  /** The completed response: a `handle_responses` span with the usage, over the `waitMs` spent waiting for it. */
  recordResponse(usage: TokenUsage, waitMs = 0): void {
    const attributes: Attributes = {
      'codex.request.reasoning_effort': this.turn?.reasoningEffort ?? DEFAULT_REASONING_EFFORT,
      'codex.response.receive_wait_ms': asDouble(waitMs),
    };
    // Codex's usage has every count (0 when the provider sent none): so does the span.
    for (const [key, field] of RESPONSE_TOKEN_USAGE) attributes[key] = count(usage?.[field]) ?? 0;
    const startTime = waitMs > 0 ? Date.now() - waitMs : undefined;
    const span = this.owner.env.tracer.startSpan(SPAN_CATALOG.response.name!, {
      kind: SPAN_CATALOG.response.kind,
      attributes,
      ...(startTime !== undefined ? { startTime } : {}),
    }, this.context);
    span.end();
  }

  end(error?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (typeof error === 'string') this.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.span.end();
    this.owner.forgetRequest(this);
  }
}

export class OpenTool implements ToolCallSpan {
  readonly recording = true;
  private ended = false;
  /** Set once the tool started running. */
  running = false;

  constructor(private readonly owner: SessionSpans, private readonly span: Span, readonly context: Context, readonly callId: string, private readonly turn: OpenTurn | undefined) {}

  end(outcome?: { aborted?: boolean; error?: string }): void {
    if (this.ended) return;
    this.ended = true;
    const aborted = outcome?.aborted === true;
    this.span.setAttribute('codex.tool.phase', TOOL_PHASE);
    this.span.setAttribute('aborted', aborted);
    if (typeof outcome?.error === 'string') this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
    this.span.end();
    this.turn?.tools.delete(this);
    this.owner.forgetTool(this);
  }
}

function nonEmpty(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function nonCached(usage: TokenUsage): number | undefined {
  const given = count(usage.nonCachedInputTokens);
  if (given !== undefined && given > 0) return given;
  const input = count(usage.inputTokens);
  return input === undefined ? undefined : Math.max(0, input - (count(usage.cachedInputTokens) ?? 0));
}

/**
 * Codex sends `codex.response.receive_wait_ms` as a double; the SDK encodes an integral number as an int,
 * so an integral wait is nudged by a nanosecond's billionth to keep the wire type.
 */
function asDouble(ms: number): number {
  const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
  return Number.isInteger(value) ? value + 1e-9 : value;
}

function count(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.floor(value);
}
