/**
 * A tool span is named after the tool (as Codex names it), and the tool name is caller input: the span
 * name is scrubbed on the export path like the `tool_name` attribute, so a secret in a tool name reaches
 * neither the wire nor the spool. Real SDK export over OTLP/HTTP protobuf, real receiver and protos.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { attrMap } from '../support/otlp-model.js';
import { generateSecretCorpus } from '../support/generated-secret-corpus.js';
import { configToml, loadTestConfig, SESSION, startTestTelemetry } from './scenario.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(() => receiver.close());

it('a secret in a tool name is scrubbed from the span name as from the tool_name attribute', async () => {
  const secrets = generateSecretCorpus().planted.filter((s) => s.shaped).slice(0, 8);
  expect(secrets.length).toBeGreaterThan(0);
  const traces = `{ otlp-http = { endpoint = "${receiver.tracesUrl}", protocol = "binary" } }`;
  const telemetry = startTestTelemetry(loadTestConfig(configToml('"none"', '"none"', `trace_exporter = ${traces}\n`)));
  const session = telemetry.startSession(SESSION);
  const turn = session.startTurn();
  secrets.forEach((secret, i) => session.startToolCall({ toolName: `mcp:${secret.value}`, callId: `named-${i}` }).end());
  turn.end();
  await telemetry.shutdown();
  const tools = receiver.spans().filter((s) => String(attrMap(s.attributes)['call_id']?.value ?? '').startsWith('named-'));
  expect(tools).toHaveLength(secrets.length);
  const leaks = tools.flatMap((span) => secrets.flatMap((s) => s.needles.filter((n) => span.name.includes(n)).map((n) => `${span.name} holds ${n.slice(0, 12)}`)));
  expect(leaks).toEqual([]);
  // The name is the scrubbed tool name, not a blank: the same text the attribute carries.
  for (const span of tools) expect(span.name).toBe(attrMap(span.attributes)['tool_name']?.value);
  expect(tools.every((s) => s.name.includes('[REDACTED:'))).toBe(true);
});
