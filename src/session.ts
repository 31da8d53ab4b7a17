import type { Attributes } from '@opentelemetry/api';
import type { AggregatedCounter, AggregatedHistogram } from './metrics/aggregator.js';
import {
  TOKEN_USAGE_HISTOGRAM, TURN_COUNT_COUNTER, TURN_E2E_HISTOGRAM, TURN_TTFM_HISTOGRAM, WEBSOCKET_EVENT_COUNTER,
  WEBSOCKET_EVENT_HISTOGRAM, type Instruments,
} from './metrics/instruments.js';
import type { ShapeId } from './events/catalog.js';
import { emitEvent, type EmitTarget, type ResolvedCatalog } from './events/emitter.js';
import { toNonNegativeInteger } from './events/values.js';
import type {
  ApiRequestInput, ConversationStartsInput, SandboxOutcomeInput, SseChunkFailedInput, SseChunkInput,
  SseCompletedFailedInput, SseCompletedInput, StartupPhaseInput, ToolDecisionInput, ToolResultInput, TurnInput,
  TurnTokenUsage, TurnTtftInput, WebsocketConnectInput, WebsocketEventInput, WebsocketRequestInput,
} from './events/inputs.js';
import { NOOP_MODEL_REQUEST, NOOP_TOOL_CALL, NOOP_TURN, prepareEvent, type EventExtra, type SessionSpans } from './traces/index.js';
import type { ModelRequestInfo, ModelRequestSpan, ToolCallInfo, ToolCallSpan, TurnInfo, TurnSpan } from './traces/types.js';

/** The `token_type` tags of `codex.turn.token_usage`, in Codex's order, and where each count comes from. */
const TOKEN_TYPES = [
  ['input', 'input'],
  ['cached_input', 'cachedInput'],
  ['cache_write_input', 'cacheWriteInput'],
  ['output', 'output'],
  ['reasoning_output', 'reasoningOutput'],
  ['total', 'total'],
] as const satisfies ReadonlyArray<readonly [string, keyof TurnTokenUsage]>;

/** Codex tags its token-usage points with this memory feature flag; we have no such feature. */
const TOKEN_USAGE_EXTRA_TAGS: Attributes = { tmp_mem_enabled: 'false' };

/**
 * One conversation's telemetry. Every method records the event of contract §1 and its metrics, and
 * never throws: a bad value is coerced or left out, an internal failure is reported once on stderr.
 */
export class Session {
  private readonly tokenUsage: AggregatedHistogram;
  private readonly turnCount: AggregatedCounter;
  private readonly turnE2e: AggregatedHistogram;
  private readonly turnTtfm: AggregatedHistogram;
  private readonly websocketEvents: AggregatedCounter;
  private readonly websocketEventDurations: AggregatedHistogram;
  private readonly dropped: AggregatedCounter;
  /** Token usage of the responses completed since the last `turn()`. */
  private pendingUsage: TurnTokenUsage | undefined;

  /** @internal built by Telemetry.startSession */
  constructor(
    private readonly target: EmitTarget,
    private readonly shapes: ResolvedCatalog,
    instruments: Instruments,
    readonly conversationId: string,
    /** @internal the session's spans (src/traces); undefined with `trace_exporter = "none"`: no span is ever created. */
    readonly spans?: SessionSpans,
  ) {
    this.tokenUsage = instruments.histograms.get(TOKEN_USAGE_HISTOGRAM)!;
    this.turnCount = instruments.counters.get(TURN_COUNT_COUNTER)!;
    this.turnE2e = instruments.histograms.get(TURN_E2E_HISTOGRAM)!;
    this.turnTtfm = instruments.histograms.get(TURN_TTFM_HISTOGRAM)!;
    this.websocketEvents = instruments.counters.get(WEBSOCKET_EVENT_COUNTER)!;
    this.websocketEventDurations = instruments.histograms.get(WEBSOCKET_EVENT_HISTOGRAM)!;
    this.dropped = instruments.dropped;
  }

