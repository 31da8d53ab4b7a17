/**
 * What an event does to the session's spans, by event shape: which span it is emitted in, and what
 * happens around it (Codex's spans, rebuilt from the events an agent records). `prepare` runs before the
 * record is built and gives its context; `after` runs once it is emitted. Neither ever throws.
 *
 *  - userPrompt: begins a turn (ending the open one), unless it is the first prompt of a turn the agent opened;
 *  - apiRequest / websocketRequest: an attempt span (`durationMs` long) under the open model request,
 *    unless a helper's attempt is in flight; websocketConnect: a connection span;
 *  - toolDecision: inside the call's span (opened here when none is); a denial (src/events/decisions.ts) ends
 *    it with `aborted = true`; toolResult: inside the call's span, which it ends; the sandbox outcome and
 *    result of a denied call are emitted in its (ended) span rather than opening a second span for the call;
 *  - sseCompleted: no ids (as every `codex.sse_event`); then the `handle_responses` span with the usage,
 *    the end of the model request, the usage added to the turn; sseCompletedFailed: ends the request failed;
 *  - the rest: in the turn (or the request, or the call: see event-scope.ts).
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { isDenial } from '../events/decisions.js';
import { WEBSOCKET_TRANSPORT } from './catalog.js';
import { eventContext, eventScope } from './event-scope.js';
import type { SessionSpans } from './spans.js';
import type { TokenUsage } from './types.js';

export interface EventStep {
  /** The context to emit the record in (undefined: the active context). */
  context: Context | undefined;
  /** Span work once the record is emitted. */
  after?: () => void;
}

/** Extra, per-call facts some session methods pass: the SSE helper's wait, a tool run's abort. */
export interface EventExtra {
  waitMs?: number;
  aborted?: boolean;
}

type Input = Record<string, unknown> | undefined;

export function prepareEvent(spans: SessionSpans, shape: string, input: unknown, extra: EventExtra | undefined): EventStep {
  try {
    const step = prepare(spans, shape, (typeof input === 'object' && input !== null ? input : undefined) as Input, extra);
    const after = step.after;
    return after ? { context: step.context, after: () => guard(spans, after) } : step;
  } catch (error) {
    spans.env.report('recording a span', error);
    return { context: guard(spans, () => eventContext(spans, eventScope(shape), input)) };
  }
}

function prepare(spans: SessionSpans, shape: string, input: Input, extra: EventExtra | undefined): EventStep {
  switch (shape) {
    case 'conversationStarts':
      if (typeof input?.['providerName'] === 'string') spans.providerName = input['providerName'];
      return { context: spans.contextForTurn() };
    case 'userPrompt': {
      // A prompt begins a turn, unless it is the first of a turn the agent opened itself.
      const open = spans.currentTurn;
      const turn = open && !open.prompted ? open : spans.startTurn(undefined);
      turn.prompted = true;
      return { context: turn.context };
    }
    case 'apiRequest':
    case 'websocketRequest': {
      const open = spans.openRequest;
      if (open?.attemptContext) return { context: open.attemptContext };
      const request = open ?? spans.startModelRequest(shape === 'websocketRequest' ? { transport: WEBSOCKET_TRANSPORT } : undefined);
      const done = request.startAttempt(Date.now() - duration(input));
      return { context: request.attemptContext, after: () => done(failure(input, shape === 'apiRequest')) };
    }
    case 'websocketConnect': {
      const connection = spans.startWebsocketConnection(Date.now() - duration(input));
      return { context: connection.context, after: () => connection.end(failure(input, false)) };
    }
    case 'toolDecision': {
      const tool = spans.toolCall(input?.['callId']) ?? spans.startToolCall(input as never);
      const decision = input?.['decision'];
      const denied = typeof decision === 'string' && isDenial(decision);
      return {
        context: tool.context,
        after: () => {
          if (!denied) return;
          tool.end({ aborted: true });
          rememberDenied(spans, tool.callId, tool.context);
        },
      };
    }
    case 'sandboxOutcome':
      return { context: spans.toolCall(input?.['callId'])?.context ?? deniedContext(spans, input?.['callId']) ?? eventContext(spans, 'call', input) };
    case 'toolResult': {
      const open = spans.toolCall(input?.['callId']);
      // The result of a denied call (Codex reports the rejection to the model) belongs to the denial's span.
      const denied = open ? undefined : deniedContext(spans, input?.['callId'], true);
      if (denied) return { context: denied };
      const tool = open ?? spans.startToolCall(input as never, Date.now() - duration(input));
      tool.running = true;
      const failed = input?.['success'] === false;
      return { context: tool.context, after: () => tool.end({ aborted: extra?.aborted === true, ...(failed ? { error: 'tool call failed' } : {}) }) };
    }
    case 'sseCompleted':
      return {
        context: ROOT_CONTEXT,
        after: () => {
          const usage = responseUsage(input);
          const request = spans.modelRequest();
          request.recordResponse(usage, typeof extra?.waitMs === 'number' ? extra.waitMs : undefined);
          request.end();
          spans.currentTurn?.addUsage(usage);
        },
      };
    case 'sseCompletedFailed':
      return { context: ROOT_CONTEXT, after: () => spans.openRequest?.end(typeof input?.['error'] === 'string' ? input['error'] : 'response failed') };
    default:
      return { context: eventContext(spans, eventScope(shape), input) };
  }
}

/** Denied calls remembered per session: a result follows its denial at once, so a small bound is plenty. */
const DENIED_CALLS_KEPT = 64;

function rememberDenied(spans: SessionSpans, callId: string, context: Context): void {
  const calls = spans.deniedCalls;
  calls.delete(callId);
  calls.set(callId, context);
  if (calls.size > DENIED_CALLS_KEPT) calls.delete(calls.keys().next().value!);
}

/** The span context of a call a denial ended; `forget` once its result is recorded (nothing follows it). */
function deniedContext(spans: SessionSpans, callId: unknown, forget = false): Context | undefined {
  if (typeof callId !== 'string') return undefined;
  const context = spans.deniedCalls.get(callId);
  if (forget) spans.deniedCalls.delete(callId);
  return context;
}

function duration(input: Input): number {
  const value = input?.['durationMs'];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** The failure of an attempt: its error, or a non-2xx status (API), or `success = false` (websocket). */
function failure(input: Input, http: boolean): string | undefined {
  const error = input?.['error'];
  if (typeof error === 'string') return error;
  if (http) {
    const status = input?.['status'];
    return typeof status === 'number' && status >= 400 ? `http ${status}` : undefined;
  }
  return input?.['success'] === false ? 'failed' : undefined;
}

/** The usage of a completed response, from the `codex.sse_event` usage input. */
function responseUsage(input: Input): TokenUsage {
  const usage: TokenUsage = {};
  const set = (field: keyof TokenUsage, key: string) => {
    const value = input?.[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) usage[field] = Math.floor(value);
  };
  set('inputTokens', 'inputTokens');
  set('cachedInputTokens', 'cachedTokens');
  set('cacheWriteInputTokens', 'cacheWriteTokens');
  set('outputTokens', 'outputTokens');
  set('reasoningOutputTokens', 'reasoningTokens');
  set('totalTokens', 'totalTokens');
  return usage;
}

function guard<T>(spans: SessionSpans, work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    spans.env.report('recording a span', error);
    return undefined;
  }
}
