import type { Attributes } from '@opentelemetry/api';
import type { AggregatedCounter, AggregatedHistogram } from './metrics/aggregator.js';
import { TOKEN_USAGE_COUNTER, TURN_E2E_HISTOGRAM, TURN_TTFT_HISTOGRAM, type Instruments } from './metrics/instruments.js';
import type { ShapeId } from './events/catalog.js';
import { emitEvent, type EmitTarget, type ResolvedCatalog } from './events/emitter.js';
import { toNonNegativeInteger } from './events/values.js';
import type {
  ApiRequestInput, ConversationStartsInput, SandboxOutcomeInput, SseChunkFailedInput, SseChunkInput,
  SseCompletedFailedInput, SseCompletedInput, ToolDecisionInput, ToolResultInput, TurnInput,
  WebsocketConnectInput, WebsocketEventInput, WebsocketRequestInput,
} from './events/inputs.js';
import { reportInternalError } from './diagnostics.js';
import type { Context } from '@opentelemetry/api';
import { eventContext, eventScope, NOOP_MODEL_REQUEST, NOOP_TOOL_CALL, NOOP_TURN, type SessionSpans } from './traces/index.js';
import type { ModelRequestInfo, ModelRequestSpan, TokenUsage, ToolCallInfo, ToolCallSpan, TurnInfo, TurnSpan } from './traces/types.js';

const TOKEN_TYPES = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cached', 'cachedTokens'],
  ['reasoning', 'reasoningTokens'],
] as const;

/**
 * One conversation's telemetry. Every method records the event of contract §1 and its metrics, and
 * never throws: a bad value is coerced or left out, an internal failure is reported once on stderr.
 */
export class Session {
  private readonly tokenUsage: AggregatedCounter;
  private readonly turnE2e: AggregatedHistogram;
  private readonly turnTtft: AggregatedHistogram;
  private readonly dropped: AggregatedCounter;

  /** @internal built by Telemetry.startSession */
  constructor(
    private readonly target: EmitTarget,
    private readonly shapes: ResolvedCatalog,
    instruments: Instruments,
    readonly conversationId: string,
    /** @internal the session's spans; undefined with `trace_exporter = "none"` (the no-op path). */
    readonly spans?: SessionSpans,
  ) {
    this.tokenUsage = instruments.counters.get(TOKEN_USAGE_COUNTER)!;
    this.turnE2e = instruments.histograms.get(TURN_E2E_HISTOGRAM)!;
    this.turnTtft = instruments.histograms.get(TURN_TTFT_HISTOGRAM)!;
    this.dropped = instruments.dropped;
  }

  /** The provider named by `conversationStarts` (the websocket connection span's `provider`). */
  private providerName = 'unknown';

