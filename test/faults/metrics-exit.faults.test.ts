import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver({ behaviour: () => ({ blackHole: true }) }); });
afterAll(() => receiver?.close());

const SCRIPT = (logsUrl: string, metricsUrl: string) => `
import { createTelemetry, parseConfigText } from './dist/src/index.js';
const { config } = parseConfigText(\`[otel]
exporter = { otlp-http = { endpoint = "${logsUrl}", protocol = "binary" } }
metrics_exporter = { otlp-http = { endpoint = "${metricsUrl}", protocol = "binary" } }
[otel.codex_otel]
shutdown_timeout_ms = 1000
\`, {});
const telemetry = createTelemetry(config, { diagnostics: false });
const session = telemetry.startSession({ conversationId: 'exit-1', model: 'gpt-5' });
for (let i = 0; i < 20; i++) session.apiRequest({ attempt: 0, durationMs: 5, status: 200 });
await telemetry.shutdown();
process.stdout.write(String(Math.round(performance.now())));
`;

describe('a black-holed collector for logs and metrics, no exit helper', () => {
  it('lets the process end on its own right after the shutdown bound', async () => {
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT(receiver.logsUrl, receiver.metricsUrl)], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    const exitedAt = await new Promise<number>((resolve) => child.on('exit', () => resolve(performance.now())));
    // The child printed when shutdown returned (its own clock, from its start): 1 s bound plus start-up.
    expect(Number(out)).toBeGreaterThan(1000);
    // Without abandoning the metric export at the bound, the SDK reader's own 30 s timer kept it alive:
    // the process then outlives this test's 20 s timeout. The time is a measurement, not an assertion.
    process.stdout.write(`[metrics-exit] ${JSON.stringify({ shutdownReturnedMs: Number(out), exitedAfterSpawnMs: Math.round(exitedAt - spawnedAt) })}\n`);
    expect(receiver.requests.some((r) => r.path === '/v1/metrics')).toBe(true);
  }, 20_000);
});
