/**
 * Aggregation of this package's metrics, outside the SDK's instruments.
 *
 * Why: the SDK hashes every recording's attributes (sort the keys, JSON.stringify) to find its series,
 * twice per event (counter and histogram), which measured as most of the per-event cost. Here the
 * caller names the series with a key it builds by concatenating tag values it already has, so a
 * recording is one Map lookup and an addition. The SDK's readers and exporters still do the rest: the
 * aggregates reach them through a MetricProducer per reader, with that reader's temporality.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** Series per instrument; past it, recordings go to one overflow series (the OpenTelemetry convention). */
export const MAX_SERIES_PER_INSTRUMENT = 2000;
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });
const OVERFLOW_KEY = '\u0000overflow';

export interface InstrumentDescriptor {
  name: string;
  description: string;
  unit: string;
}

interface CounterSeries {
  attributes: Attributes;
  startMillis: number;
  value: number;
}

interface HistogramSeries {
  attributes: Attributes;
  startMillis: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  counts: number[];
}

/**
 * Builds the attributes of a series the first time its key is seen. It takes its inputs as arguments,
 * so the hot path passes a module-level function and allocates no closure per recording.
 */
export type AttributesFactory<A, B> = (a: A, b: B) => Attributes;

const copyOf: AttributesFactory<Attributes, undefined> = (attributes) => ({ ...attributes });

abstract class SeriesStore<S> {
  readonly series = new Map<string, S>();

  constructor(readonly descriptor: InstrumentDescriptor) {}

  protected abstract create(attributes: Attributes): S;

  protected find<A, B>(key: string, build: AttributesFactory<A, B>, a: A, b: B): S {
    let series = this.series.get(key);
    if (series === undefined) {
      const overflow = this.series.size >= MAX_SERIES_PER_INSTRUMENT;
      const seriesKey = overflow ? OVERFLOW_KEY : key;
      series = this.series.get(seriesKey);
      if (series === undefined) {
        series = this.create(overflow ? OVERFLOW_ATTRIBUTES : build(a, b));
        this.series.set(seriesKey, series);
      }
    }
    return series;
  }
}

/** A monotonic integer sum. `add` takes OpenTelemetry's signature for the calls off the hot path. */
export class AggregatedCounter extends SeriesStore<CounterSeries> {
  add(value: number, attributes: Attributes = {}): void {
    this.addKeyed(value, attributesKey(attributes), copyOf, attributes, undefined);
  }

  addKeyed<A, B>(value: number, key: string, build: AttributesFactory<A, B>, a: A, b: B): void {
    if (!(value > 0) || value === Number.POSITIVE_INFINITY) return;
    this.find(key, build, a, b).value += Math.round(value);
  }

  protected create(attributes: Attributes): CounterSeries {
    return { attributes, startMillis: Date.now(), value: 0 };
  }
}

/** An explicit-bucket histogram with upper-inclusive buckets, as the SDK's. */
export class AggregatedHistogram extends SeriesStore<HistogramSeries> {
  constructor(descriptor: InstrumentDescriptor, readonly boundaries: readonly number[]) {
    super(descriptor);
  }

  record(value: number, attributes: Attributes = {}): void {
    this.recordKeyed(value, attributesKey(attributes), copyOf, attributes, undefined);
  }

  recordKeyed<A, B>(value: number, key: string, build: AttributesFactory<A, B>, a: A, b: B): void {
    if (!Number.isFinite(value)) return;
    const series = this.find(key, build, a, b);
    series.count += 1;
    series.sum += value;
    if (value < series.min) series.min = value;
    if (value > series.max) series.max = value;
    const bounds = this.boundaries;
    let index = 0;
    while (index < bounds.length && bounds[index]! < value) index++;
    series.counts[index]! += 1;
  }

  protected create(attributes: Attributes): HistogramSeries {
    return {
      attributes,
      startMillis: Date.now(),
      count: 0,
      sum: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      counts: new Array<number>(this.boundaries.length + 1).fill(0),
    };
  }
}

/** The series key of an attributes object, for recordings off the hot path. */
export function attributesKey(attributes: Attributes): string {
  return Object.keys(attributes).sort().map((key) => `${key}\u0001${String(attributes[key])}`).join('\u0002');
}

export class MetricAggregator {
  private readonly counters: AggregatedCounter[] = [];
  private readonly histograms: AggregatedHistogram[] = [];

  constructor(readonly scope: InstrumentationScope) {}

  counter(descriptor: InstrumentDescriptor): AggregatedCounter {
    const counter = new AggregatedCounter(descriptor);
    this.counters.push(counter);
    return counter;
  }

  histogram(descriptor: InstrumentDescriptor, boundaries: readonly number[]): AggregatedHistogram {
    const histogram = new AggregatedHistogram(descriptor, boundaries);
    this.histograms.push(histogram);
    return histogram;
  }

  /**
   * A producer for one reader. Cumulative: every series since it was first seen, with min and max.
   * Delta: what changed since this reader's previous collection (series without change are left
   * out); min and max cannot be derived for an interval from running totals, so they are not sent.
   */
  producer(temporality: 'delta' | 'cumulative'): MetricProducer {
    return temporality === 'delta' ? new DeltaProducer(this) : new CumulativeProducer(this);
  }

