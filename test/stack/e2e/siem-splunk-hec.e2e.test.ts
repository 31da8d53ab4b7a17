/**
 * The Splunk HEC overlay (collector/siem/splunk-hec.yaml) run by the real collector against a
 * HEC-compatible endpoint written here (HTTPS with the test CA): the token, source, sourcetype,
 * index and every audit event's fields arrive; nothing else does. Then `codex-otel simulate` (logs and
 * the library's spans): every audit event it sent, and one derived record per aborted tool span.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { makeTestPki } from '../../support/certs.js';
import { eventually, postOtlpJson, startNativeStack, type NativeStack } from '../support/native-stack.js';
import { abortedToolSpans, countBy, simulateAndRead, type Simulated } from '../support/simulated.js';

const TOKEN = '6f1c1a9e-hec-token-for-tests';
let stack: NativeStack | undefined;
let hec: Server | undefined;
const received: Array<{ authorization: string | undefined; events: any[] }> = [];
let simulated: Simulated | undefined;
const AUDIT = new Set(['codex.tool_decision', 'codex.tool_result', 'codex.sandbox_outcome', 'codex.conversation_starts', 'codex.user_prompt', 'codex.network_proxy.policy_decision']);
const problems: string[] = [];

const tempDirs: string[] = [];
const track = (d: string): string => (tempDirs.push(d), d);
afterAll(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

afterAll(async () => {
  simulated?.remove();
  await stack?.stop();
  await new Promise<void>((r) => (hec ? hec.close(() => r()) : r()));
});

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

it('delivers every audit event to Splunk HEC with the token, sourcetype and index', async () => {
  const pki = makeTestPki(track(mkdtempSync(join(tmpdir(), 'hec-pki-'))));
  hec = createServer({ key: pki.server.key.pem, cert: pki.server.cert.pem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      try {
        received.push({ authorization: req.headers.authorization, events: parseHecBody(body.toString('utf8')) });
      } catch (e) {
        problems.push(`${req.method} ${req.url}: ${(e as Error).message}: ${body.toString('utf8').slice(0, 300)}`);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    });
  });
  await new Promise<void>((r) => hec!.listen(0, '127.0.0.1', () => r()));
  const port = (hec.address() as { port: number }).port;

  stack = await startNativeStack({
    collectorConfigs: ['collector/config.yaml', 'collector/secrets.yaml', 'collector/siem/splunk-hec.yaml'],
    env: { collector: { SPLUNK_HEC_ENDPOINT: `https://127.0.0.1:${port}/services/collector`, SPLUNK_HEC_CA_FILE: pki.ca.cert.path, SPLUNK_HEC_TOKEN: TOKEN } },
  });
  const now = `${Date.now()}000000`;
  const rec = (event: string, callId: string) => ({ timeUnixNano: now, observedTimeUnixNano: now, severityNumber: 9,
    attributes: [str('event.name', event), str('tool_name', 'exec_command'), str('call_id', callId), str('decision', 'denied'), str('conversation.id', 'conv-hec')] });
  await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', { resourceLogs: [{
    resource: { attributes: [str('service.name', 'codex_exec')] },
    scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords: [
      rec('codex.tool_decision', 'hec-1'), rec('codex.tool_decision', 'hec-2'), rec('codex.api_request', 'not-audit'),
    ] }],
  }] });

  const events = await eventually(async () => {
    const all = received.flatMap((r) => r.events);
    return all.length >= 2 ? all : undefined;
  }, "two events at the HEC endpoint");
  expect(problems).toEqual([]);
  expect(received.every((r) => r.authorization === `Splunk ${TOKEN}`)).toBe(true);
  expect(events).toHaveLength(2);
  for (const e of events) {
    expect(e).toMatchObject({ source: 'codex-otel', sourcetype: 'codex:audit', index: 'codex_audit', event: 'codex.tool_decision' });
    expect(e.fields).toMatchObject({ 'event.name': 'codex.tool_decision', decision: 'denied', 'conversation.id': 'conv-hec' });
  }
  expect(events.map((e) => e.fields.call_id).sort()).toEqual(['hec-1', 'hec-2']);
});

it('delivers every audit event simulate sent, and one derived abort decision per aborted tool span it sent', async () => {
  expect(stack, 'the stack of the first test').toBeDefined();
  simulated = await simulateAndRead(stack!.endpoints.otlpHttp!, ['-n', '3', '--seed', '13']);
  const conversations = new Set(simulated.logs.map((r) => String(r.attributes['conversation.id'])));
  const sentAudit = simulated.logs.map((r) => r.attributes).filter((a) => AUDIT.has(String(a['event.name'])));
  const aborted = abortedToolSpans(simulated.spans);
  expect(aborted.length).toBeGreaterThan(1);
  const ours = () => received.flatMap((r) => r.events).filter((e) => conversations.has(String(e.fields?.['conversation.id'])));
  const isDerived = (e: any) => e.fields['codex_otel.derived_from'] === 'span';
  const events = await eventually(async () => {
    const all = ours();
    return all.filter((e) => !isDerived(e)).length >= sentAudit.length && all.filter(isDerived).length >= aborted.length ? all : undefined;
  }, `${sentAudit.length} audit events and ${aborted.length} derived records at the HEC endpoint`, 120_000);
  expect(problems).toEqual([]);
  expect(received.every((r) => r.authorization === `Splunk ${TOKEN}`)).toBe(true);
  for (const e of events) expect(e).toMatchObject({ source: 'codex-otel', sourcetype: 'codex:audit', index: 'codex_audit', event: e.fields['event.name'] });
  expect(countBy(events.filter((e) => !isDerived(e)), (e) => String(e.event))).toEqual(countBy(sentAudit, (a) => String(a['event.name'])));
  const derived = events.filter(isDerived);
  expect(derived.map((e) => String(e.fields.call_id)).sort()).toEqual(aborted.map((s) => String(s.attributes['call_id'])).sort());
  for (const e of derived) expect(e.fields).toMatchObject({ 'event.name': 'codex.tool_decision', decision: 'abort', source: 'User', originator: 'codex_otel_simulate' });
});

/** HEC's body: JSON event objects one after another (no separator needed). */
function parseHecBody(text: string): any[] {
  const out: any[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') { if (depth++ === 0) start = i; }
    else if (ch === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}