  /** The conversation's settings; also counts `codex.thread.started`. */
  conversationStarts(input: ConversationStartsInput): void { this.emit('conversationStarts', input); }
  /** One timed phase of starting up (`codex.startup_phase` and `codex.startup.phase.duration_ms`). */
  startupPhase(input: StartupPhaseInput): void { this.emit('startupPhase', input); }
  /** The prompt is sent as `[REDACTED]` unless `log_user_prompt = true`; its length always. */
  userPrompt(text: string): void { this.emit('userPrompt', { text }); }
  apiRequest(input: ApiRequestInput): void { this.emit('apiRequest', input); }
  /** One stream event, including the `response.completed` chunk itself (its usage follows with `sseEventCompleted`). */
  sseEvent(input: SseChunkInput): void { this.emit('sseChunk', input); }
  sseEventFailed(input: SseChunkFailedInput): void { this.emit('sseChunkFailed', input); }
  sseEventCompletedFailed(input: SseCompletedFailedInput): void { this.emit('sseCompletedFailed', input); }
  /** Time to the turn's first token (`codex.turn_ttft` and `codex.turn.ttft.duration_ms`). */
  turnTtft(input: TurnTtftInput): void { this.emit('turnTtft', input); }
  websocketConnect(input: WebsocketConnectInput): void { this.emit('websocketConnect', input); }
  websocketRequest(input: WebsocketRequestInput): void { this.emit('websocketRequest', input); }
  toolDecision(input: ToolDecisionInput): void { this.emit('toolDecision', input); }
  sandboxOutcome(input: SandboxOutcomeInput): void { this.emit('sandboxOutcome', input); }
  /** With spans on, `outcome.aborted` ends the call's span as aborted (a run cut short). */
  toolResult(input: ToolResultInput, outcome?: { aborted?: boolean }): void { this.emit('toolResult', input, outcome); }

  /**
   * The usage record of a completed response; its tokens count toward the turn's `codex.turn.token_usage`.
   * `timing.waitMs`: how long the caller waited for it (the `handle_responses` span, with spans on).
   */
  sseEventCompleted(input: SseCompletedInput, timing?: { waitMs?: number }): void {
    this.emit('sseCompleted', input, timing);
    this.guard(() => {
      const count = (value: unknown) => toNonNegativeInteger(value) ?? 0;
      const usage = this.pendingUsage ?? { input: 0, cachedInput: 0, cacheWriteInput: 0, output: 0, reasoningOutput: 0, total: 0 };
      usage.input += count(input?.inputTokens);
      usage.cachedInput += count(input?.cachedTokens);
      usage.cacheWriteInput += count(input?.cacheWriteTokens);
      usage.output += count(input?.outputTokens);
      usage.reasoningOutput += count(input?.reasoningTokens);
      usage.total += count(input?.totalTokens);
      this.pendingUsage = usage;
    });
  }

  /** One event received on a websocket: `codex.websocket.event` and its duration (Codex logs no record for it). */
  websocketEvent(input: WebsocketEventInput): void {
    this.guard(() => {
      const tags = this.tags({
        kind: this.target.tagCache.get(input?.kind ?? 'unknown'),
        success: input?.success === true ? 'true' : 'false',
      });
      this.websocketEvents.add(1, tags);
      this.websocketEventDurations.record(toNonNegativeInteger(input?.durationMs) ?? 0, tags);
    });
  }

  /**
   * The end of a turn: `codex.conversation.turn.count`, `codex.turn.e2e_duration_ms`,
   * `codex.turn.ttfm.duration_ms` and the turn's `codex.turn.token_usage` (one point per token type).
   */
  turn(input: TurnInput): void {
    this.guard(() => {
      const tags = this.tags();
      this.turnCount.add(1, tags);
      this.turnE2e.record(toNonNegativeInteger(input?.e2eDurationMs) ?? 0, tags);
      const ttfm = toNonNegativeInteger(input?.ttfmDurationMs);
      if (ttfm !== undefined) this.turnTtfm.record(ttfm, tags);
      const usage = input?.tokenUsage ?? this.pendingUsage;
      this.pendingUsage = undefined;
      if (usage) {
        for (const [tokenType, field] of TOKEN_TYPES) {
          this.tokenUsage.record(toNonNegativeInteger(usage[field]) ?? 0, this.tags({ ...TOKEN_USAGE_EXTRA_TAGS, token_type: tokenType }));
        }
      }
    });
    // The turn span takes the usage given here, else the sum of its responses' usage.
    this.spanHandle(() => {
      const given = input?.tokenUsage;
      this.spans!.currentTurn?.end(given ? {
        inputTokens: given.input, cachedInputTokens: given.cachedInput, cacheWriteInputTokens: given.cacheWriteInput,
        outputTokens: given.output, reasoningOutputTokens: given.reasoningOutput, totalTokens: given.total,
      } : undefined);
    }, undefined);
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
      this.guard(() => this.dropped.add(1, { reason: 'emit_failed', signal: 'logs' }));
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
