/**
 * Every string field that leaves the process, over each transport: the generated corpus's planted
 * secrets go into every string input of every event (tool names and call ids, arguments as Codex's JSON,
 * output, errors, prompts, endpoints, MCP fields, decisions, kinds, session values, metric tags), and
 * no planted value may appear in any byte the receiver got, logs and metrics alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecretCorpus } from '../support/generated-secret-corpus.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { attr } from './expect-wire.js';
import { configToml, loadTestConfig, startTestTelemetry } from './scenario.js';

const corpus = generateSecretCorpus();
const planted = corpus.planted;
const endpoints = corpus.endpoints.filter((e) => e.needles.length > 0);

const TRANSPORTS = [
  ['OTLP/HTTP protobuf', (r: OtlpReceiver) => `{ otlp-http = { endpoint = "${r.logsUrl}", protocol = "binary" } }`, (r: OtlpReceiver) => `{ otlp-http = { endpoint = "${r.metricsUrl}", protocol = "binary" } }`],
  ['OTLP/HTTP JSON', (r: OtlpReceiver) => `{ otlp-http = { endpoint = "${r.logsUrl}", protocol = "json" } }`, (r: OtlpReceiver) => `{ otlp-http = { endpoint = "${r.metricsUrl}", protocol = "json" } }`],
  ['OTLP/gRPC', (r: OtlpReceiver) => `{ otlp-grpc = { endpoint = "${r.grpcUrl}" } }`, (r: OtlpReceiver) => `{ otlp-grpc = { endpoint = "${r.grpcUrl}" } }`],
] as const;

/** Every form a needle may take on the wire: as is (protobuf, gRPC) and JSON-escaped (OTLP/JSON). */
function needleForms(): Buffer[] {
  const all = [...planted.flatMap((s) => s.needles), ...endpoints.flatMap((e) => e.needles)];
  const forms = new Set<string>();
  for (const needle of all) {
    forms.add(needle);
    forms.add(JSON.stringify(needle).slice(1, -1));
  }
  return [...forms].map((f) => Buffer.from(f));
}

describe.each(TRANSPORTS)('planted secrets in every field over %s', (_name, logs, metrics) => {
  let receiver: OtlpReceiver;
  let records = 0;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Thousands of records with secrets in every field are scrubbed on the export path; the default 2 s
    // shutdown bound is not what this test is about.
    const toml = configToml(logs(receiver), metrics(receiver), '[otel.codex_otel]\nshutdown_timeout_ms = 60000').replace('[otel]\n', '[otel]\nlog_user_prompt = true\n');
    const telemetry = startTestTelemetry(loadTestConfig(toml));
    planted.forEach((secret, i) => {
      const text = secret.texts.raw;
      // Short fields get the token alone when its shape gives it away, else the text around it (a password
      // alone, without a name or an option in front, is just a word).
      const token = secret.shaped ? secret.value : text;
      const url = endpoints[i % endpoints.length]!.url;
      // Session values are common attributes of every record and metric tags.
      const session = telemetry.startSession(i % 43 === 0
        ? { conversationId: `conv-${i} ${token}`, model: `gpt-5 ${token}`, terminalType: `term ${token}`, slug: `slug ${token}` }
        : { conversationId: `conv-${i}`, model: 'gpt-5' });
      if (i % 10 === 0) {
        session.conversationStarts({ providerName: token, reasoningSummary: token, approvalPolicy: text, sandboxPolicy: text, mcpServers: [text, url], reasoningEffort: token });
        records++;
      }
      session.userPrompt(text);
      session.toolResult({
        toolName: token, callId: `call-${i} ${token}`, arguments: secret.texts.json, durationMs: 1, success: false, output: text,
        mcpServer: text, mcpServerOrigin: url, sandbox: token, sandboxPolicy: token,
      });
      session.apiRequest({ attempt: 0, durationMs: 1, status: 500, error: text, endpoint: url, headerName: token, requestId: token, cfRay: token, authError: text, recoveryMode: token });
      session.sseEventFailed({ kind: token, durationMs: 1, error: secret.texts.cut });
      session.toolDecision({ toolName: token, callId: token, decision: token, source: text });
      session.sandboxOutcome({ toolName: token, callId: token, outcome: token, initialDurationMs: 1 });
      // Metrics only: Codex 0.169 logs no codex.websocket_event record.
      session.websocketEvent({ kind: token, durationMs: 1, success: false, error: secret.texts.shell });
      records += 6;
    });
    const result = await telemetry.shutdown();
    expect(result.delivery?.dropped.total).toBe(0);
    await receiver.waitFor(() => receiver.logs().length === records, 30_000);
  }, 120_000);
  afterAll(() => receiver.close());

  it('never carries a planted value in any byte received, logs or metrics', () => {
    expect(receiver.logs().length).toBe(records);
    expect(receiver.metrics().length).toBeGreaterThan(0);
    const needles = needleForms();
    expect(needles.length).toBeGreaterThan(planted.length);
    const leaks: string[] = [];
    for (const body of receiver.rawBodies()) {
      for (const needle of needles) if (body.includes(needle)) leaks.push(needle.toString().slice(0, 40));
    }
    expect([...new Set(leaks)]).toEqual([]);
  });

  it('marks what it replaced: tool names and metric tags carry markers, not values', () => {
    const results = receiver.logs().filter((r) => r.eventName === 'codex.tool_result');
    expect(results.length).toBe(planted.length);
    const redacted = results.filter((r) => String(attr(r, 'tool_name')?.value).startsWith('[REDACTED:'));
    // A token planted as a tool name is recognised on its own (only the context kinds need their context).
    expect(redacted.length).toBeGreaterThan(planted.length / 2);
    for (const record of results) expect(attr(record, 'codex_otel.redactions')?.type).toBe('int');
  });
});
