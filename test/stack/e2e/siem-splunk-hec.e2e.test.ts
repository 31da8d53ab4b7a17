/**
 * The Splunk HEC overlay (collector/siem/splunk-hec.yaml) run by the real collector against a
 * HEC-compatible endpoint written here (HTTPS with the test CA): the token, source, sourcetype,
 * index and every audit event's fields arrive; nothing else does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { makeTestPki } from '../../support/certs.js';
import { eventually, postOtlpJson, startNativeStack, type NativeStack } from '../support/native-stack.js';

const TOKEN = '6f1c1a9e-hec-token-for-tests';
let stack: NativeStack | undefined;
let hec: Server | undefined;
const received: Array<{ authorization: string | undefined; events: any[] }> = [];
const problems: string[] = [];

const tempDirs: string[] = [];
const track = (d: string): string => (tempDirs.push(d), d);
afterAll(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

afterAll(async () => {
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
