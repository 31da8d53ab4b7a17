/**
 * Decisions and denials over time, in buckets sized to the span of the data: hours up to two days,
 * days up to 120 days, weeks (from Monday 00:00 UTC) beyond. Every bucket from the first to the last
 * is listed, empty ones included, so a chart's gaps are real.
 */

export type BucketSize = 'hour' | 'day' | 'week';

export interface TimelineBucket {
  /** Start of the bucket, RFC 3339 UTC. */
  start: string;
  decisions: number;
  denials: number;
}

export interface Timeline {
  bucket: BucketSize;
  buckets: TimelineBucket[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** 1970-01-05, the first Monday of the epoch: week buckets start on Mondays. */
const MONDAY = 4 * DAY;

/** `decisionHours`: epoch hour → decisions in it; `denialTimes`: one epoch ms per denial (null: unknown, left out). */
export function buildTimeline(decisionHours: ReadonlyMap<number, number>, denialTimes: ReadonlyArray<number | null>): Timeline {
  const denialHours = new Map<number, number>();
  for (const time of denialTimes) {
    if (time === null) continue;
    const hour = Math.floor(time / HOUR);
    denialHours.set(hour, (denialHours.get(hour) ?? 0) + 1);
  }
  const hours = [...decisionHours.keys(), ...denialHours.keys()];
  if (hours.length === 0) return { bucket: 'hour', buckets: [] };
  const firstHour = Math.min(...hours);
  const lastHour = Math.max(...hours);
  const spanMs = (lastHour - firstHour) * HOUR;
  const bucket: BucketSize = spanMs <= 2 * DAY ? 'hour' : spanMs <= 120 * DAY ? 'day' : 'week';
  const startOf = (hour: number): number => {
    const ms = hour * HOUR;
    if (bucket === 'hour') return ms;
    if (bucket === 'day') return Math.floor(ms / DAY) * DAY;
    return Math.floor((ms - MONDAY) / WEEK) * WEEK + MONDAY;
  };
  const step = bucket === 'hour' ? HOUR : bucket === 'day' ? DAY : WEEK;
  const counts = new Map<number, { decisions: number; denials: number }>();
  for (let at = startOf(firstHour); at <= startOf(lastHour); at += step) counts.set(at, { decisions: 0, denials: 0 });
  for (const [hour, n] of decisionHours) counts.get(startOf(hour))!.decisions += n;
  for (const [hour, n] of denialHours) counts.get(startOf(hour))!.denials += n;
  return {
    bucket,
    buckets: [...counts].map(([at, c]) => ({ start: new Date(at).toISOString(), decisions: c.decisions, denials: c.denials })),
  };
}
