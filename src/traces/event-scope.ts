/**
 * Which span a log event belongs to, by event shape (data): Codex emits each event inside the span of
 * what it describes, and `codex.sse_event` outside every span (empty ids on the wire).
 */
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { SessionSpans } from './spans.js';

export type EventScope = 'none' | 'call' | 'request' | 'turn';

const SCOPES: Readonly<Record<string, EventScope>> = {
  sseChunk: 'none',
  sseChunkFailed: 'none',
  sseCompleted: 'none',
  sseCompletedFailed: 'none',
  toolDecision: 'call',
  sandboxOutcome: 'call',
  toolResult: 'call',
  apiRequest: 'request',
  websocketConnect: 'request',
  websocketRequest: 'request',
  websocketEvent: 'request',
};

export function eventScope(shape: string): EventScope {
  return SCOPES[shape] ?? 'turn';
}

/** The context to emit an event in (spans on); `ROOT_CONTEXT` (no ids) for SSE events, undefined when no span applies. */
export function eventContext(spans: SessionSpans, scope: EventScope, input: unknown): Context | undefined {
  if (scope === 'none') return ROOT_CONTEXT;
  if (scope === 'call') return spans.contextForCall((input as { callId?: unknown } | null)?.callId);
  if (scope === 'request') return spans.contextForRequest();
  return spans.contextForTurn();
}
