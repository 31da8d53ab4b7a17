/** With trace_exporter = "none" the trace SDK is never loaded (start-up pays nothing for spans). */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { createTelemetry, defaultConfig, parseConfigText } from '../../../src/index.js';

const traceModulesLoaded = () => Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('@opentelemetry/sdk-trace')).length;

it('loads @opentelemetry/sdk-trace-base only when a trace exporter is configured', async () => {
  const none = createTelemetry(defaultConfig(), { diagnostics: false });
  none.startSession({ conversationId: 'lazy', model: 'm' }).userPrompt('x');
  await none.shutdown();
  expect(traceModulesLoaded()).toBe(0);

  const config = parseConfigText('[otel]\ntrace_exporter = { otlp-http = { endpoint = "http://127.0.0.1:9/v1/traces", protocol = "json" } }\n', { env: {} }).config!;
  const on = createTelemetry(config, { diagnostics: false, delivery: { retry: { maxAttempts: 1 } } });
  expect(on.tracing).toBe(true);
  expect(traceModulesLoaded()).toBeGreaterThan(0);
  await on.shutdown();
});
