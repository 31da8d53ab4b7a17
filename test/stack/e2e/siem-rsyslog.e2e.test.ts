/**
 * The syslog SIEM route (collector/siem/syslog-rfc5424-tls.yaml, as shipped) into a real receiver:
 * Debian's rsyslogd with rsyslog-gnutls over TLS, RFC 5425 octet counting, parsed by rsyslog's own
 * RFC 5424 parser. Fed by `codex-otel simulate` (logs and the library's spans), the real Codex 0.169.0
 * captures and one record with 100 KB of tool arguments; every audit event sent must be in rsyslog's
 * output, once, with its fields, plus one record derived from each aborted tool span sent, and the
 * same set in the collector's SIEM file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../support/certs.js';
import { eventually, postOtlpJson, readSiemFile, simulate, startNativeStack, type NativeStack } from '../support/native-stack.js';
import { logRecords, OLD_DECISIONS, readOtlpDocs, replayCaptures, spans, type Attrs } from '../support/otlp-json.js';
import { abortedToolSpans } from '../support/simulated.js';
import { HAVE_GTLS, RSYSLOGD, startRsyslog, type Rsyslog, type RsyslogMessage } from '../support/rsyslog.js';

const AUDIT = new Set(['codex.tool_decision', 'codex.tool_result', 'codex.sandbox_outcome', 'codex.conversation_starts', 'codex.user_prompt', 'codex.network_proxy.policy_decision']);
const BIG_ARGUMENTS = JSON.stringify({ cmd: ['bash', '-lc', 'cat big.txt'], padding: 'x'.repeat(100 * 1024) });
const mustRun = Boolean(process.env.CI);


let dir: string;
let rsyslog: Rsyslog | undefined;
let stack: NativeStack | undefined;
/** Attributes of every audit record sent (library, Codex captures, the big record). */
let sentAudit: Attrs[] = [];
/** call_id -> tool_name of every aborted tool span sent (simulate's and the captures'): one derived record each. */
let sentAborted = new Map<string, string>();
let received: Array<{ frame: RsyslogMessage; attributes: Record<string, unknown> }> = [];

/** Identity of an audit record, as multiset key (sent and received are compared as multisets). */
const identity = (a: Record<string, unknown>) => JSON.stringify([a['event.name'], a['conversation.id'], a['call_id'] ?? null, a['event.timestamp'], a['prompt_length'] ?? null]);
const multiset = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
const derived = (a: Record<string, unknown>) => a['codex_otel.derived_from'] === 'span';

