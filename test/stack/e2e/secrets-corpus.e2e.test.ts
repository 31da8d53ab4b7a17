/**
 * The Collector's second line (collector/secrets.yaml) inside the real collector of the native stack:
 * the generated secret corpus, in the raw shape Codex sends it (arguments as JSON text and cut
 * previews, output as printed, endpoints as configured), goes in unscrubbed — as real Codex sends it —
 * and no planted value may come out, neither in the SIEM file nor towards Loki. Go's regexp engine in the
 * collector compiles the rules; test/unit/redact/collector-second-line.test.ts measures the same rules
 * outside the collector, this proves them in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { leaks } from '../../support/secret-channels.js';
import { otlpReplay, replayDocuments } from '../../support/secret-replay.js';
import { eventually, postOtlpJson, readSiemFile, startNativeStack, type NativeStack } from '../support/native-stack.js';

const docs = replayDocuments();
const AUDITED = docs.filter((d) => d.channel !== 'endpoint'); // codex.tool_result: audit; endpoints ride codex.api_request
const planted = docs.filter((d) => d.needles.length > 0);

let stack: NativeStack;
let lokiStandIn: OtlpReceiver;

beforeAll(async () => {
  lokiStandIn = await startOtlpReceiver();
  stack = await startNativeStack({ env: { collector: { LOKI_OTLP_ENDPOINT: lokiStandIn.httpUrl } } });
  await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', otlpReplay(docs));
});

afterAll(async () => {
  await stack?.stop();
  await lokiStandIn?.close();
});

/** Every string a record carries, decoded: the attributes and the body. */
const textOf = (record: { attributes: unknown; body?: unknown }): string => JSON.stringify([record.attributes, record.body ?? null]);

describe('the collector second line on the generated corpus', () => {
  it('sends the corpus (planted secrets of every kind, in every encoding)', () => {
    expect(planted.length).toBeGreaterThan(1000);
    expect(new Set(planted.map((d) => d.kind)).size).toBeGreaterThanOrEqual(40);
  });

  it('the SIEM file holds every tool_result record, and no planted value', async () => {
    const records = await eventually(async () => {
      const r = readSiemFile(stack.endpoints.siemFile!).filter((x) => x.attributes['event.name'] === 'codex.tool_result');
      return r.length >= AUDITED.length ? r : undefined;
    }, `${AUDITED.length} tool_result records in the SIEM file`, 180_000);
    expect(records).toHaveLength(AUDITED.length);
    const byId = new Map(records.map((r) => [String(r.attributes['call_id']), r]));
    const leaked = planted.filter((d) => d.channel !== 'endpoint').filter((d) => leaks(d.needles, textOf(byId.get(d.id)!)));
    expect(leaked.map((d) => `${d.id} ${d.kind}`)).toEqual([]);
  });

  it('nothing sent towards Loki carries a planted value, from any field', async () => {
    const received = await lokiStandIn.waitFor(() => {
      const logs = lokiStandIn.logs();
      return logs.length >= docs.length ? logs : undefined;
    }, 180_000);
    const byId = new Map(received.map((l) => [String(l.attributes.find((a) => a.key === 'call_id')?.value), l]));
    expect(byId.size).toBe(docs.length);
    const leaked = planted.filter((d) => leaks(d.needles, JSON.stringify(byId.get(d.id))));
    expect(leaked.map((d) => `${d.id} ${d.channel} ${d.kind}`)).toEqual([]);
  });
});
