import { AggregationTemporality, DataPointType, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { MAX_SERIES_PER_INSTRUMENT, MetricAggregator } from '../../../src/metrics/aggregator.js';

const BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

async function collect(producer: ReturnType<MetricAggregator['producer']>): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await producer.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

function setup() {
  const aggregator = new MetricAggregator({ name: 'codex' });
  const counter = aggregator.counter({ name: 'c', description: '', unit: '' });
  const histogram = aggregator.histogram({ name: 'h', description: 'Duration in milliseconds.', unit: 'ms' }, BOUNDS);
  return { aggregator, counter, histogram };
}

describe('MetricAggregator', () => {
  it('counts per series and puts values in upper-inclusive buckets, as the SDK does', async () => {
    const { aggregator, counter, histogram } = setup();
    const cumulative = aggregator.producer('cumulative');
    counter.add(1, { status: '200' });
    counter.add(2, { status: '200' });
    counter.add(1, { status: '429' });
    for (const value of [0, 5, 5.5, 1234, 20000]) histogram.record(value, { status: '200' });
    const metrics = await collect(cumulative);
    const c = metrics.get('c')!;
    expect(c.dataPointType).toBe(DataPointType.SUM);
    expect(c.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(c.dataPoints.map((p) => [p.attributes['status'], p.value])).toEqual([['200', 3], ['429', 1]]);
    const point = metrics.get('h')!.dataPoints[0]!.value as Histogram;
    const expected = new Array(BOUNDS.length + 1).fill(0);
    expected[0] = 1; expected[1] = 1; expected[2] = 1; expected[11] = 1; expected[15] = 1;
    expect(point.buckets).toEqual({ boundaries: BOUNDS, counts: expected });
    expect(point).toMatchObject({ count: 5, sum: 0 + 5 + 5.5 + 1234 + 20000, min: 0, max: 20000 });
  });

  it('gives each delta reader what changed since its own last collection', async () => {
    const { aggregator, counter, histogram } = setup();
    const first = aggregator.producer('delta');
    const second = aggregator.producer('delta');
    counter.add(2, { k: 'a' });
    histogram.record(7, { k: 'a' });
    expect((await collect(first)).get('c')!.dataPoints.map((p) => p.value)).toEqual([2]);
    counter.add(3, { k: 'a' });
    counter.add(1, { k: 'b' });
    const afterFirst = await collect(first);
    expect(afterFirst.get('c')!.dataPoints.map((p) => [p.attributes['k'], p.value])).toEqual([['a', 3], ['b', 1]]);
    expect(afterFirst.get('h')).toBeUndefined();
    const fromSecond = await collect(second);
    expect(fromSecond.get('c')!.dataPoints.map((p) => [p.attributes['k'], p.value])).toEqual([['a', 5], ['b', 1]]);
    expect((fromSecond.get('h')!.dataPoints[0]!.value as Histogram)).toMatchObject({ count: 1, sum: 7 });
    expect(fromSecond.get('c')!.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect((await collect(second)).size).toBe(0);
  });

  it('ignores values a counter or histogram cannot take', async () => {
    const { aggregator, counter, histogram } = setup();
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, 0]) counter.add(bad);
    for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) histogram.record(bad);
    expect((await collect(aggregator.producer('cumulative'))).size).toBe(0);
  });

  it('caps the series of an instrument and sends the rest to one overflow series', async () => {
    const { aggregator, counter } = setup();
    for (let i = 0; i < MAX_SERIES_PER_INSTRUMENT + 10; i++) counter.add(1, { id: String(i) });
    const points = (await collect(aggregator.producer('cumulative'))).get('c')!.dataPoints;
    expect(points).toHaveLength(MAX_SERIES_PER_INSTRUMENT + 1);
    expect(points.find((p) => p.attributes['otel.metric.overflow'] === true)?.value).toBe(10);
  });
});
