/**
 * src/cli/progress.ts: a bar on an interactive terminal, nothing otherwise; the scripts' bridge
 * (scripts/progress.mjs) reaches the same wrapper.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { interactiveTerminal, startProgress } from '../../../src/cli/progress.js';

function terminal(): Writable & { isTTY: true; columns: number; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer | string, _encoding, done) { chunks.push(String(chunk)); done(); } });
  return Object.assign(stream, { isTTY: true as const, columns: 100, text: () => chunks.join('') });
}

describe('progress', () => {
  it('draws a bar with counts and detail on a terminal, and a counter when the total is unknown', () => {
    const bar = terminal();
    const progress = startProgress({ stream: bar, interactive: true }, 'audit', 'files');
    progress.update({ done: 1, total: 4, detail: 'a.jsonl.gz' });
    progress.update({ done: 4, total: 4, detail: 'd.jsonl' });
    progress.stop();
    progress.stop();
    expect(bar.text()).toMatch(/audit \[[█░]+\] 100% 4\/4 files · d\.jsonl/);

    const counter = terminal();
    const open = startProgress({ stream: counter, interactive: true }, 'flush', 'records');
    open.update({ done: 120 });
    open.stop();
    expect(counter.text()).toContain('flush 120 records');
  });

  it('draws nothing when not interactive', () => {
    const bar = terminal();
    const progress = startProgress({ stream: bar, interactive: false }, 'simulate', 'conversations');
    progress.update({ done: 1, total: 2 });
    progress.stop();
    expect(bar.text()).toBe('');
  });

  it('is interactive only with both streams on a terminal and no CI', () => {
    const tty = { isTTY: true };
    expect(interactiveTerminal({}, tty, tty)).toBe(true);
    expect(interactiveTerminal({ CI: 'true' }, tty, tty)).toBe(false);
    expect(interactiveTerminal({ CI: 'false' }, tty, tty)).toBe(true);
    expect(interactiveTerminal({}, {}, tty)).toBe(false);
    expect(interactiveTerminal({}, tty, {})).toBe(false);
  });

  it('scripts/progress.mjs hands the scripts the same wrapper (built into dist/)', async () => {
    // @ts-expect-error a plain .mjs script without declarations
    const { scriptProgress } = (await import('../../../scripts/progress.mjs')) as { scriptProgress: (label: string, unit: string, target?: object) => Promise<{ update: (u: object) => void; stop: () => void }> };
    const bar = terminal();
    const progress = await scriptProgress('stack:build', 'binaries', { stream: bar, interactive: true });
    progress.update({ done: 2, total: 2, detail: 'prometheus' });
    progress.stop();
    expect(bar.text()).toMatch(/stack:build \[[█░]+\] 100% 2\/2 binaries · prometheus/);
  });
});
