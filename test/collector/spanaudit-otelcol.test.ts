import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The real TUI denial of Codex 0.169.0, through our collector distribution: the captured
// traces go in over OTLP/HTTP, the spanaudit connector's records come out of a file exporter.
// Runs when `npm run stack:build` has built .stack/bin/otelcol with the connector in it
// (or CODEX_OTEL_TEST_OTELCOL names another build of our distribution).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OTELCOL = process.env.CODEX_OTEL_TEST_OTELCOL ?? join(ROOT, '.stack', 'bin', 'otelcol');
const CAPTURE = join(ROOT, 'test', 'fixtures', 'codex-0.169.0', 'tui-approvals', 'traces.json');

function hasSpanaudit(): boolean {
  if (!existsSync(OTELCOL)) return false;
  const r = spawnSync(OTELCOL, ['components'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /name: spanaudit\b/.test(r.stdout);
}
const available = hasSpanaudit();
if (!available) console.warn(`skipped: ${OTELCOL} with the spanaudit connector not found (npm run stack:build)`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface AnyValue { stringValue?: string; boolValue?: boolean }
interface LogRecord { attributes?: Array<{ key: string; value: AnyValue }>; traceId?: string; spanId?: string; severityNumber?: number; eventName?: string }
interface LogsLine { resourceLogs: Array<{ resource?: { attributes?: Array<{ key: string; value: AnyValue }> }; scopeLogs: Array<{ scope?: { name?: string }; logRecords: LogRecord[] }> }> }

describe.skipIf(!available)('spanaudit in the built collector, on the real Codex TUI capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spanaudit-otelcol-'));
  let collector: ChildProcess | undefined;
  let stderr = '';
  afterAll(async () => {
    if (collector && collector.exitCode === null) {
      const exited = new Promise((r) => collector!.once('exit', r));
      collector.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one codex.tool_decision abort record for the denied call', async () => {
    const port = await freePort();
    const out = join(dir, 'audit.jsonl');
    writeFileSync(join(dir, 'config.yaml'), [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      `        endpoint: 127.0.0.1:${port}`,
      'connectors:',
      '  spanaudit: {}',
      'exporters:',
      '  file:',
      `    path: ${out}`,
      '    flush_interval: 100ms',
      'service:',
      '  telemetry:',
      '    metrics:',
      '      level: none',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [spanaudit]',
      '    logs:',
      '      receivers: [spanaudit]',
      '      exporters: [file]',
      '',
    ].join('\n'));
    collector = spawn(OTELCOL, [`--config=${join(dir, 'config.yaml')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    collector.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });

    const url = `http://127.0.0.1:${port}/v1/traces`;
    const post = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await until('the collector to listen', async () => ((await post('{}')).ok ? true : undefined), 60_000);
    const res = await post(readFileSync(CAPTURE, 'utf8'));
    expect(res.status, stderr).toBe(200);

    const lines = await until('the derived record in the file', async () => {
      const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      return text.includes('call_tui_deny') ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogsLine) : undefined;
    }, 60_000);

    const records = lines.flatMap((l) => l.resourceLogs.flatMap((rl) => rl.scopeLogs.map((sl) => ({ rl, sl }))))
      .flatMap(({ rl, sl }) => sl.logRecords.map((rec) => ({ rl, sl, rec })));
    expect(records).toHaveLength(1);
    const { rl, sl, rec } = records[0]!;
    const attrs = Object.fromEntries((rec.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? a.value.boolValue]));
    expect(Object.keys(attrs)).toEqual([
      'event.name', 'tool_name', 'tool_namespace', 'call_id', 'decision', 'source',
      'event.timestamp', 'conversation.id', 'app.version', 'codex_otel.derived_from',
    ]);
    expect(attrs).toMatchObject({
      'event.name': 'codex.tool_decision', tool_name: 'exec_command', tool_namespace: 'functions',
      call_id: 'call_tui_deny', decision: 'abort', source: 'User', 'app.version': '0.169.0',
      'codex_otel.derived_from': 'span',
    });
    expect(sl.scope?.name).toBe('codex_otel.log_only');
    expect(rec.severityNumber).toBe(9);
    const service = rl.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
    expect(service).toBe('codex-app-server');
    expect(rec.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(rec.spanId).toBe('6ae12ff132ae7106');
  }, 180_000);
});
