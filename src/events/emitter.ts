import type { AnyValueMap, Logger } from '@opentelemetry/api-logs';
import { nextRecordId, RECORD_ID_KEY } from './record-id.js';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Attributes, Context } from '@opentelemetry/api';
import type { AggregatedCounter, AggregatedHistogram } from '../metrics/aggregator.js';
import { CATALOG, type AttributeSpec, type EventShape, type ShapeId, type TagSpec } from './catalog.js';
import type { EmitContext } from './context.js';
import { toNonNegativeInteger, toWireValue } from './values.js';
import { PendingFields, type FieldScrub, type PendingShape } from '../redact/deferred.js';
import { detachedScrubWindow } from '../redact/preview.js';
import type { ContentPolicy } from './context.js';
import type { Instruments } from '../metrics/instruments.js';
import type { TagCache } from '../metrics/sanitize.js';

/** A catalog shape with its instruments looked up once, so emitting does no map lookups. */
export interface ResolvedShape {
  name: string;
  attributes: readonly AttributeSpec[];
  counter?: AggregatedCounter;
  histogram?: AggregatedHistogram;
  tags: readonly TagSpec[];
  /** Metrics are recorded only when this holds for the input. */
  when?: (input: any) => boolean;
  /** Scratch space for this shape's sanitized tag values during one (synchronous) recording; undefined = tag left out. */
  tagValues: Array<string | undefined>;
  /**
   * The series key of the last recording and the session prefix it was built on: reused while the tag
   * values stay the same strings (the usual case), so a recording builds and hashes no new key.
   */
  lastSeries: { prefix: string | undefined; key: string };
  /** Scratch space for this shape's attribute values during one emit. */
  values: Array<string | number | boolean | PendingFields | undefined>;
  /** Per attribute, the bit that says it is present (0 for one that always is). */
  bits: number[];
  /**
   * The string attributes scrubbed on the export path (their keys and scrubs, and after settling the
   * redaction count attribute and the self-metric), and per attribute its index there (-1: not scrubbed).
   */
  pending: PendingShape;
  pendingIndex: readonly number[];
}

export type ResolvedCatalog = Record<ShapeId, ResolvedShape>;

export function resolveCatalog(instruments: Instruments, content?: Pick<ContentPolicy, 'fieldScrub'>): ResolvedCatalog {
  const resolved = {} as ResolvedCatalog;
  for (const [id, shape] of Object.entries(CATALOG) as Array<[ShapeId, EventShape]>) {
    const tags = shape.metric?.tags ?? [];
    const event = { event: shape.name };
    const keys: string[] = [];
    const scrubs: FieldScrub[] = [];
    const pendingIndex = shape.attributes.map((spec) => {
      const scrub = spec.type === 'string' ? content?.fieldScrub(spec.key) : undefined;
      if (scrub === undefined) return -1;
      keys.push(spec.key);
      scrubs.push(scrub);
      return keys.length - 1;
    });
    const entry: ResolvedShape = {
      name: shape.name,
      attributes: shape.attributes,
      tags,
      tagValues: new Array<string | undefined>(tags.length).fill(undefined),
      lastSeries: { prefix: undefined, key: '' },
      values: new Array(shape.attributes.length).fill(undefined),
      bits: presenceBits(shape.attributes),
      pendingIndex,
      pending: {
        keys,
        scrubs,
        settled: (redactions, attributes) => {
          if (redactions === 0) return;
          // Appended after the common attributes, like every attribute of this package's own.
          attributes[REDACTION_COUNT_KEY] = redactions;
          instruments.redactions.add(redactions, event);
        },
      },
    };
    if (shape.metric?.counter) entry.counter = instruments.counters.get(shape.metric.counter)!;
    if (shape.metric?.histogram) entry.histogram = instruments.histograms.get(shape.metric.histogram)!;
    if (shape.metric?.when) entry.when = shape.metric.when;
    resolved[id] = entry;
  }
  return resolved;
}

