/**
 * The generic comparison of what the real Codex binary sent with what our library sent for the same
 * scenario. Nothing here names an event or a key: the expected shapes are the capture's own.
 *
 * Logs, event by event in order: `event.name`, attribute keys in order, OTLP value types, scope,
 * severity, body. Metrics, per name: kind, monotonicity, temporality, unit, description, bucket
 * bounds and tag keys. The deliberate differences' rules say what is left out.
 */
import type { Attr, ReceivedLogRecord, ReceivedMetric } from '../support/otlp-model.js';
import type { ComparisonRules } from './deliberate-differences.js';

const EVENT_NAME = 'event.name';

export function eventNameOf(record: ReceivedLogRecord): string | undefined {
  const attribute = record.attributes.find((a) => a.key === EVENT_NAME);
  return attribute?.type === 'string' ? attribute.value : undefined;
}

/** The records that are events (DEBUG records without `event.name` are not, contract §1). */
export function eventRecords(records: readonly ReceivedLogRecord[], rules: ComparisonRules): ReceivedLogRecord[] {
  return rules.ignoreRecordsWithoutEventName ? records.filter((r) => eventNameOf(r) !== undefined) : [...records];
}

const signature = (attributes: readonly Attr[]) => attributes.map((a) => `${a.key}:${a.type}`);

/** The record's fields as compared (minus the ones a deliberate difference leaves out). */
function recordFields(record: ReceivedLogRecord, rules: ComparisonRules): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    scope: record.scope.name,
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: record.body === undefined || record.body.type === 'empty' ? 'none' : record.body.type,
    eventName: record.eventName,
    timeUnixNano: record.timeUnixNano === '0' ? 'zero' : 'set',
    observedTimeUnixNano: record.observedTimeUnixNano === '0' ? 'zero' : 'set',
  };
  for (const field of rules.ignoredLogFields) delete fields[field];
  return fields;
}

export function compareLogs(codex: readonly ReceivedLogRecord[], ours: readonly ReceivedLogRecord[], rules: ComparisonRules): string[] {
  const theirs = eventRecords(codex, rules);
  const mine = eventRecords(ours, rules);
  const differences: string[] = [];
  if (theirs.length !== mine.length) differences.push(`event count: Codex ${theirs.length}, ours ${mine.length}`);
  const count = Math.min(theirs.length, mine.length);
  for (let i = 0; i < count; i++) {
    const a = theirs[i]!;
    const b = mine[i]!;
    const name = eventNameOf(a);
    const where = `#${i} ${name}`;
    if (eventNameOf(b) !== name) {
      differences.push(`${where}: ours is ${eventNameOf(b)}`);
      continue;
    }
    const ownAttributes = b.attributes.filter((attr) => !rules.ownKeyPrefixes.some((prefix) => attr.key.startsWith(prefix)));
    const expected = signature(a.attributes).join(' ');
    const actual = signature(ownAttributes).join(' ');
    if (expected !== actual) differences.push(`${where}: attributes differ\n  Codex: ${expected}\n  ours:  ${actual}`);
    // Our own keys only after everything Codex sends.
    const firstOwn = b.attributes.findIndex((attr) => rules.ownKeyPrefixes.some((prefix) => attr.key.startsWith(prefix)));
    if (firstOwn !== -1 && firstOwn < ownAttributes.length) differences.push(`${where}: our own keys are not after the common attributes`);
    const fieldsA = recordFields(a, rules);
    const fieldsB = recordFields(b, rules);
    for (const field of Object.keys(fieldsA)) {
      if (fieldsA[field] !== fieldsB[field]) differences.push(`${where}: ${field} Codex ${String(fieldsA[field])}, ours ${String(fieldsB[field])}`);
    }
  }
  return differences;
}

export interface MetricShape {
  kind: string;
  monotonic?: boolean;
  temporality?: string;
  unit: string;
  description: string;
  scope: string;
  bounds: string[];
  tagKeys: string[];
}