  conversationStarts(input: ConversationStartsInput): void {
    if (this.spans) this.guardSpans(() => { if (typeof input?.providerName === 'string') this.providerName = input.providerName; });
    this.emit('conversationStarts', input);
  }
  /**
   * The prompt is sent as `[REDACTED]` unless `log_user_prompt = true`; its length always. With spans on,
   * a prompt outside a turn starts one (ended by `turn()` or the next `startTurn`).
   */
  userPrompt(text: string): void {
    if (this.spans && !this.spans.currentTurn) this.startTurn();
    this.emit('userPrompt', { text });
  }
  /** One HTTP attempt; with spans on, a `responses.stream_request` span under the open model request. */
  apiRequest(input: ApiRequestInput): void {
    const spans = this.spans;
    if (!spans || spans.openRequest?.attemptContext) return this.emit('apiRequest', input);
    const done = this.guardSpans(() => spans.modelRequest().startAttempt(Date.now() - (toNonNegativeInteger(input?.durationMs) ?? 0)));
    this.emit('apiRequest', input);
    if (done) this.guardSpans(() => done(typeof input?.error === 'string' ? input.error : undefined));
  }
  sseEvent(input: SseChunkInput): void { this.emit('sseChunk', input); }
  sseEventFailed(input: SseChunkFailedInput): void { this.emit('sseChunkFailed', input); }
  /** A failed completion; with spans on it ends the open model request as failed. */
  sseEventCompletedFailed(input: SseCompletedFailedInput): void {
    this.emit('sseCompletedFailed', input);
    if (this.spans) this.guardSpans(() => this.spans!.openRequest?.end(typeof input?.error === 'string' ? input.error : 'response failed'));
  }
  /** With spans on, inside a `model_client.websocket_connection` span as long as the connect took. */
  websocketConnect(input: WebsocketConnectInput): void {
    const spans = this.spans;
    if (!spans) return this.emit('websocketConnect', input);
    let emitted = false;
    this.guardSpans(() => spans.recordWebsocketConnection(
      this.providerName,
      Date.now() - (toNonNegativeInteger(input?.durationMs) ?? 0),
      input?.success === false ? (typeof input?.error === 'string' ? input.error : 'connect failed') : undefined,
      (context) => { emitted = true; this.emit('websocketConnect', input, context); },
    ));
    if (!emitted) this.emit('websocketConnect', input);
  }
  /** One request over the websocket; with spans on, a `responses_websocket.stream_request` span under the request. */
  websocketRequest(input: WebsocketRequestInput): void {
    const spans = this.spans;
    if (!spans || spans.openRequest?.attemptContext) return this.emit('websocketRequest', input);
    const done = this.guardSpans(() => (spans.openRequest ?? spans.startModelRequest({ transport: 'responses_websocket' }))
      .startAttempt(Date.now() - (toNonNegativeInteger(input?.durationMs) ?? 0)));
    this.emit('websocketRequest', input);
    if (done) this.guardSpans(() => done(input?.success === false ? (typeof input?.error === 'string' ? input.error : 'request failed') : undefined));
  }
  websocketEvent(input: WebsocketEventInput): void { this.emit('websocketEvent', input); }
  /**
   * A decision about a tool call. With spans on it is emitted inside the call's span (started here when
   * none is open); any decision but an approval ends that span with `aborted = true`.
   */
  toolDecision(input: ToolDecisionInput): void {
    const spans = this.spans;
    if (!spans) return this.emit('toolDecision', input);
    const tool = this.guardSpans(() => spans.toolCall(input?.callId) ?? spans.startToolCall(input));
    this.emit('toolDecision', input);
    if (tool) {
      this.guardSpans(() => {
        const decision = input?.decision;
        if (typeof decision !== 'string' || !decision.startsWith('approved')) tool.end({ aborted: true });
      });
    }
  }
  sandboxOutcome(input: SandboxOutcomeInput): void { this.emit('sandboxOutcome', input); }
  /**
   * A finished tool call; with spans on it ends the call's span (started `durationMs` ago when none is
   * open), with `aborted = true` when `outcome.aborted` says the run was cut short.
   */
  toolResult(input: ToolResultInput, outcome?: { aborted?: boolean }): void {
    const aborted = this.guardSpans(() => outcome?.aborted === true) ?? false;
    const spans = this.spans;
    if (!spans) return this.emit('toolResult', input);
    const tool = this.guardSpans(() => {
      const open = spans.toolCall(input?.callId) ?? spans.startToolCall(input, Date.now() - (toNonNegativeInteger(input?.durationMs) ?? 0));
      open.running = true;
      return open;
    });
    this.emit('toolResult', input);
    if (tool) this.guardSpans(() => tool.end({ aborted, ...(input?.success === false ? { error: 'tool call failed' } : {}) }));
  }

  /**
   * The completed response with its token usage; also feeds the token-usage counter, and with spans on the
   * `handle_responses` span (`timing.waitMs`: how long the caller waited for this event) and the turn's usage.
   */
  sseEventCompleted(input: SseCompletedInput, timing?: { waitMs?: number }): void {
    this.emit('sseCompleted', input);
    this.guard(() => {
      for (const [tokenType, field] of TOKEN_TYPES) {
        const count = toNonNegativeInteger(input?.[field]);
        if (count) this.tokenUsage.add(count, this.tags({ token_type: tokenType }));
      }
    });
    const spans = this.spans;
    if (spans) {
      this.guardSpans(() => {
        const usage = responseUsage(input);
        const request = spans.modelRequest();
        const waitMs = timing?.waitMs;
        request.recordResponse(usage, typeof waitMs === 'number' ? waitMs : undefined);
        request.end();
        spans.currentTurn?.addUsage(usage);
      });
    }
  }

