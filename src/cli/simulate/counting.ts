/**
 * What simulate emitted, by event name and shape: a wrapper around each Session that counts every event
 * method call. What happened to the records afterwards is the pipeline's own count (deliveryStats()).
 */
import { CATALOG, type ShapeId } from '../../events/catalog.js';
import type { Session } from '../../index.js';

/** Session methods that record an event, and the catalog shape each one records. */
export const METHOD_SHAPES: Readonly<Record<string, ShapeId>> = {
  conversationStarts: 'conversationStarts',
  startupPhase: 'startupPhase',
  userPrompt: 'userPrompt',
  apiRequest: 'apiRequest',
  sseEvent: 'sseChunk',
  sseEventFailed: 'sseChunkFailed',
  sseEventCompleted: 'sseCompleted',
  sseEventCompletedFailed: 'sseCompletedFailed',
  turnTtft: 'turnTtft',
  websocketConnect: 'websocketConnect',
  websocketRequest: 'websocketRequest',
  toolDecision: 'toolDecision',
  sandboxOutcome: 'sandboxOutcome',
  toolResult: 'toolResult',
  // the catalog-id names, which call the ones above: a call through either is counted once
  sseChunk: 'sseChunk',
  sseChunkFailed: 'sseChunkFailed',
  sseCompleted: 'sseCompleted',
  sseCompletedFailed: 'sseCompletedFailed',
};

export class EmitCounter {
  readonly byName = new Map<string, number>();
  readonly byShape = new Map<ShapeId, number>();
  total = 0;

  record(shape: ShapeId): void {
    const name = CATALOG[shape].name;
    this.total++;
    this.byName.set(name, (this.byName.get(name) ?? 0) + 1);
    this.byShape.set(shape, (this.byShape.get(shape) ?? 0) + 1);
  }

  /** A Session that counts every event method call, then calls the real one (the helpers call it too). */
  wrap(session: Session): Session {
    return new Proxy(session, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        const shape = typeof property === 'string' ? METHOD_SHAPES[property] : undefined;
        if (shape === undefined || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          this.record(shape);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}
