import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { auditFiles, runAudit, type AuditProgress } from '../../../src/cli/audit/command.js';
import type { AuditReport } from '../../../src/cli/audit/report.js';
import { parseConfigText } from '../../../src/config/index.js';
import { createTelemetry } from '../../../src/telemetry.js';
import { CODEX_SAMPLE, CONV_B, MALFORMED, recordingIo, tempDir } from './helpers.js';

async function audit(...argv: string[]) {
  const io = recordingIo();
  const code = await main(['audit', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

async function auditJson(...argv: string[]): Promise<{ code: number; report: AuditReport; err: string }> {
  const { code, out, err } = await audit('--format', 'json', ...argv);
  return { code, report: JSON.parse(out) as AuditReport, err };
}

/** The sample split into rotated files as our file output names them, the oldest gzip-compressed. */
function rotatedDir(): string {
  const dir = tempDir();
  const lines = readFileSync(CODEX_SAMPLE, 'utf8').trimEnd().split('\n');
  writeFileSync(join(dir, 'logs.2.jsonl.gz'), gzipSync(`${lines.slice(0, 2).join('\n')}\n`));
  writeFileSync(join(dir, 'logs.1.jsonl'), `${lines.slice(2, 4).join('\n')}\n`);
  writeFileSync(join(dir, 'logs.jsonl'), `${lines.slice(4).join('\n')}\n`);
  writeFileSync(join(dir, 'metrics.jsonl'), 'not even JSON: metrics files are never read from a directory\n');
  writeFileSync(join(dir, 'notes.txt'), 'ignored\n');
  return dir;
}

describe('codex-otel audit', () => {
  it('prints the table report of the real-Codex-shaped sample and exits 0', async () => {
    const { code, out, err } = await audit(CODEX_SAMPLE);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/^ {2}events {17}28$/m);
    expect(out).toContain('Risky conversations');
    expect(out).toContain(CONV_B);
  });

  it('prints the JSON report with exact counts', async () => {
    const { code, report } = await auditJson(CODEX_SAMPLE);
    expect(code).toBe(0);
    expect(report.events).toBe(28);
    expect(report.conversations).toBe(4);
    expect(report.decisions).toHaveLength(9);
    expect(report.denials.map((d) => d.decision)).toEqual(['denied', 'denied', 'abort', 'timed_out', 'denied']);
    expect(report.risky_conversations).toHaveLength(2);
    expect(report.tool_failures.map((t) => [t.tool_name, t.count])).toEqual([['shell', 2], ['read_file', 1], ['search_code', 1]]);
    expect(report.input).toEqual({ files: [CODEX_SAMPLE], errors: [], lines: 6, log_lines: 5, trace_lines: 0, other_signal_lines: 1, documents: 0 });
  });

  it('reads a gzip version of the sample the same way', async () => {
    const dir = tempDir();
    const gz = join(dir, 'codex.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(CODEX_SAMPLE)));
    const plain = await auditJson(CODEX_SAMPLE);
    const zipped = await auditJson(gz);
    expect(zipped.code).toBe(0);
    expect({ ...zipped.report, input: null }).toEqual({ ...plain.report, input: null });
  });

  it('reads a directory of rotated files oldest first, skipping metrics files', async () => {
    const dir = rotatedDir();
    const { code, report, err } = await auditJson(dir);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(report.input.files).toEqual([join(dir, 'logs.2.jsonl.gz'), join(dir, 'logs.1.jsonl'), join(dir, 'logs.jsonl')]);
    expect(report.events).toBe(28);
    expect(report.denials).toHaveLength(5);
    expect(report.malformed_lines).toBe(0);
    expect(report.input.other_signal_lines).toBe(1);
  });

  it('filters with --since (RFC 3339) and --until', async () => {
    expect((await auditJson('--since', '2025-09-29T00:00:00Z', CODEX_SAMPLE)).report).toMatchObject({ events: 24, conversations: 3, filtered_out: 4 });
    expect((await auditJson('--until', '2025-09-30T11:00:00Z', CODEX_SAMPLE)).report).toMatchObject({ events: 17, filtered_out: 11 });
    expect((await auditJson('--since', '2025-09-30', '--until', '2025-09-30T10:03:00.001Z', CODEX_SAMPLE)).report.denials.map((d) => d.call_id)).toEqual(['call_A3']);
  });

  it('filters with a relative --since', async () => {
    const io = recordingIo();
    const code = await runAudit({ paths: [CODEX_SAMPLE], format: 'json', since: '24h', now: Date.parse('2025-09-30T13:00:00Z') }, io);
    expect(code).toBe(0);
    expect((JSON.parse(io.stdout.join('\n')) as AuditReport)).toMatchObject({ events: 24, filter: { since: '2025-09-29T13:00:00.000Z', until: null } });
  });

  it('rejects an invalid --since or --until with exit 2 and no report', async () => {
    const since = await audit('--since', 'yesterday', CODEX_SAMPLE);
    expect(since.code).toBe(2);
    expect(since.out).toBe('');
    expect(since.err).toContain('--since: expected an RFC 3339 time');
    const until = await audit('--until', '2025-02-30', CODEX_SAMPLE);
    expect(until.code).toBe(2);
    expect(until.err).toContain('--until');
    const order = await audit('--since', '2025-09-30', '--until', '2025-09-29', CODEX_SAMPLE);
    expect(order.code).toBe(2);
    expect(order.err).toContain('must be before --until');
  });

  it('rejects a bad --format, --section with json, and no files', async () => {
    expect((await audit('--format', 'xml', CODEX_SAMPLE)).code).toBe(2);
    expect((await audit('--format', 'json', '--section', 'denials', CODEX_SAMPLE)).code).toBe(2);
    expect((await audit('--format', 'csv', '--section', 'nope', CODEX_SAMPLE)).code).toBe(2);
    expect((await audit()).code).toBe(2);
  });

  it('names a missing file before reading anything, exits 2 and prints no report', async () => {
    const missing = join(tempDir(), 'missing.jsonl');
    const { code, out, err } = await audit('--format', 'csv', missing, CODEX_SAMPLE);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`audit: ${missing}: no such file or directory\naudit: nothing was read; no report`);
  });

  it('names a file that fails while being read before the report of the others, and exits 2', async () => {
    const dir = tempDir();
    const cut = join(dir, 'cut.jsonl.gz');
    const gz = gzipSync(readFileSync(CODEX_SAMPLE));
    writeFileSync(cut, gz.subarray(0, gz.length - 10));
    const io = recordingIo();
    const lines: string[] = [];
    const code = await runAudit({ paths: [cut, CODEX_SAMPLE], format: 'json' }, { ...io, out: (l) => { lines.push(`out:${l.slice(0, 1)}`); io.out(l); }, err: (l) => { lines.push(`err:${l}`); io.err(l); } });
    expect(code).toBe(2);
    expect(lines[0]).toMatch(new RegExp(`^err:audit: ${cut}: corrupt gzip data`));
    expect(lines.at(-1)).toBe('out:{');
    const report = JSON.parse(io.stdout.join('\n')) as AuditReport;
    expect(report.input.files).toEqual([CODEX_SAMPLE]);
    expect(report.input.errors).toHaveLength(1);
  });

  it('counts malformed lines, reports where on stderr, and exits 0', async () => {
    const { code, report, err } = await auditJson(MALFORMED);
    expect(code).toBe(0);
    expect(report.events).toBe(2);
    expect(report.malformed_lines).toBe(6);
    expect(report.malformed_examples.map((m) => m.location)).toEqual([2, 3, 4, 5, 7].map((n) => `${MALFORMED}:${n}`));
    expect(err).toBe(`audit: skipped 6 malformed line(s); first: ${MALFORMED}:2 (not JSON), ${MALFORMED}:3 (not JSON), ${MALFORMED}:4 (not an OTLP export request (no resourceLogs, resourceSpans or resourceMetrics)), ${MALFORMED}:5 (not an OTLP export request (not a JSON object)), ${MALFORMED}:7 (resourceLogs is not an array)`);
  });

  it('prints CSV sections, or one section', async () => {
    const all = await audit('--format', 'csv', CODEX_SAMPLE);
    expect(all.code).toBe(0);
    expect(all.out.startsWith('# summary\n"metric","value"\n"events",28\n')).toBe(true);
    const one = await audit('--format', 'csv', '--section', 'risky_conversations', CODEX_SAMPLE);
    expect(one.out.split('\n')).toHaveLength(3);
  });

  it('takes --json as --format json, and refuses it with another --format', async () => {
    const json = await audit('--json', CODEX_SAMPLE);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.out) as AuditReport).events).toBe(28);
    const both = await audit('--json', '--format', 'csv', CODEX_SAMPLE);
    expect(both.code).toBe(2);
    expect(JSON.parse(both.out)).toMatchObject({ ok: false });
    expect(both.err).toContain('--json and --format csv');
  });

  it('reports progress per file in bytes read from disk, never backwards, ending at the total', async () => {
    const dir = rotatedDir();
    const pretty = join(dir, 'capture.json');
    writeFileSync(pretty, JSON.stringify(JSON.parse(readFileSync(CODEX_SAMPLE, 'utf8').split('\n')[0]!), null, 2));
    const seen: AuditProgress[] = [];
    const io = recordingIo();
    expect(await runAudit({ paths: [dir], format: 'json', onProgress: (p) => seen.push(p) }, io)).toBe(0);
    const total = ['logs.2.jsonl.gz', 'logs.1.jsonl', 'logs.jsonl', 'capture.json'].reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(seen.every((p) => p.totalBytes === total && p.filesTotal === 4)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]!.bytesRead);
    expect(seen.at(-1)).toMatchObject({ filesDone: 4, bytesRead: total });
    expect(new Set(seen.map((p) => p.file))).toEqual(new Set(['logs.2.jsonl.gz', 'logs.1.jsonl', 'logs.jsonl', 'capture.json'].map((f) => join(dir, f))));
  });

  it('writes any format to --output, and says so; an unwritable --output is exit 2', async () => {
    const dir = tempDir();
    for (const format of ['table', 'json', 'csv', 'html']) {
      const file = join(dir, `report.${format}`);
      const { code, out } = await audit('--format', format, '--output', file, CODEX_SAMPLE);
      expect(code).toBe(0);
      expect(out).toBe(`audit: ${format} report written to ${file}`);
      expect(readFileSync(file, 'utf8').length).toBeGreaterThan(100);
    }
    const bad = await audit('--output', join(dir, 'no-such-dir', 'r.txt'), CODEX_SAMPLE);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('cannot write the report: no such file or directory');
    expect((await audit('--format', 'html', '--section', 'denials', CODEX_SAMPLE)).code).toBe(2);
  });

  it('draws a progress bar on a terminal (stderr), and nothing otherwise', async () => {
    let drawn = '';
    const terminal = Object.assign(new Writable({ write(chunk, _encoding, done) { drawn += String(chunk); done(); } }), { isTTY: true, columns: 120 });
    const io = { ...recordingIo(), isTty: true, progressStream: terminal };
    expect(await runAudit({ paths: [rotatedDir()], format: 'json' }, io)).toBe(0);
    expect(drawn).toMatch(/audit \[[█░]+\] 100% \d+\/\d+ KiB · file 3\/3 logs\.jsonl/);
    expect(JSON.parse(io.stdout.join('\n'))).toMatchObject({ events: 28 });
    const quiet = recordingIo();
    expect(await runAudit({ paths: [rotatedDir()], format: 'json' }, quiet)).toBe(0);
    expect(quiet.stderr).toEqual([]);
  });

  it('is listed in the help', async () => {
    const io = recordingIo();
    await main(['--help'], io);
    expect(io.stdout.join('\n')).toContain('audit');
  });
});

