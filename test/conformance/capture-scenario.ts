/**
 * One scenario run against the real Codex binary: mock Responses API, capture receiver, a fresh
 * CODEX_HOME; returns what Codex exported as OTLP/JSON documents.
 */
import type { ReceivedLogRecord, ReceivedMetric } from '../support/otlp-model.js';
import { startCaptureReceiver, type OtlpJsonDocument } from './capture-receiver.js';
import { createCodexHome, endLeftoverProcesses, runCodexExec, type RunResult } from './codex-driver.js';
import { startMockResponses, type MockRequest } from './mock-responses.js';
import type { Scenario } from './scenarios.js';
import { runTuiScenario } from './tui-driver.js';

export interface Capture {
  /** Decoded with the real protos, in arrival order (for the comparison). */
  logRecords: ReceivedLogRecord[];
  metricRecords: ReceivedMetric[];
  /** The same data as OTLP/JSON documents (for the fixtures). */
  logs: OtlpJsonDocument;
  metrics: OtlpJsonDocument;
  traces: OtlpJsonDocument;
  requests: readonly MockRequest[];
  run: RunResult;
}

export async function captureScenario(scenario: Scenario): Promise<Capture> {
  const mock = await startMockResponses(scenario.script);
  const capture = await startCaptureReceiver();
  const { receiver } = capture;
  const home = await createCodexHome({
    baseUrl: mock.baseUrl,
    otlp: { logs: receiver.logsUrl, metrics: receiver.metricsUrl, traces: receiver.tracesUrl },
    logUserPrompt: scenario.logUserPrompt,
    websockets: scenario.websockets,
  });
  try {
    const run = scenario.kind === 'exec'
      ? await runCodexExec(home, scenario.prompt, scenario.args ?? [])
      : await runTuiScenario(home, scenario);
    // Every export answered before the process exited; wait for any still being decoded.
    await receiver.waitFor(() => receiver.requests.every((r) => r.outcome !== 'pending'), 10_000);
    return {
      logRecords: receiver.logs(),
      metricRecords: receiver.metrics(),
      logs: capture.document('logs'),
      metrics: capture.document('metrics'),
      traces: capture.document('traces'),
      requests: [...mock.requests],
      run,
    };
  } finally {
    await endLeftoverProcesses(home);
    await Promise.all([capture.close(), mock.close()]);
    await home.remove();
  }
}
