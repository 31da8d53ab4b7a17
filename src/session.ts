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
import { NOOP_MODEL_REQUEST, NOOP_TOOL_CALL, NOOP_TURN, prepareEvent, type EventExtra, type SessionSpans } from './traces/index.js';
import type { ModelRequestInfo, ModelRequestSpan, ToolCallInfo, ToolCallSpan, TurnInfo, TurnSpan } from './traces/types.js';

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
    /** @internal the session's spans (src/traces); undefined with `trace_exporter = "none"`: no span is ever created. */
    readonly spans?: SessionSpans,
  ) {
    this.tokenUsage = instruments.counters.get(TOKEN_USAGE_COUNTER)!;
    this.turnE2e = instruments.histograms.get(TURN_E2E_HISTOGRAM)!;
    this.turnTtft = instruments.histograms.get(TURN_TTFT_HISTOGRAM)!;
    this.dropped = instruments.dropped;
  }

  conversationStarts(input: ConversationStartsInput): void { this.emit('conversationStarts', input); }
  /** The prompt is sent as `[REDACTED]` unless `log_user_prompt = true`; its length always. */
  userPrompt(text: string): void { this.emit('userPrompt', { text }); }
  apiRequest(input: ApiRequestInput): void { this.emit('apiRequest', input); }
  sseEvent(input: SseChunkInput): void { this.emit('sseChunk', input); }
  sseEventFailed(input: SseChunkFailedInput): void { this.emit('sseChunkFailed', input); }
  sseEventCompletedFailed(input: SseCompletedFailedInput): void { this.emit('sseCompletedFailed', input); }
  websocketConnect(input: WebsocketConnectInput): void { this.emit('websocketConnect', input); }
  websocketRequest(input: WebsocketRequestInput): void { this.emit('websocketRequest', input); }
  websocketEvent(input: WebsocketEventInput): void { this.emit('websocketEvent', input); }
  toolDecision(input: ToolDecisionInput): void { this.emit('toolDecision', input); }
  sandboxOutcome(input: SandboxOutcomeInput): void { this.emit('sandboxOutcome', input); }
  /** With spans on, `outcome.aborted` ends the call's span as aborted (a run cut short). */
  toolResult(input: ToolResultInput, outcome?: { aborted?: boolean }): void { this.emit('toolResult', input, outcome); }

  /** The completed response with its token usage; also feeds the token-usage counter. `timing.waitMs`: the wait for it (spans). */
  sseEventCompleted(input: SseCompletedInput, timing?: { waitMs?: number }): void {
    this.emit('sseCompleted', input, timing);
    this.guard(() => {
      for (const [tokenType, field] of TOKEN_TYPES) {
        const count = toNonNegativeInteger(input?.[field]);
        if (count) this.tokenUsage.add(count, this.tags({ token_type: tokenType }));
      }
    });
  }

  /** Turn-level durations (`codex.turn.e2e_duration_ms`, `codex.turn.ttft.duration_ms`); metrics only. */
  turn(input: TurnInput): void {
    this.guard(() => {
      const tags = this.tags();
      this.turnE2e.record(toNonNegativeInteger(input?.e2eDurationMs) ?? 0, tags);
      const ttft = toNonNegativeInteger(input?.ttftDurationMs);
      if (ttft !== undefined) this.turnTtft.record(ttft, tags);
    });
    this.spanHandle(() => this.spans!.currentTurn?.end(), undefined);
  }

  // The catalog's event ids as method names (the `sseEvent*` names above are their aliases).
  /** One `codex.sse_event` chunk (catalog id `sseChunk`); the same as `sseEvent`. */
  sseChunk(input: SseChunkInput): void { this.sseEvent(input); }
  sseChunkFailed(input: SseChunkFailedInput): void { this.sseEventFailed(input); }
  sseCompleted(input: SseCompletedInput): void { this.sseEventCompleted(input); }
  sseCompletedFailed(input: SseCompletedFailedInput): void { this.sseEventCompletedFailed(input); }

  // Spans (README "Spans"): handles for agents that do not use the helpers. No-op handles when spans are off.

  /** Starts a turn span (`session_task.turn`), the parent of the turn's requests and tool calls; `userPrompt` opens one too. */
  startTurn(info?: TurnInfo): TurnSpan {
    return this.spanHandle(() => this.spans!.startTurn(info), NOOP_TURN);
  }

  /** The open turn, or the no-op handle. */
  get currentTurn(): TurnSpan {
    return this.spans?.currentTurn ?? NOOP_TURN;
  }

  /** Starts a model request span; `apiRequest` attempts and the completed response nest under it. */
  startModelRequest(info?: ModelRequestInfo): ModelRequestSpan {
    return this.spanHandle(() => this.spans!.startModelRequest(info), NOOP_MODEL_REQUEST);
  }

  /** Starts a tool call span (named after the tool); `toolDecision`/`toolResult` with its call id end it. */
  startToolCall(info: ToolCallInfo): ToolCallSpan {
    return this.spanHandle(() => this.spans!.startToolCall(info), NOOP_TOOL_CALL);
  }

  /** A tool call denied or never run without a `codex.tool_decision` (a TUI denial): its span, ended `aborted = true`. */
  toolCallAborted(info: ToolCallInfo): void {
    this.spanHandle(() => (this.spans!.toolCall(info?.callId) ?? this.spans!.startToolCall(info)).end({ aborted: true }), undefined);
  }

  private spanHandle<T>(work: () => T, noop: T): T {
    if (!this.spans) return noop;
    try {
      return work();
    } catch (error) {
      this.target.report('recording a span', error);
      return noop;
    }
  }

  private emit(shape: ShapeId, input: unknown, extra?: EventExtra): void {
    try {
      if (!this.spans) return emitEvent(this.target, this.shapes[shape], input);
      const step = prepareEvent(this.spans, shape, input, extra);
      try {
        emitEvent(this.target, this.shapes[shape], input, Date.now(), step.context);
      } finally {
        step.after?.();
      }
    } catch (error) {
      // The record is lost (its input threw when read): count it like any other drop.
      this.guard(() => this.dropped.add(1, { reason: 'emit_failed' }));
      this.target.report(`emitting ${this.shapes[shape].name}`, error);
    }
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.target.report('recording a metric', error);
    }
  }

  private tags(extra?: Attributes): Attributes {
    return extra ? { ...this.target.sessionTags, ...extra } : this.target.sessionTags;
  }
}