  /**
   * Turn-level durations (`codex.turn.e2e_duration_ms`, `codex.turn.ttft.duration_ms`); with spans on it
   * also ends the open turn span (with the usage of its responses).
   */
  turn(input: TurnInput): void {
    this.guard(() => {
      const tags = this.tags();
      this.turnE2e.record(toNonNegativeInteger(input?.e2eDurationMs) ?? 0, tags);
      const ttft = toNonNegativeInteger(input?.ttftDurationMs);
      if (ttft !== undefined) this.turnTtft.record(ttft, tags);
    });
    if (this.spans) this.guardSpans(() => this.spans!.currentTurn?.end());
  }

  /**
   * Starts a turn span (`session_task.turn`): the parent of the turn's model requests and tool calls, and
   * the span of the events emitted meanwhile. End it with `end(usage?)` (or `turn()`).
   */
  startTurn(info?: TurnInfo): TurnSpan {
    const spans = this.spans;
    if (!spans) return NOOP_TURN;
    return this.guardSpans(() => spans.startTurn(info), () => NOOP_TURN);
  }

  /** The open turn (the no-op handle when spans are off or no turn is open). */
  get currentTurn(): TurnSpan {
    return this.spans?.currentTurn ?? NOOP_TURN;
  }

  /**
   * Starts a model request span (`model_client.stream_responses_api`); `apiRequest` attempts and the
   * completed response nest under it. The helpers start and end it themselves.
   */
  startModelRequest(info?: ModelRequestInfo): ModelRequestSpan {
    const spans = this.spans;
    if (!spans) return NOOP_MODEL_REQUEST;
    return this.guardSpans(() => spans.startModelRequest(info), () => NOOP_MODEL_REQUEST);
  }

  /** Starts a tool call span (named after the tool); `toolDecision`/`toolResult` for its call id end it. */
  startToolCall(info: ToolCallInfo): ToolCallSpan {
    const spans = this.spans;
    if (!spans) return NOOP_TOOL_CALL;
    return this.guardSpans(() => spans.startToolCall(info), () => NOOP_TOOL_CALL);
  }

  /**
   * A tool call that was denied or never ran, without a `codex.tool_decision` (a user's denial in a
   * TUI): its span, ended now with `aborted = true`.
   */
  toolCallAborted(info: ToolCallInfo): void {
    const spans = this.spans;
    if (!spans) return;
    this.guardSpans(() => (spans.toolCall(info?.callId) ?? spans.startToolCall(info)).end({ aborted: true }));
  }

  private emit(shape: ShapeId, input: unknown, inside?: Context): void {
    try {
      // The no-op path (no spans) looks nothing up: the record takes the active context, as before spans existed.
      const context: Context | undefined = inside ?? (this.spans ? eventContext(this.spans, eventScope(shape), input) : undefined);
      emitEvent(this.target, this.shapes[shape], input, Date.now(), context);
    } catch (error) {
      // The record is lost (its input threw when read): count it like any other drop.
      this.guard(() => this.dropped.add(1, { reason: 'emit_failed' }));
      reportInternalError(`emitting ${this.shapes[shape].name}`, error);
    }
  }

  /** Span bookkeeping must never break the caller: on failure it is reported once and `fallback` returned. */
  private guardSpans<T>(work: () => T): T | undefined;
  private guardSpans<T>(work: () => T, fallback: () => T): T;
  private guardSpans<T>(work: () => T, fallback?: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      reportInternalError('recording a span', error);
      return fallback?.();
    }
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      reportInternalError('recording a metric', error);
    }
  }

  private tags(extra?: Attributes): Attributes {
    return extra ? { ...this.target.sessionTags, ...extra } : this.target.sessionTags;
  }
}

function responseUsage(input: SseCompletedInput): TokenUsage {
  const source = (input ?? {}) as unknown as Record<string, unknown>;
  const usage: TokenUsage = {};
  const set = (field: keyof TokenUsage, value: unknown) => {
    const count = toNonNegativeInteger(value);
    if (count !== undefined) usage[field] = count;
  };
  set('inputTokens', source['inputTokens']);
  set('cachedInputTokens', source['cachedTokens']);
  set('cacheWriteInputTokens', source['cacheWriteTokens']);
  set('outputTokens', source['outputTokens']);
  set('reasoningOutputTokens', source['reasoningTokens']);
  set('totalTokens', source['totalTokens']);
  return usage;
}
