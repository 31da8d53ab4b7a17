import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../src/cli/audit/html-escape.js';
import { splitLines, type Line } from '../../../src/cli/audit/lines.js';
import { buildTimeline } from '../../../src/cli/audit/timeline.js';

async function lines(chunks: string[], max = 1024): Promise<Line[]> {
  async function* source() { for (const c of chunks) yield Buffer.from(c); }
  const out: Line[] = [];
  for await (const line of splitLines(source(), max)) out.push(line);
  return out;
}

describe('splitLines', () => {
  it('joins lines across chunk boundaries, strips CR, keeps a last line without newline', async () => {
    expect(await lines(['ab', 'c\r\nde', 'f\n\ng', 'h'])).toEqual([
      { tooLong: false, text: 'abc' }, { tooLong: false, text: 'def' }, { tooLong: false, text: '' }, { tooLong: false, text: 'gh' },
    ]);
  });

  it('does not split a multi-byte character cut between chunks', async () => {
    const bytes = Buffer.from('é€\n');
    async function* source() { for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1); }
    const out: Line[] = [];
    for await (const line of splitLines(source(), 64)) out.push(line);
    expect(out).toEqual([{ tooLong: false, text: 'é€' }]);
  });

  it('reports a line over the limit as too long with how it starts and its size, then goes on', async () => {
    const out = await lines(['{"a":', 'x'.repeat(40), 'yyyy\nok\n'], 16);
    expect(out).toEqual([{ tooLong: true, head: `{"a":${'x'.repeat(40)}`, bytes: 49 }, { tooLong: false, text: 'ok' }]);
  });
});

describe('buildTimeline', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const MONDAY = Date.parse('2026-11-30T00:00:00Z');

  it('is empty without times', () => {
    expect(buildTimeline(new Map(), [null])).toEqual({ bucket: 'hour', buckets: [] });
  });

  it('uses weeks from Monday beyond 120 days', () => {
    const decisions = new Map([[Math.floor((MONDAY + 2 * DAY) / HOUR), 3]]);
    const timeline = buildTimeline(decisions, [MONDAY + 200 * DAY + 5]);
    expect(timeline.bucket).toBe('week');
    expect(timeline.buckets[0]).toEqual({ start: '2026-11-30T00:00:00.000Z', decisions: 3, denials: 0 });
    expect(timeline.buckets.every((b) => new Date(b.start).getUTCDay() === 1)).toBe(true);
    expect(timeline.buckets.reduce((n, b) => n + b.denials, 0)).toBe(1);
    expect(timeline.buckets).toHaveLength(29);
  });
});

describe('escapeHtml', () => {
  it('escapes markup and shows control characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>\n\u001b[2J`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;\\n\\u001b[2J');
  });
});
