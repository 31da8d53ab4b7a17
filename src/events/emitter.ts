import type { AnyValueMap, Logger } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { CATALOG, type AttributeSpec, type EventShape, type ShapeId } from './catalog.js';
import type { EmitContext } from './context.js';
import { toNonNegativeInteger, toWireValue } from './values.js';
import type { Instruments } from '../metrics/instruments.js';
import type { TagCache } from '../metrics/sanitize.js';

/** A catalog shape with its instruments looked up once, so emitting does no map lookups. */
export interface ResolvedShape {
  name: string;
  attributes: readonly AttributeSpec[];
  counter?: Counter;
  histogram?: Histogram;
  tags: ReadonlyArray<readonly [string, (input: any) => unknown]>;
}

export type ResolvedCatalog = Record<ShapeId, ResolvedShape>;

export function resolveCatalog(instruments: Instruments): ResolvedCatalog {
  const resolved = {} as ResolvedCatalog;
  for (const [id, shape] of Object.entries(CATALOG) as Array<[ShapeId, EventShape]>) {
    const entry: ResolvedShape = { name: shape.name, attributes: shape.attributes, tags: shape.metric?.tags ?? [] };
    if (shape.metric) {
      entry.counter = instruments.counters.get(shape.metric.counter)!;
      if (shape.metric.histogram) entry.histogram = instruments.histograms.get(shape.metric.histogram)!;
    }
    resolved[id] = entry;
  }
  return resolved;
}

/** Attribute key carrying how many secrets were replaced in this record; absent when none were. */
export const REDACTION_COUNT_KEY = 'codex_otel.redactions';

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** Everything one session needs to turn an input into a log record and metric points. */
export interface EmitTarget {
  logger: Logger;
  context: EmitContext;
  /** Common attributes of contract §1.1 after `event.timestamp`, in order. */
  commonAttributes: ReadonlyArray<readonly [string, string]>;
  /** Sanitized session tags of contract §3.1. */
  sessionTags: Readonly<Attributes>;
  tagCache: TagCache;
  redactionCounter: Counter;
}

/**
 * Builds the record of one event shape: `event.name`, the shape's attributes in catalog order,
 * then the common attributes; records the shape's counter and histogram with the same input.
 */
export function emitEvent(target: EmitTarget, shape: ResolvedShape, input: unknown, now = Date.now()): void {
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : EMPTY;
  const ctx = target.context;
  ctx.redactions = 0;
  const attributes: AnyValueMap = { 'event.name': shape.name };
  for (const spec of shape.attributes) {
    const raw = typeof spec.from === 'string' ? source[spec.from] : spec.from(source, ctx);
    let value = raw === undefined || raw === null ? undefined : toWireValue(spec.type, raw);
    if (value === undefined) {
      if (spec.optional || spec.fallback === undefined) continue;
      value = toWireValue(spec.type, spec.fallback);
    }
    attributes[spec.key] = value;
  }
  if (ctx.redactions > 0) attributes[REDACTION_COUNT_KEY] = ctx.redactions;
  attributes['event.timestamp'] = isoTimestamp(now);
  for (const [key, value] of target.commonAttributes) attributes[key] = value;
  target.logger.emit({
    eventName: shape.name,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    timestamp: now,
    observedTimestamp: now,
    attributes,
  });
  if (ctx.redactions > 0) target.redactionCounter.add(ctx.redactions, { event: shape.name });
  if (shape.counter) recordMetrics(target, shape, source);
}

function recordMetrics(target: EmitTarget, shape: ResolvedShape, source: Record<string, unknown>): void {
  const tags: Attributes = { ...target.sessionTags };
  for (const [key, valueOf] of shape.tags) tags[key] = target.tagCache.get(valueOf(source));
  shape.counter!.add(1, tags);
  if (shape.histogram) shape.histogram.record(toNonNegativeInteger(source['durationMs']) ?? 0, tags);
}

let lastMillis = -1;
let lastIso = '';

/** RFC 3339 UTC with milliseconds; cached because events often share a millisecond. */
export function isoTimestamp(millis: number): string {
  if (millis !== lastMillis) {
    lastMillis = millis;
    lastIso = new Date(millis).toISOString();
  }
  return lastIso;
}
