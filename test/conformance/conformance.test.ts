/**
 * Conformance with the real Codex CLI: every scenario runs the installed `@openai/codex` binary
 * against the mock Responses API, captures its OTLP, replays the same events through our library and
 * compares the two generically (compare.ts). Differences allowed on purpose are the rules of
 * deliberate-differences.json, nothing else.
 *
 * `npm run conformance` runs this against whatever Codex is installed (`npm install @openai/codex@X`
 * first); `npm run conformance:fixtures` also rewrites test/fixtures/codex-<version>/.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { CODEX_VERSION } from '../../src/events/catalog.js';
import { INSTRUMENTS } from '../../src/metrics/instruments.js';
import { captureScenario } from './capture-scenario.js';
import { installedCodexVersion, tmuxAvailable } from './codex-driver.js';
import { compareLogs, compareMetrics, compareTagValues, eventNameOf, metricShapes } from './compare.js';
import { comparisonRules } from './deliberate-differences.js';
import { writeCaptureFixture } from './fixtures.js';
import { replayThroughLibrary } from './replay.js';
import { EVENT_TAGS, SCENARIOS } from './scenarios.js';

const WRITE_FIXTURES = process.env['CODEX_CONFORMANCE_WRITE_FIXTURES'] === '1';
/** Set by `npm run conformance`: compare with whatever Codex is installed, not only the catalog's. */
const ANY_VERSION = process.env['CODEX_CONFORMANCE_ANY_VERSION'] === '1';

const rules = comparisonRules();
const catalogMetrics = new Set(INSTRUMENTS.map((i) => i.name));

describe('conformance with the real Codex CLI', () => {
  let version = '';
  let tmux = false;
  beforeAll(async () => {
    version = await installedCodexVersion();
    tmux = await tmuxAvailable();
  }, 120_000);

  test('the installed Codex is the version the catalog names', () => {
    if (ANY_VERSION) return;
    expect(version, 'run `npm run conformance` to compare with another installed version').toBe(CODEX_VERSION);
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: same events, keys, order, types and metric shapes', async (_name, scenario) => {
    if (scenario.kind === 'tui' && !tmux) {
      if (process.env['CI']) throw new Error('tmux is needed for the TUI scenario; .ci/run installs it');
      console.warn(`conformance: ${scenario.name} not run, tmux is not installed`);
      return;
    }
    const capture = await captureScenario(scenario);
    if (WRITE_FIXTURES) await writeCaptureFixture(version, scenario.name, capture);

    // The scenario did what it claims: the binary sent the events it is about.
    const sent = new Set(capture.logRecords.map(eventNameOf).filter((n) => n !== undefined));
    for (const name of scenario.expectEvents) expect(sent, `${scenario.name} sent ${name}\n${capture.run.stderr}`).toContain(name);
    const comparedMetrics = [...metricShapes(capture.metricRecords).keys()].filter((name) => catalogMetrics.has(name));
    expect(comparedMetrics.length, 'metrics of our catalog in the capture').toBeGreaterThan(5);

    const ours = await replayThroughLibrary(capture.logRecords, capture.metricRecords, { logUserPrompt: scenario.logUserPrompt });
    expect(ours.problems).toEqual([]);
    expect(compareLogs(capture.logRecords, ours.logs, rules)).toEqual([]);
    expect(compareMetrics(capture.metricRecords, ours.metrics, catalogMetrics, rules)).toEqual([]);
    expect(compareTagValues(capture.metricRecords, ours.metrics, catalogMetrics, EVENT_TAGS)).toEqual([]);
  }, 600_000);
});