describe('audit of this project\'s own file output', () => {
  it('agrees with what the library emitted, across rotated files', async () => {
    const dir = tempDir();
    const parsed = parseConfigText(`[otel]\nexporter = "none"\n[otel.codex_otel.file]\ndirectory = ${JSON.stringify(dir)}\nmax_bytes = 1024\nmax_files = 20\n`, { env: {} });
    expect(parsed.errors).toEqual([]);
    const telemetry = createTelemetry(parsed.config!, { diagnostics: false, env: {} });
    const session = telemetry.startSession({ conversationId: 'own-1', model: 'gpt-5', email: 'own@example.com' });
    session.conversationStarts({ providerName: 'openai', reasoningSummary: 'auto', approvalPolicy: 'never', sandboxPolicy: 'danger-full-access', mcpServers: ['docs'] });
    session.userPrompt('hello world');
    await telemetry.forceFlush();
    session.toolDecision({ toolName: 'shell', callId: 'c1', decision: 'denied', source: 'User' });
    session.toolDecision({ toolName: 'shell', callId: 'c2', decision: 'approvedforsession', source: 'AutomatedReviewer' });
    await telemetry.forceFlush();
    session.toolResult({ toolName: 'shell', callId: 'c2', arguments: '{}', durationMs: 5, success: false, output: '' });
    session.toolResult({ toolName: 'lookup', callId: 'c3', arguments: '{}', durationMs: 5, success: true, output: '', mcpServer: 'docs' });
    await telemetry.shutdown();

    expect(readdirSync(dir).filter((n) => n.startsWith('logs')).length).toBeGreaterThan(1);
    const { report, errors } = await auditFiles([dir]);
    expect(errors).toEqual([]);
    expect(report.malformed_lines).toBe(0);
    expect(report.events).toBe(6);
    expect(report.conversations).toBe(1);
    expect(report.prompts).toEqual({ count: 1, total_length: 11, average_length: 11 });
    expect(report.denials).toEqual([expect.objectContaining({ conversation_id: 'own-1', user_email: 'own@example.com', tool_name: 'shell', call_id: 'c1', decision: 'denied', source: 'User' })]);
    expect(report.risky_conversations).toEqual([expect.objectContaining({ conversation_id: 'own-1', sandbox_policy: 'danger-full-access', approval_policy: 'never', model: 'gpt-5' })]);
    expect(report.tool_failures).toEqual([{ tool_name: 'shell', count: 1, calls: 1 }]);
    expect(report.mcp_servers).toEqual([{ server: 'docs', calls: 1, failures: 0, tools: [{ tool_name: 'lookup', count: 1 }], conversations_configured: 1 }]);
  });
});
