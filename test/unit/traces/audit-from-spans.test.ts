/**
 * End to end inside the project: a denial this package records only as a span (a TUI-style denial with no
 * decision event) lands in traces.jsonl and `codex-otel audit` counts it, once, with the session's user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { createTelemetry, parseConfigText } from '../../../src/index.js';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

it('audit finds a span-only denial from this package, and a denial seen as decision and span counts once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-otel-audit-spans-'));
  dirs.push(dir);
  const toml = `[otel]\ntrace_exporter = { otlp-http = { endpoint = "http://127.0.0.1:9/v1/traces", protocol = "json" } }\n`
    + `[otel.codex_otel]\nshutdown_timeout_ms = 30000\n[otel.codex_otel.file]\ndirectory = "${dir}"\n`;
  const telemetry = createTelemetry(parseConfigText(toml, { env: {} }).config!, {
    originator: 'my_agent', env: {}, diagnostics: false, delivery: { retry: { maxAttempts: 1 } },
  });
  const session = telemetry.startSession({ conversationId: 'conv-audit', model: 'gpt-5-codex', email: 'dev@example.com' });
  session.userPrompt('clean up');
  session.toolCallAborted({ toolName: 'exec_command', callId: 'call_span_only' });
  session.toolDecision({ toolName: 'exec_command', callId: 'call_both', decision: 'denied', source: 'User' });
  session.turn({ e2eDurationMs: 5 });
  await telemetry.shutdown();

  const stdout: string[] = [];
  const io: CliIo = { out: (line) => stdout.push(line), err: () => {}, env: {}, isTty: false };
  expect(await main(['audit', '--format', 'json', dir], io)).toBe(0);
  const report = JSON.parse(stdout.join('\n')) as { denials: Array<{ call_id: string; evidence: string; user_email?: string }> };
  const byCall = Object.fromEntries(report.denials.map((d) => [d.call_id, d]));
  expect(Object.keys(byCall).sort()).toEqual(['call_both', 'call_span_only']);
  expect(byCall['call_span_only']!.evidence).toBe('span');
  expect(byCall['call_both']!.evidence).toBe('decision+span');
});