/** An attribute may be absent when it is optional or has no fallback: it gets a bit of the presence mask. */
function presenceBits(specs: readonly AttributeSpec[]): number[] {
  let next = 1;
  return specs.map((spec) => {
    if (!spec.optional && spec.fallback !== undefined) return 0;
    if (next === MAX_PRESENCE_BIT) throw new Error('too many optional attributes for a presence mask');
    const bit = next;
    next *= 2;
    return bit;
  });
}

const MAX_PRESENCE_BIT = 2 ** 30;

/**
 * Rough memory of a queued record, for the queue's byte cap: the SDK's record and its copy of the
 * attributes (the common values are shared strings), plus each value the emitter wrote (UTF-16).
 * Calibrated on the outage benchmark: 60,000 mostly small records grew the heap by about 28 MiB.
 */
const RECORD_OVERHEAD_BYTES = 384;
const ATTRIBUTE_OVERHEAD_BYTES = 16;

/**
 * The attributes object of a record, keys in wire order with the session's common attributes filled
 * in, for one combination of present attributes. V8 keeps an object built by computed keys in slow
 * dictionary mode past a dozen properties; a clone of this template (`{ ...template }`) stays fast and
 * only the event's own values are written into it.
 */
function recordTemplate(target: EmitTarget, shape: ResolvedShape, present: number): AnyValueMap {
  let byMask = target.templates.get(shape);
  if (byMask === undefined) {
    byMask = new Map();
    target.templates.set(shape, byMask);
  }
  let template = byMask.get(present);
  if (template === undefined) {
    const draft: AnyValueMap = { 'event.name': shape.name };
    shape.attributes.forEach((spec, i) => {
      if (shape.bits[i] === 0 || (present & shape.bits[i]!) !== 0) draft[spec.key] = placeholder(spec.type);
    });
    draft['event.timestamp'] = '';
    for (const [key, value] of target.commonAttributes) draft[key] = value;
    // Our own attributes (`codex_otel.*`) come after the common ones, so the records of real Codex
    // compare as a prefix (the redaction count is appended when the record is settled).
    draft[RECORD_ID_KEY] = '';
    // Parsed JSON objects get fast properties, and so do their clones.
    template = JSON.parse(JSON.stringify(draft)) as AnyValueMap;
    byMask.set(present, template);
  }
  return template;
}

/** A value of the attribute's wire type, so the template's fields never change representation. */
function placeholder(type: AttributeSpec['type']): string | number | boolean {
  if (type === 'int') return 0;
  if (type === 'bool') return false;
  return '';
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
  /** Sanitized session tags of contract §3.1, and the same values joined: the prefix of every series key. */
  sessionTags: Readonly<Attributes>;
  sessionTagKey: string;
  tagCache: TagCache;
  redactionCounter: AggregatedCounter;
  templates: TemplateCache;
  /** The telemetry's lifecycle: after shutdown began, a record is counted as dropped instead of built. */
  lifecycle: { readonly closed: boolean; dropLate(): void };
  /** Where the size of the record being emitted is left for the log processors of the same pipeline. */
  recordSize: { bytes: number };
  /** The telemetry instance's own internal-error reporter (each kind once per instance). */
  report: (what: string, error: unknown) => void;
}

/** Per session: each shape's record templates, by which attributes are present (see `recordTemplate`). */
export type TemplateCache = Map<ResolvedShape, Map<number, AnyValueMap>>;

/**
 * Builds the record of one event shape: `event.name`, the shape's attributes in catalog order,
 * then the common attributes; records the shape's counter and histogram with the same input. `context`
 * carries the span the event belongs to (its ids go on the record); without it, the active context.
 */
