/**
 * The event catalog as the public API shows it: each event id (the `Session` method that records it),
 * its wire name, its attributes in wire order with their wire types, and its metric pair. Read-only
 * data derived from `events/catalog.ts`, without the internal value builders.
 */
import { CATALOG as SHAPES, type ShapeId, type WireType } from './events/catalog.js';

export type EventId = ShapeId;

export interface CatalogAttribute {
  readonly key: string;
  /** `strnum` is a decimal number sent as a string and `strbool` a boolean sent as "true"/"false", as Codex does. */
  readonly type: WireType;
  /** Left out of the record when absent. */
  readonly optional: boolean;
}

export interface CatalogEvent {
  /** The event name on the wire (several ids share `codex.sse_event`). */
  readonly name: string;
  readonly attributes: readonly CatalogAttribute[];
  /** The counter this event increments and/or its duration histogram, and their tags. */
  readonly metric?: { readonly counter?: string; readonly histogram?: string; readonly tags: readonly string[] };
}

function view(): Readonly<Record<EventId, CatalogEvent>> {
  const entries = (Object.keys(SHAPES) as EventId[]).map((id): [EventId, CatalogEvent] => {
    const shape = SHAPES[id] as { name: string; attributes: ReadonlyArray<{ key: string; type: WireType; optional?: boolean }>; metric?: { counter?: string; histogram?: string; tags: ReadonlyArray<readonly [string, unknown]> } };
    const event: CatalogEvent = {
      name: shape.name,
      attributes: Object.freeze(shape.attributes.map((a) => Object.freeze({ key: a.key, type: a.type, optional: a.optional === true }))),
      ...(shape.metric ? {
        metric: Object.freeze({
          ...(shape.metric.counter ? { counter: shape.metric.counter } : {}),
          ...(shape.metric.histogram ? { histogram: shape.metric.histogram } : {}),
          tags: Object.freeze(shape.metric.tags.map(([tag]) => tag)),
        }),
      } : {}),
    };
    return [id, Object.freeze(event)];
  });
  return Object.freeze(Object.fromEntries(entries) as Record<EventId, CatalogEvent>);
}

export const CATALOG = view();