/** One shape per metric name, merged over every export and data point. */
export function metricShapes(metrics: readonly ReceivedMetric[]): Map<string, MetricShape> {
  const shapes = new Map<string, MetricShape & { boundSet: Set<string>; tagSet: Set<string> }>();
  for (const metric of metrics) {
    let shape = shapes.get(metric.name);
    if (!shape) {
      shape = {
        kind: metric.kind,
        ...(metric.kind === 'sum' ? { monotonic: metric.isMonotonic } : {}),
        ...('temporality' in metric ? { temporality: metric.temporality } : {}),
        unit: metric.unit,
        description: metric.description,
        scope: metric.scope.name,
        bounds: [],
        tagKeys: [],
        boundSet: new Set(),
        tagSet: new Set(),
      };
      shapes.set(metric.name, shape);
    }
    for (const point of metric.points) {
      for (const attribute of point.attributes) shape.tagSet.add(attribute.key);
      if ('explicitBounds' in point) shape.boundSet.add(JSON.stringify(point.explicitBounds));
    }
  }
  const result = new Map<string, MetricShape>();
  for (const [name, { boundSet, tagSet, ...shape }] of shapes) result.set(name, { ...shape, bounds: [...boundSet].sort(), tagKeys: [...tagSet].sort() });
  return result;
}

/**
 * Every metric name both could send is compared. With `onlyMetricsInCatalog`, Codex's metrics that
 * our instrument table does not have are left out (the deliberate difference `metric-scope`).
 */
export function compareMetrics(
  codex: readonly ReceivedMetric[],
  ours: readonly ReceivedMetric[],
  catalogNames: ReadonlySet<string>,
  rules: ComparisonRules,
): string[] {
  const theirs = metricShapes(codex);
  const mine = metricShapes(ours);
  const names = new Set([...theirs.keys(), ...mine.keys()]);
  const differences: string[] = [];
  for (const name of [...names].sort()) {
    if (rules.onlyMetricsInCatalog && !catalogNames.has(name)) continue;
    const a = theirs.get(name);
    const b = mine.get(name);
    if (!a) {
      differences.push(`${name}: sent by us, not by Codex in this scenario`);
      continue;
    }
    if (!b) {
      differences.push(`${name}: sent by Codex, not by us`);
      continue;
    }
    for (const field of ['kind', 'monotonic', 'temporality', 'unit', 'description', 'scope', 'bounds', 'tagKeys'] as const) {
      const x = JSON.stringify(a[field]);
      const y = JSON.stringify(b[field]);
      if (x !== y) differences.push(`${name}: ${field} Codex ${x}, ours ${y}`);
    }
  }
  return differences;
}

/** The values each tag takes, per metric name. */
function tagValues(metrics: readonly ReceivedMetric[]): Map<string, Map<string, Set<string>>> {
  const values = new Map<string, Map<string, Set<string>>>();
  for (const metric of metrics) {
    let byTag = values.get(metric.name);
    if (!byTag) values.set(metric.name, (byTag = new Map()));
    for (const point of metric.points) {
      for (const attribute of point.attributes) {
        let set = byTag.get(attribute.key);
        if (!set) byTag.set(attribute.key, (set = new Set()));
        set.add(String(attribute.value));
      }
    }
  }
  return values;
}

/**
 * For the tags whose values come from the events themselves (decisions, token types, kinds,
 * statuses, session tags), the same values on both sides. Tags describing the machine Codex ran on
 * (sandbox type, shell snapshot mode, git state) cannot be replayed from events and are not listed.
 */
export function compareTagValues(
  codex: readonly ReceivedMetric[],
  ours: readonly ReceivedMetric[],
  catalogNames: ReadonlySet<string>,
  tags: readonly string[],
): string[] {
  const theirs = tagValues(codex);
  const mine = tagValues(ours);
  const differences: string[] = [];
  for (const [name, byTag] of [...theirs].sort(([a], [b]) => a.localeCompare(b))) {
    if (!catalogNames.has(name) || !mine.has(name)) continue;
    for (const tag of tags) {
      const a = [...(byTag.get(tag) ?? [])].sort();
      const b = [...(mine.get(name)!.get(tag) ?? [])].sort();
      if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${name}{${tag}}: Codex ${JSON.stringify(a)}, ours ${JSON.stringify(b)}`);
    }
  }
  return differences;
}
