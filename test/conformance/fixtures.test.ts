/**
 * The committed captures (test/fixtures/codex-<CODEX_VERSION>/) stay readable as OTLP/JSON and match
 * the catalog: each is replayed through the library and compared like a live run. Other suites
 * (audit, traces, collector) read these files, so they must stay true to the binary and to us.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CODEX_VERSION } from '../../src/events/catalog.js';
import { INSTRUMENTS } from '../../src/metrics/instruments.js';
import { logsFromJson, metricsFromJson } from '../support/otlp-convert.js';
import { compareLogs, compareMetrics, compareTagValues, eventNameOf } from './compare.js';
import { comparisonRules } from './deliberate-differences.js';
import { FIXTURES_ROOT, readCaptureFixture } from './fixtures.js';
import { replayThroughLibrary } from './replay.js';
import { EVENT_TAGS, SCENARIOS } from './scenarios.js';

const folder = path.join(FIXTURES_ROOT, `codex-${CODEX_VERSION}`);
const rules = comparisonRules();

describe(`captures of Codex ${CODEX_VERSION}`, () => {
  test('there is one per scenario', () => {
    expect(readdirSync(folder).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s replays through the library with no difference', async (name, scenario) => {
    const files = await readCaptureFixture(CODEX_VERSION, name);
    const logs = logsFromJson(files.logs);
    const metrics = metricsFromJson(files.metrics);
    const sent = new Set(logs.map(eventNameOf));
    for (const event of scenario.expectEvents) expect(sent).toContain(event);
    expect(((files.traces['resourceSpans'] as unknown[]) ?? []).length).toBeGreaterThan(0);
    const ours = await replayThroughLibrary(logs, metrics, { logUserPrompt: scenario.logUserPrompt });
    expect(ours.problems).toEqual([]);
    expect(compareLogs(logs, ours.logs, rules)).toEqual([]);
    expect(compareMetrics(metrics, ours.metrics, new Set(INSTRUMENTS.map((i) => i.name)), rules)).toEqual([]);
    expect(compareTagValues(metrics, ours.metrics, new Set(INSTRUMENTS.map((i) => i.name)), EVENT_TAGS)).toEqual([]);
  }, 60_000);
});
