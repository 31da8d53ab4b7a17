/** Start-up of codex-otel: import + parseConfigText + createTelemetry + startSession + the first event. */
import { createTelemetry, parseConfigText } from '../../src/index.js';

const url = process.argv[2] ?? 'http://127.0.0.1:9';
const parsed = parseConfigText(
  `[otel]\nexporter = { otlp-http = { endpoint = "${url}/v1/logs", protocol = "binary" } }\nmetrics_exporter = { otlp-http = { endpoint = "${url}/v1/metrics", protocol = "binary" } }\n`,
  { env: {} },
);
const telemetry = createTelemetry(parsed.config!, { appVersion: '1.0.0-bench', env: {} });
const session = telemetry.startSession({ conversationId: 'c-1', model: 'gpt-5-codex', authMode: 'ApiKey' });
session.sseEvent({ kind: 'response.output_text.delta', durationMs: 3 });
const at = performance.now();
process.stdout.write(`@@result ${JSON.stringify({ ms: at })}\n`);
process.exit(0);
