/** Spans in the file output (`traces.jsonl`, OTLP/JSON lines) when spans are on; none when they are off. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, parseConfigText } from '../../../src/index.js';
import { spansFromJson } from '../../support/otlp-convert-spans.js';
import { attrMap } from '../../support/otlp-model.js';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

async function run(traceExporter: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'codex-otel-traces-file-'));
  dirs.push(dir);
  // A generous shutdown bound: the file is read after shutdown, which must not stop short on a loaded machine.
  const toml = `[otel]\ntrace_exporter = ${traceExporter}\n[otel.codex_otel]\nshutdown_timeout_ms = 30000\n[otel.codex_otel.file]\ndirectory = "${dir}"\n`;
  const config = parseConfigText(toml, { env: {} }).config!;
  const telemetry = createTelemetry(config, { env: {}, diagnostics: false, delivery: { retry: { maxAttempts: 1 } } });
  const session = telemetry.startSession({ conversationId: 'file-conv', model: 'gpt-5-codex' });
  session.startTurn();
  session.toolCallAborted({ toolName: 'exec_command', callId: 'call_denied' });
  session.turn({ e2eDurationMs: 1 });
  await telemetry.shutdown();
  return dir;
}

describe('file output', () => {
  it('writes traces.jsonl beside logs.jsonl when a trace exporter is configured', async () => {
    // A refused port: the network export fails, the file still gets every span.
    const dir = await run('{ otlp-http = { endpoint = "http://127.0.0.1:9/v1/traces", protocol = "binary" } }');
    const file = join(dir, 'traces.jsonl');
    const spans = readFileSync(file, 'utf8').trim().split('\n').flatMap((line) => spansFromJson(JSON.parse(line)));
    const denied = spans.find((s) => attrMap(s.attributes)['call_id']?.value === 'call_denied');
    expect(attrMap(denied!.attributes)['aborted']).toEqual({ type: 'bool', value: true });
  });

  it('writes no traces.jsonl with trace_exporter = "none"', async () => {
    const dir = await run('"none"');
    expect(existsSync(join(dir, 'traces.jsonl'))).toBe(false);
  });
});
