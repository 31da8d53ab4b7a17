import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrubber, hashIdentity, scrubStructured } from '../../src/redact/index.js';
import { loadSecretCorpus } from '../support/secret-corpus.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { attr } from './expect-wire.js';
import { configToml, loadTestConfig, startTestTelemetry } from './scenario.js';

const corpus = loadSecretCorpus();
const SALT = 'wire-test-salt-0123456789';
const scrubber = createScrubber();

const TRANSPORTS = [
  ['OTLP/HTTP protobuf', (r: OtlpReceiver) => `{ otlp-http = { endpoint = "${r.logsUrl}", protocol = "binary" } }`],
  ['OTLP/HTTP JSON', (r: OtlpReceiver) => `{ otlp-http = { endpoint = "${r.logsUrl}", protocol = "json" } }`],
  ['OTLP/gRPC', (r: OtlpReceiver) => `{ otlp-grpc = { endpoint = "${r.grpcUrl}" } }`],
] as const;

describe.each(TRANSPORTS)('planted secrets over %s', (_name, exporter) => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const toml = configToml(exporter(receiver), '"none"', [
      '[otel.codex_otel.identity]',
      'email = "hash"',
      'account_id = "drop"',
      'salt_env = "WIRE_SALT"',
    ].join('\n')).replace('[otel]\n', '[otel]\nlog_user_prompt = true\n');
    const telemetry = startTestTelemetry(loadTestConfig(toml, { WIRE_SALT: SALT }));
    const session = telemetry.startSession({ conversationId: 'sec-1', model: 'gpt-5', email: 'alice@example.com', accountId: 'acct-secret-42' });
    for (const document of corpus.planted) {
      session.userPrompt(document.text);
      session.toolResult({ toolName: 'shell', callId: document.name, arguments: document.text, durationMs: 1, success: false, output: document.text });
      session.apiRequest({ attempt: 0, durationMs: 1, status: 500, error: document.text });
      session.sseEventFailed({ durationMs: 1, error: document.text });
    }
    await telemetry.shutdown();
    await receiver.waitFor(() => receiver.logs().length === corpus.planted.length * 4);
  });
  afterAll(() => receiver.close());

  it('never carries a planted secret in any byte received', () => {
    expect(corpus.secrets.length).toBeGreaterThan(50);
    const bodies = receiver.rawBodies();
    for (const secret of corpus.secrets) {
      const needle = Buffer.from(secret.value);
      for (const body of bodies) expect(body.includes(needle), `${secret.kind} from ${secret.document}`).toBe(false);
    }
  });

  it('replaces each with [REDACTED:<kind>] and counts the redactions on the record', () => {
    const results = receiver.logs().filter((r) => r.eventName === 'codex.tool_result');
    for (const record of results) {
      const document = corpus.planted.find((d) => d.name === attr(record, 'call_id')?.value)!;
      // Arguments are JSON text: scrubbed structurally, so a secret under a telling key is named by the rule that saw it.
      expect(attr(record, 'arguments')?.value).toBe(scrubStructured(document.text, scrubber));
      const count = attr(record, 'codex_otel.redactions');
      expect(count?.type).toBe('int');
      expect(Number(count?.value)).toBeGreaterThanOrEqual(document.secrets.length);
    }
  });

  it('hashes the email with the operator salt and drops the account id', () => {
    for (const record of receiver.logs()) {
      expect(attr(record, 'user.email')?.value).toBe(hashIdentity('alice@example.com', SALT));
      expect(attr(record, 'user.account_id')).toBeUndefined();
    }
    const needles = ['alice@example.com', 'acct-secret-42'].map((s) => Buffer.from(s));
    for (const body of receiver.rawBodies()) for (const needle of needles) expect(body.includes(needle)).toBe(false);
  });
});