export function emitEvent(target: EmitTarget, shape: ResolvedShape, input: unknown, now = Date.now(), context?: Context): void {
  if (target.lifecycle.closed) {
    target.lifecycle.dropLate();
    return;
  }
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : EMPTY;
  const ctx = target.context;
  ctx.beginEmit();
  const specs = shape.attributes;
  const values = shape.values;
  const pendingIndex = shape.pendingIndex;
  let present = 0;
  let pending: PendingFields | undefined;
  let bytes = RECORD_OVERHEAD_BYTES;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const raw = typeof spec.from === 'string' ? source[spec.from] : spec.from(source, ctx);
    const slot = pendingIndex[i]!;
    let value: string | number | boolean | PendingFields | undefined;
    if (slot !== -1 && typeof raw === 'string') {
      // Scrubbed when the record leaves the queue (src/redact/deferred.ts): the caller does not wait for it.
      const text = detachedScrubWindow(raw);
      pending ??= new PendingFields(shape.pending);
      value = pending.add(slot, text);
      bytes += 2 * text.length;
    } else {
      value = raw === undefined || raw === null ? undefined : toWireValue(spec.type, raw);
      if (value === undefined && !spec.optional && spec.fallback !== undefined) value = toWireValue(spec.type, spec.fallback);
    }
    values[i] = value;
    if (value !== undefined) present |= shape.bits[i]!;
  }
  const attributes: AnyValueMap = { ...recordTemplate(target, shape, present) };
  for (let i = 0; i < specs.length; i++) {
    const value = values[i];
    if (value === undefined) continue;
    attributes[specs[i]!.key] = value;
    bytes += typeof value === 'string' ? ATTRIBUTE_OVERHEAD_BYTES + 2 * value.length : ATTRIBUTE_OVERHEAD_BYTES;
  }
  attributes['event.timestamp'] = isoTimestamp(now);
  attributes[RECORD_ID_KEY] = nextRecordId();
  target.recordSize.bytes = bytes;
  target.logger.emit({
    eventName: shape.name,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    timestamp: now,
    observedTimestamp: now,
    attributes,
    context,
  });
  target.recordSize.bytes = 0;
  if ((shape.counter || shape.histogram) && (shape.when === undefined || shape.when(source))) recordMetrics(target, shape, source);
}

/** The series key is the session's tag values and the shape's, joined: no attributes object unless the series is new. */
function recordMetrics(target: EmitTarget, shape: ResolvedShape, source: Record<string, unknown>): void {
  const values = shape.tagValues;
  const last = shape.lastSeries;
  let same = last.prefix === target.sessionTagKey;
  for (let i = 0; i < shape.tags.length; i++) {
    const raw = shape.tags[i]![1](source);
    const value = raw === undefined ? undefined : target.tagCache.get(raw);
    if (values[i] !== value) same = false;
    values[i] = value;
  }
  let key = last.key;
  if (!same) {
    key = target.sessionTagKey;
    for (let i = 0; i < values.length; i++) key += SEPARATOR + (values[i] ?? ABSENT);
    last.prefix = target.sessionTagKey;
    last.key = key;
  }
  if (shape.counter) shape.counter.addKeyed(1, key, seriesAttributes, target, shape);
  if (shape.histogram) shape.histogram.recordKeyed(toNonNegativeInteger(source['durationMs']) ?? 0, key, seriesAttributes, target, shape);
}

const SEPARATOR = '\u0001';
/** Stands for a tag left out in a series key; sanitized tag values never contain it. */
const ABSENT = '\u0002';

function seriesAttributes(target: EmitTarget, shape: ResolvedShape): Attributes {
  const attributes: Attributes = { ...target.sessionTags };
  for (let i = 0; i < shape.tags.length; i++) {
    const value = shape.tagValues[i];
    if (value !== undefined) attributes[shape.tags[i]![0]] = value;
  }
  return attributes;
}

/** The prefix of every series key of a session: its sanitized tag values, in order. */
export function sessionTagKey(sessionTags: Readonly<Attributes>): string {
  return Object.values(sessionTags).join(SEPARATOR);
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