describe.skipIf(!(RSYSLOGD && HAVE_GTLS) && !mustRun)('syslog overlay into a real rsyslogd over TLS', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-otel-rsyslog-'));
    const pki = makeTestPki(join(dir, 'pki'));
    rsyslog = await startRsyslog(dir, { ca: pki.ca.cert.path, cert: pki.server.cert.path, key: pki.server.key.path });
    stack = await startNativeStack({
      collectorConfigs: ['collector/config.yaml', 'collector/secrets.yaml', 'collector/siem/syslog-rfc5424-tls.yaml'],
      env: { collector: { CODEX_OTEL_SYSLOG_HOST: 'localhost', CODEX_OTEL_SYSLOG_PORT: String(rsyslog.port), CODEX_OTEL_SYSLOG_CA_FILE: pki.ca.cert.path } },
    });
    const out = join(dir, 'simulate');
    await simulate(stack.endpoints.otlpHttp!, ['-n', '3', '--seed', '5', '--out', out]);
    const codex = await replayCaptures(stack.endpoints.otlpHttp!, ['logs', 'traces'], ['exec-tool-call', 'tui-approvals', 'websocket']);
    sentAborted = new Map(abortedToolSpans([...spans(readOtlpDocs(join(out, 'traces.jsonl'))), ...spans(codex.traces)])
      .map((s) => [String(s.attributes['call_id']), String(s.attributes['tool_name'])]));
    const now = `${Date.now()}000000`;
    const big = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex_exec' } }, { key: 'host.name', value: { stringValue: 'ci-runner-7' } }] },
      scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords: [{ timeUnixNano: '0', observedTimeUnixNano: now, severityNumber: 9, severityText: 'INFO', attributes: [
        ['event.name', 'codex.tool_result'], ['tool_name', 'exec_command'], ['call_id', 'call-rsyslog-big'], ['arguments', BIG_ARGUMENTS],
        ['event.timestamp', new Date().toISOString()], ['conversation.id', 'conv-rsyslog-big'], ['originator', 'codex_exec'],
      ].map(([key, v]) => ({ key, value: { stringValue: v } })) }] }] }] };
    await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', big);
    sentAudit = [...logRecords(readOtlpDocs(join(out, 'logs.jsonl'))), ...logRecords(codex.logs), ...logRecords([big])]
      .map((r) => r.attributes).filter((a) => AUDIT.has(String(a['event.name'])));
    const want = sentAudit.length;
    received = await eventually(async () => {
      const msgs = rsyslog!.messages();
      const fromSpans = msgs.filter((m) => derived(JSON.parse(m.msg))).length;
      if (msgs.length - fromSpans < want || fromSpans < sentAborted.size) throw new Error(`${msgs.length} of ${want} + ${sentAborted.size} derived in rsyslog's output`);
      return msgs.map((frame) => ({ frame, attributes: JSON.parse(frame.msg) as Record<string, unknown> }));
    }, `${want} audit events and the records derived from aborted spans in rsyslog's output`, 120_000);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await rsyslog?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every audit event sent is in rsyslog\'s output exactly once (and nothing that is not an audit event)', () => {
    expect(sentAudit.length).toBeGreaterThan(20);
    expect(new Set(sentAudit.map((a) => a['event.name'])).size, 'several audit event kinds').toBeGreaterThanOrEqual(4);
    const got = received.filter((r) => !derived(r.attributes)).map((r) => identity(r.attributes));
    expect(multiset(got)).toEqual(multiset(sentAudit.map(identity)));
    for (const r of received) expect(AUDIT.has(String(r.attributes['event.name'])), String(r.attributes['event.name'])).toBe(true);
  });

  it('rsyslog parsed each frame as RFC 5424: version 1, APP-NAME codex, MSGID = event name, a current timestamp, HOSTNAME from host.name', () => {
    const startedAt = Date.now() - 30 * 60_000;
    for (const { frame, attributes } of received) {
      expect(frame.protocol, frame.msg.slice(0, 200)).toBe('1');
      expect(frame.app).toBe('codex');
      expect(frame.msgid).toBe(String(attributes['event.name']).slice(0, 32));
      expect(Date.parse(frame.timestamp), `${frame.timestamp}: not the 1970 of Codex's zero time`).toBeGreaterThan(startedAt);
      expect(Number(frame.pri)).toBeGreaterThanOrEqual(0);
    }
    const codexTui = received.filter((r) => r.attributes['originator'] === 'codex-tui');
    expect(codexTui.length, 'real Codex TUI events').toBeGreaterThan(0);
    for (const r of codexTui) expect(r.frame.hostname).toBe('vm'); // host.name of the capture's resource
    expect(received.find((r) => r.attributes['call_id'] === 'call-rsyslog-big')!.frame.hostname).toBe('ci-runner-7');
  });

  it('the fields of each event arrive intact in MSG (decisions of the real Codex TUI run included)', () => {
    const byId = new Map(received.map((r) => [identity(r.attributes), r.attributes]));
    for (const a of sentAudit) {
      const got = byId.get(identity(a))!;
      for (const k of ['event.name', 'conversation.id', 'call_id', 'source', 'tool_name', 'originator', 'sandbox_policy', 'approval_policy']) {
        if (a[k] !== undefined) expect(got[k], `${k} of ${identity(a)}`).toBe(a[k]);
      }
      if (a['decision'] !== undefined) {
        // The collector rewrites decisions spelled as before mid-2026 (contract §8), keeping the original.
        const current = OLD_DECISIONS[String(a['decision'])];
        expect(got['decision'], `decision of ${identity(a)}`).toBe(current ?? a['decision']);
        expect(got['decision.original']).toBe(current ? a['decision'] : undefined);
      }
    }
    const tuiDecisions = received.filter((r) => r.attributes['originator'] === 'codex-tui' && r.attributes['event.name'] === 'codex.tool_decision' && !derived(r.attributes));
    expect(tuiDecisions.map((r) => `${r.attributes['call_id']}=${r.attributes['decision']}/${r.attributes['source']}`).sort())
      .toEqual(['call_tui_approve=approved/User', 'call_tui_remember=approved_with_amendment/User', 'call_tui_sandbox=approved/Config']);
  });

  it('each aborted tool span sent (the library\'s denials, its TUI-style denial, the real Codex one) reaches rsyslog once as a derived abort decision', () => {
    expect([...sentAborted.keys()].filter((c) => c !== 'call_tui_deny').length, 'aborted spans from the library').toBeGreaterThan(1);
    const got = received.filter((r) => derived(r.attributes));
    expect(got.map((r) => String(r.attributes['call_id'])).sort()).toEqual([...sentAborted.keys()].sort());
    for (const r of got) expect(r.attributes).toMatchObject({ 'event.name': 'codex.tool_decision', decision: 'abort', source: 'User', tool_name: sentAborted.get(String(r.attributes['call_id'])) });
  });

  it('the real Codex TUI denial (an aborted span, no log event) reaches rsyslog once, as a span-derived abort decision', () => {
    const tui = received.filter((r) => r.attributes['call_id'] === 'call_tui_deny');
    expect(tui).toHaveLength(1);
    expect(tui[0]!.attributes).toMatchObject({ 'event.name': 'codex.tool_decision', decision: 'abort', source: 'User', tool_name: 'exec_command', 'codex_otel.derived_from': 'span' });
    expect(tui[0]!.frame.msgid).toBe('codex.tool_decision');
  });

  it('a record with 100 KB of tool arguments reaches rsyslog whole, and the SIEM file too', () => {
    const big = received.find((r) => r.attributes['call_id'] === 'call-rsyslog-big');
    expect(big?.attributes['arguments']).toBe(BIG_ARGUMENTS);
    const file = readSiemFile(stack!.endpoints.siemFile!).find((r) => r.attributes['call_id'] === 'call-rsyslog-big');
    expect(file?.attributes['arguments']).toBe(BIG_ARGUMENTS);
  });

  it('the SIEM file holds the same audit events as rsyslog', async () => {
    const file = await eventually(async () => {
      const r = readSiemFile(stack!.endpoints.siemFile!);
      return r.length >= received.length ? r : undefined;
    }, 'the SIEM file to catch up', 60_000);
    expect(multiset(file.map((r) => identity(r.attributes)))).toEqual(multiset(received.map((r) => identity(r.attributes))));
  });
});