  /** @internal */
  instruments(): { counters: readonly AggregatedCounter[]; histograms: readonly AggregatedHistogram[] } {
    return { counters: this.counters, histograms: this.histograms };
  }
}

// The reader merges producers' scopes into the SDK's own result and keeps the SDK's resource.
const UNUSED_RESOURCE = resourceFromAttributes({});

abstract class AggregatorProducer implements MetricProducer {
  constructor(protected readonly aggregator: MetricAggregator) {}

  async collect(): Promise<CollectionResult> {
    const now = Date.now();
    const { counters, histograms } = this.aggregator.instruments();
    const metrics: MetricData[] = [];
    for (const counter of counters) {
      const points = this.counterPoints(counter, now);
      if (points.length) {
        metrics.push({
          descriptor: { ...counter.descriptor, valueType: ValueType.INT },
          aggregationTemporality: this.temporality,
          dataPointType: DataPointType.SUM,
          dataPoints: points,
          isMonotonic: true,
        });
      }
    }
    for (const histogram of histograms) {
      const points = this.histogramPoints(histogram, now);
      if (points.length) {
        metrics.push({
          descriptor: { ...histogram.descriptor, valueType: ValueType.DOUBLE },
          aggregationTemporality: this.temporality,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: points,
        });
      }
    }
    this.collected(now);
    return {
      resourceMetrics: { resource: UNUSED_RESOURCE, scopeMetrics: metrics.length ? [{ scope: this.aggregator.scope, metrics }] : [] },
      errors: [],
    };
  }

  /** Called with the end time of the points just produced. */
  protected collected(_endMillis: number): void {}

  protected abstract readonly temporality: AggregationTemporality;
  protected abstract counterPoints(counter: AggregatedCounter, now: number): DataPoint<number>[];
  protected abstract histogramPoints(histogram: AggregatedHistogram, now: number): DataPoint<Histogram>[];
}

class CumulativeProducer extends AggregatorProducer {
  protected readonly temporality = AggregationTemporality.CUMULATIVE;

  protected counterPoints(counter: AggregatedCounter, now: number): DataPoint<number>[] {
    const endTime = millisToHrTime(now);
    return [...counter.series.values()].map((s) => ({ startTime: millisToHrTime(s.startMillis), endTime, attributes: s.attributes, value: s.value }));
  }

  protected histogramPoints(histogram: AggregatedHistogram, now: number): DataPoint<Histogram>[] {
    const endTime = millisToHrTime(now);
    return [...histogram.series.values()].filter((s) => s.count > 0).map((s) => ({
      startTime: millisToHrTime(s.startMillis),
      endTime,
      attributes: s.attributes,
      value: {
        buckets: { boundaries: [...histogram.boundaries], counts: [...s.counts] },
        count: s.count,
        sum: s.sum,
        min: s.min,
        max: s.max,
      },
    }));
  }
}

interface HistogramMark {
  count: number;
  sum: number;
  counts: number[];
}

class DeltaProducer extends AggregatorProducer {
  protected readonly temporality = AggregationTemporality.DELTA;
  private readonly startedMillis = Date.now();
  private lastCollectMillis: number | undefined;
  private readonly counterMarks = new WeakMap<CounterSeries, number>();
  private readonly histogramMarks = new WeakMap<HistogramSeries, HistogramMark>();

  /** The next interval starts exactly where this one ended. */
  protected override collected(endMillis: number): void {
    this.lastCollectMillis = endMillis;
  }

  private startTime(series: { startMillis: number }): HrTime {
    return millisToHrTime(Math.max(series.startMillis, this.lastCollectMillis ?? this.startedMillis));
  }

  protected counterPoints(counter: AggregatedCounter, now: number): DataPoint<number>[] {
    const endTime = millisToHrTime(now);
    const points: DataPoint<number>[] = [];
    for (const series of counter.series.values()) {
      const delta = series.value - (this.counterMarks.get(series) ?? 0);
      if (delta === 0) continue;
      this.counterMarks.set(series, series.value);
      points.push({ startTime: this.startTime(series), endTime, attributes: series.attributes, value: delta });
    }
    return points;
  }

  protected histogramPoints(histogram: AggregatedHistogram, now: number): DataPoint<Histogram>[] {
    const endTime = millisToHrTime(now);
    const points: DataPoint<Histogram>[] = [];
    for (const series of histogram.series.values()) {
      const mark = this.histogramMarks.get(series);
      const count = series.count - (mark?.count ?? 0);
      if (count === 0) continue;
      const counts = series.counts.map((c, i) => c - (mark?.counts[i] ?? 0));
      const sum = series.sum - (mark?.sum ?? 0);
      this.histogramMarks.set(series, { count: series.count, sum: series.sum, counts: [...series.counts] });
      points.push({
        startTime: this.startTime(series),
        endTime,
        attributes: series.attributes,
        value: { buckets: { boundaries: [...histogram.boundaries], counts }, count, sum },
      });
    }
    return points;
  }
}
