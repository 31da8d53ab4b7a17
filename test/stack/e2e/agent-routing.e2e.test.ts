/**
 * The agent tier (collector/agent.yaml, our 0.158.0 build) in front of two gateways: every event of
 * one conversation reaches the same gateway (load_balancing routes logs by conversation.id; in
 * 0.149.0 it ignored routing_key for logs and scattered them). The gateways here are two of the
 * project's OTLP/gRPC receivers over TLS, so each record's destination can be read back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTestPki } from '../../support/certs.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { eventually, postOtlpJson, startNativeStack, type NativeStack } from '../support/native-stack.js';

// 24 conversations: the chance that a consistent hash puts them all on one gateway (which would
// make the check below trivially true) is 2^-23.
const CONVERSATIONS = 24;
const EVENTS_PER_CONVERSATION = 4;
let agent: NativeStack | undefined;
const gateways: OtlpReceiver[] = [];

const tempDirs: string[] = [];
const track = (d: string): string => (tempDirs.push(d), d);
afterAll(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

afterAll(async () => {
  await agent?.stop();
  for (const g of gateways) await g.close();
});

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

it('routes every event of a conversation to one gateway', async () => {
  const pki = makeTestPki(track(mkdtempSync(join(tmpdir(), 'agent-pki-'))));
  for (let i = 0; i < 2; i++) gateways.push(await startOtlpReceiver({ tls: { key: pki.server.key.pem, cert: pki.server.cert.pem } }));
  const hostPort = (g: OtlpReceiver) => new URL(g.grpcUrl).host;
  agent = await startNativeStack({
    collectorConfigs: ['collector/agent.yaml', 'test/stack/data/agent-static-gateways.yaml'],
    env: { collector: { GATEWAY_A: hostPort(gateways[0]!), GATEWAY_B: hostPort(gateways[1]!), CODEX_OTEL_GATEWAY_DNS: 'unused.invalid', CODEX_OTEL_GATEWAY_CA: pki.ca.cert.path } },
  });
  // One request per event, interleaved across conversations, as many clients would send them.
  for (let e = 0; e < EVENTS_PER_CONVERSATION; e++) {
    for (let c = 0; c < CONVERSATIONS; c++) {
      const now = `${Date.now()}000000`;
      await postOtlpJson(agent.endpoints.otlpHttp!, 'logs', { resourceLogs: [{
        resource: { attributes: [str('service.name', 'codex_exec')] },
        scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords: [{ timeUnixNano: now, severityNumber: 9, attributes: [
          str('event.name', 'codex.tool_result'), str('call_id', `c${c}-e${e}`), str('conversation.id', `conv-${c}`)] }] }],
      }] });
    }
  }
  const total = CONVERSATIONS * EVENTS_PER_CONVERSATION;
  // Polled: a receiver's waitFor re-checks only on its own arrivals, and the last record may reach the other.
  await eventually(async () => gateways[0]!.logs().length + gateways[1]!.logs().length >= total, `${total} records at the gateways`);
  const where = new Map<string, Set<number>>();
  gateways.forEach((g, i) => {
    for (const l of g.logs()) {
      const conv = String(l.attributes.find((a) => a.key === 'conversation.id')?.value);
      where.set(conv, (where.get(conv) ?? new Set()).add(i));
    }
  });
  expect(gateways[0]!.logs().length + gateways[1]!.logs().length).toBe(total);
  expect(where.size).toBe(CONVERSATIONS);
  for (const [conv, set] of where) expect([...set], conv).toHaveLength(1);
  // Both gateways are in use (the routing is by key, not "everything to one").
  expect(gateways.map((g) => g.logs().length).every((n) => n > 0)).toBe(true);
});
