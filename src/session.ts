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
  toolResult(input: ToolResultInput): void { this.emit('toolResult', input); }

  /** The completed response with its token usage; also feeds the token-usage counter. */
  sseEventCompleted(input: SseCompletedInput): void {
    this.emit('sseCompleted', input);
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
  }

  // The catalog's event ids as method names (the `sseEvent*` names above are their aliases).
  /** One `codex.sse_event` chunk (catalog id `sseChunk`); the same as `sseEvent`. */
  sseChunk(input: SseChunkInput): void { this.sseEvent(input); }
  sseChunkFailed(input: SseChunkFailedInput): void { this.sseEventFailed(input); }
  sseCompleted(input: SseCompletedInput): void { this.sseEventCompleted(input); }
  sseCompletedFailed(input: SseCompletedFailedInput): void { this.sseEventCompletedFailed(input); }

  private emit(shape: ShapeId, input: unknown): void {
    try {
      emitEvent(this.target, this.shapes[shape], input);
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
