/**
 * Runs every scenario against the real Codex binary and checks the capture is usable; with
 * CODEX_CONFORMANCE_WRITE_FIXTURES=1 (`npm run conformance:fixtures`) it also writes the captures to
 * test/fixtures/codex-<version>/.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { captureScenario } from './capture-scenario.js';
import { countRecords } from './capture-receiver.js';
import { installedCodexVersion, tmuxAvailable } from './codex-driver.js';
import { writeCaptureFixture } from './fixtures.js';
import { SCENARIOS } from './scenarios.js';

const WRITE = process.env['CODEX_CONFORMANCE_WRITE_FIXTURES'] === '1';

describe('real Codex captures', () => {
  let version = '';
  let tmux = false;
  beforeAll(async () => {
    version = await installedCodexVersion();
    tmux = await tmuxAvailable();
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    if (scenario.kind === 'tui' && !tmux) {
      if (process.env['CI']) throw new Error('tmux is required for the TUI scenario (install it; .ci/run does)');
      console.warn(`skipping ${scenario.name}: tmux is not installed`);
      return;
    }
    const capture = await captureScenario(scenario);
    expect(countRecords(capture.logs, 'logs'), `${scenario.name}: ${capture.run.stderr}`).toBeGreaterThan(0);
    expect(countRecords(capture.metrics, 'metrics')).toBeGreaterThan(0);
    expect(countRecords(capture.traces, 'traces')).toBeGreaterThan(0);
    if (WRITE) await writeCaptureFixture(version, scenario.name, capture);
  }, 240_000);
});
