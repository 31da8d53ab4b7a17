/**
 * First end-to-end check on the native stack: the real collector (our 0.158.0 build) and the
 * real Prometheus 3.13.0, fed by `codex-otel simulate` (logs, metrics and the library's spans) and by
 * hand-made Codex-shaped records. Expectations come from what simulate wrote beside (`--out`).
 * Loki and Tempo binaries cannot be built on this project's machines (AGPL modules, see
 * scripts/stack/build.mjs); until one is placed in .stack/bin/, what the collector sends to Loki
 * is received by the project's OTLP receiver (real protobuf decoding) at the Loki endpoint, and
 * what it sends to Tempo by another one at Tempo's OTLP/gRPC endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import {
  eventually, postOtlpJson, promQuery, readSiemFile, startNativeStack, type NativeStack,
} from '../support/native-stack.js';
import { currentDecision } from '../support/otlp-json.js';
import {
  abortedToolSpans, countBy, dashboardDenialRegex, simulateAndRead, type Simulated,
} from '../support/simulated.js';
import { abortedSpansPanel, answerAbortedSpansPanel, single } from '../support/tempo-panel.js';

const AUDIT = ['codex.tool_decision', 'codex.tool_result', 'codex.sandbox_outcome', 'codex.conversation_starts', 'codex.user_prompt'];
const BIG_ARGUMENTS = JSON.stringify({ cmd: 'cat big.txt', padding: 'x'.repeat(100 * 1024) });
const PLANTED_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(4)}`;

let stack: NativeStack;
let lokiStandIn: OtlpReceiver;
let tempoStandIn: OtlpReceiver;
let simulated: Simulated;
let sent: Simulated['summary'];
/** call ids of the aborted tool spans simulate sent: each becomes a derived audit record. */
let simulatedAborted: string[];
const HAND_ABORTED = ['call-eee19b7ec3c1b174', 'call-eee19b7ec3c1b175'];

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
function codexLog(event: string, attributes: ReturnType<typeof str>[], conversation = 'conv-e2e-1') {
  const now = `${Date.now()}000000`;
  return {
    resourceLogs: [{
      resource: { attributes: [str('service.name', 'codex_exec'), str('service.instance.id', `run-${Math.random()}`), str('env', 'e2e')] },
      scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords: [{
        timeUnixNano: now, observedTimeUnixNano: now, severityNumber: 9, severityText: 'INFO',
        attributes: [str('event.name', event), ...attributes, str('conversation.id', conversation), str('originator', 'codex_exec')],
      }] }],
    }],
  };
}

beforeAll(async () => {
  lokiStandIn = await startOtlpReceiver();
  tempoStandIn = await startOtlpReceiver();
  stack = await startNativeStack({ env: { collector: { LOKI_OTLP_ENDPOINT: lokiStandIn.httpUrl, TEMPO_OTLP_GRPC_ENDPOINT: new URL(tempoStandIn.grpcUrl).host } } });
  simulated = await simulateAndRead(stack.endpoints.otlpHttp!, ['-n', '3', '--seed', '11']);
  sent = simulated.summary;
  simulatedAborted = abortedToolSpans(simulated.spans).map((s) => String(s.attributes['call_id']));
  await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', codexLog('codex.tool_result', [
    str('tool_name', 'exec_command'), str('call_id', 'call-big'), str('arguments', BIG_ARGUMENTS), str('success', 'true'),
  ]));
  await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', codexLog('codex.tool_decision', [
    str('tool_name', 'exec_command'), str('call_id', 'call-old'), str('decision', 'approvedforsession'), str('source', 'User'),
  ]));
  await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', codexLog('codex.tool_result', [
    str('tool_name', 'exec_command'), str('call_id', 'call-secret'), str('arguments', JSON.stringify({ cmd: `git push https://x:${PLANTED_TOKEN}@github.com/o/r` })),
  ]));
  const span = (id: string, aborted: boolean) => ({
    traceId: '5b8efff798038103d269b633813fc60c', spanId: id, name: 'exec_command', kind: 1,
    startTimeUnixNano: `${Date.now() - 5}000000`, endTimeUnixNano: `${Date.now()}000000`,
    attributes: [str('call_id', `call-${id}`), str('tool_name', 'exec_command'), { key: 'aborted', value: { boolValue: aborted } },
      str('codex.tool.arguments', `curl -H "Authorization: token ${PLANTED_TOKEN}" https://api.github.com`)],
  });
  await postOtlpJson(stack.endpoints.otlpHttp!, 'traces', {
    resourceSpans: [{ resource: { attributes: [str('service.name', 'codex-app-server'), str('env', 'e2e')] }, scopeSpans: [{ scope: { name: 'codex-app-server' }, spans: [
      span('eee19b7ec3c1b174', true), span('eee19b7ec3c1b175', true), span('eee19b7ec3c1b176', false),
    ] }] }],
  });
});

afterAll(async () => {
  await stack?.stop();
  await lokiStandIn?.close();
  await tempoStandIn?.close();
  simulated?.remove();
});

describe('native stack end to end', () => {
  it('simulate sent spans, among them aborted tool spans: its denials and its TUI-style denial', () => {
    expect(sent.destinations.filter((d) => d.signal === 'traces').length).toBe(2);
    expect(simulated.spans.length).toBeGreaterThan(0);
    expect(simulatedAborted.length).toBeGreaterThan(1);
  });

  it('the SIEM file has every audit event that simulate sent, the records spanaudit derived from aborted spans, and nothing else', async () => {
    // + 3 hand-made records, + one decision our spanaudit connector derives from each aborted span (2 hand-made, simulate's).
    const derived = HAND_ABORTED.length + simulatedAborted.length;
    const expected = AUDIT.reduce((n, e) => n + (sent.events.byName[e] ?? 0), 0) + 3 + derived;
    const records = await eventually(async () => {
      const r = readSiemFile(stack.endpoints.siemFile!);
      return r.length >= expected ? r : undefined;
    }, `${expected} audit records in the SIEM file`);
    expect(records).toHaveLength(expected);
    for (const e of AUDIT) {
      const hand = e === 'codex.tool_result' ? 2 : e === 'codex.tool_decision' ? 1 + derived : 0;
      expect(records.filter((r) => r.attributes['event.name'] === e).length, e).toBe((sent.events.byName[e] ?? 0) + hand);
    }
  });

  it('each aborted tool span arrives as a codex.tool_decision abort record marked as derived, scrubbed like any event', async () => {
    const derived = readSiemFile(stack.endpoints.siemFile!).filter((r) => r.attributes['codex_otel.derived_from'] === 'span');
    expect(derived.map((r) => r.attributes['call_id']).sort()).toEqual([...HAND_ABORTED, ...simulatedAborted].sort());
    const toolOf = new Map<string, string>([...HAND_ABORTED.map((c) => [c, 'exec_command'] as const),
      ...abortedToolSpans(simulated.spans).map((s) => [String(s.attributes['call_id']), String(s.attributes['tool_name'])] as const)]);
    for (const r of derived) {
      expect(Object.keys(r.attributes)[0]).toBe('event.name');
      expect(r.attributes).toMatchObject({ 'event.name': 'codex.tool_decision', tool_name: toolOf.get(String(r.attributes['call_id'])), decision: 'abort', source: 'User' });
    }
    expect(JSON.stringify(derived)).not.toContain(PLANTED_TOKEN);
  });

  it('a 100 KB arguments record is kept whole in the SIEM file and reaches Loki with it in the body', async () => {
    const siem = readSiemFile(stack.endpoints.siemFile!).find((r) => r.attributes['call_id'] === 'call-big');
    expect(siem?.attributes['arguments']).toBe(BIG_ARGUMENTS);
    const toLoki = await lokiStandIn.waitFor(() => lokiStandIn.logs().find((l) => l.attributes.some((a) => a.key === 'call_id' && a.value === 'call-big')), 60_000);
    expect(toLoki.body).toMatchObject({ type: 'string', value: BIG_ARGUMENTS });
    const metadataBytes = toLoki.attributes.reduce((n, a) => n + a.key.length + String(a.value).length, 0);
    expect(metadataBytes).toBeLessThan(64 * 1024);
    expect(toLoki.attributes.find((a) => a.key === 'codex_otel.moved_to_body')?.value).toBe('arguments');
  });

  it('nothing sent to Loki has service.instance.id as a resource attribute (index label)', async () => {
    await lokiStandIn.waitFor(() => lokiStandIn.logs().length >= sent.events.total - (sent.events.byName['codex.sse_event'] ?? 0), 60_000);
    for (const l of lokiStandIn.logs()) expect(l.resource['service.instance.id']).toBeUndefined();
    expect(lokiStandIn.logs().some((l) => l.attributes.some((a) => a.key === 'service.instance.id'))).toBe(true);
  });

  it('an old decision spelling is normalised, the original kept in decision.original', () => {
    const r = readSiemFile(stack.endpoints.siemFile!).find((x) => x.attributes['call_id'] === 'call-old');
    expect(r?.attributes['decision']).toBe('approved_for_session');
    expect(r?.attributes['decision.original']).toBe('approvedforsession');
  });

  it('a planted token in raw arguments reaches neither the SIEM file nor Loki', async () => {
    const siem = readSiemFile(stack.endpoints.siemFile!).find((r) => r.attributes['call_id'] === 'call-secret');
    expect(siem).toBeDefined();
    expect(JSON.stringify(siem)).not.toContain(PLANTED_TOKEN);
    await lokiStandIn.waitFor(() => lokiStandIn.logs().find((l) => l.attributes.some((a) => a.value === 'call-secret')), 60_000);
    for (const body of lokiStandIn.rawBodies()) expect(body.includes(Buffer.from(PLANTED_TOKEN))).toBe(false);
  });

  it('spans reach the trace backend over OTLP/gRPC, with the planted token scrubbed from span attributes', async () => {
    await tempoStandIn.waitFor(() => tempoStandIn.requests.some((r) => r.signal === 'traces' && r.outcome === 'accepted'), 60_000);
    const bodies = Buffer.concat(tempoStandIn.rawBodies());
    for (const id of ['call-eee19b7ec3c1b174', 'call-eee19b7ec3c1b175', 'call-eee19b7ec3c1b176']) expect(bodies.includes(Buffer.from(id)), id).toBe(true);
    expect(bodies.includes(Buffer.from('exec_command'))).toBe(true);
    expect(bodies.includes(Buffer.from(PLANTED_TOKEN))).toBe(false);
  });

  it('Prometheus has the translated tool-call counter with the value simulate sent', async () => {
    const total = await eventually(async () => {
      const r = await promQuery(stack.endpoints.prometheus!, 'sum(codex_tool_call_total)');
      return r.length ? r[0]!.value : undefined;
    }, 'codex_tool_call_total in Prometheus');
    expect(total).toBe(sent.events.byName['codex.tool_result']);
  });

  it('Prometheus has the collector self-metrics under the names the alert rules use (with _total)', async () => {
    const names = ['otelcol_receiver_accepted_log_records_total', 'otelcol_exporter_sent_log_records_total', 'otelcol_exporter_queue_size', 'otelcol_exporter_queue_capacity'];
    for (const name of names) {
      await eventually(async () => (await promQuery(stack.endpoints.prometheus!, `${name}{job="otel-collector"}`)).length > 0, `${name} in Prometheus`);
    }
  });

  it('aborted tool spans become the codex_otel_tool_call_aborted_total series (2 of the 3 hand-made spans, and simulate\'s)', async () => {
    const want = countBy(abortedToolSpans(simulated.spans), (s) => String(s.attributes['tool_name']));
    want['exec_command'] = (want['exec_command'] ?? 0) + HAND_ABORTED.length;
    const total = Object.values(want).reduce((n, v) => n + v, 0);
    const r = await eventually(async () => {
      const res = await promQuery(stack.endpoints.prometheus!, 'sum by (tool_name) (codex_otel_tool_call_aborted_total)');
      return res.reduce((n, x) => n + x.value, 0) >= total ? res : undefined;
    }, `${total} aborted tool calls in codex_otel_tool_call_aborted_total`);
    expect(Object.fromEntries(r.map((x) => [x.metric['tool_name'], x.value]))).toEqual(want);
  });

  it('simulate\'s spans reach the trace backend: every span sent, by name, with its ids and the records\' ids', async () => {
    const sentNames = countBy(simulated.spans, (s) => s.name);
    const atTempo = () => tempoStandIn.spans().filter((s) => s.resource['service.name']?.value === 'codex_otel_simulate');
    await tempoStandIn.waitFor(() => atTempo().length >= simulated.spans.length, 90_000);
    expect(countBy(atTempo(), (s) => s.name)).toEqual(sentNames);
    for (const name of ['session_task.turn', 'model_client.stream_responses_api', 'responses.stream_request', 'handle_responses']) expect(sentNames[name], name).toBeGreaterThan(0);
    expect(Object.keys(sentNames).filter((n) => simulated.spans.some((s) => s.name === n && s.attributes['call_id'] !== undefined)).length, 'tool spans').toBeGreaterThan(0);
  });

  it(`the security dashboard's "${abortedSpansPanel().title}" panel, its TraceQL evaluated on the spans at the trace backend, lists exactly the aborted tool spans sent`, async () => {
    const all = [...HAND_ABORTED, ...simulatedAborted];
    await tempoStandIn.waitFor(() => answerAbortedSpansPanel(tempoStandIn.spans()).rows.length >= all.length, 90_000);
    const { rows, truncated } = answerAbortedSpansPanel(tempoStandIn.spans());
    expect(rows.map((r) => single(r, 'span.call_id')).sort()).toEqual(all.sort());
    expect(truncated, 'nothing beyond the panel\'s limit / spss').toEqual({ traces: 0, spans: 0 });
    const sentTools = new Map(abortedToolSpans(simulated.spans).map((s) => [String(s.attributes['call_id']), String(s.attributes['tool_name'])]));
    for (const r of rows) expect(single(r, 'span.tool_name'), single(r, 'span.call_id')).toBe(sentTools.get(single(r, 'span.call_id')) ?? 'exec_command');
    // $env: only the hand-made spans carry env=e2e (simulate's carry env=simulate)
    expect(answerAbortedSpansPanel(tempoStandIn.spans(), { env: ['e2e'] }).rows.map((r) => single(r, 'span.call_id')).sort()).toEqual([...HAND_ABORTED].sort());
    // simulate's TUI-style denial: an aborted tool span whose call has no record at all
    const recorded = new Set(simulated.logs.map((r) => String(r.attributes['call_id'])));
    expect(simulatedAborted.filter((c) => !recorded.has(c))).toHaveLength(1);
  });

  it('denials are counted once: distinct call_id over decision and derived records in the SIEM file = the denials sent', async () => {
    const DENIAL = dashboardDenialRegex();
    const decisionDenials = simulated.logs.filter((r) => r.attributes['event.name'] === 'codex.tool_decision' && DENIAL.test(currentDecision(r.attributes['decision']))).map((r) => String(r.attributes['call_id']));
    const sentDenials = new Set([...decisionDenials, ...simulatedAborted, ...HAND_ABORTED]);
    const records = await eventually(async () => {
      const r = readSiemFile(stack.endpoints.siemFile!).filter((x) => x.attributes['event.name'] === 'codex.tool_decision' && DENIAL.test(String(x.attributes['decision'])));
      return r.filter((x) => x.attributes['codex_otel.derived_from'] === 'span').length >= HAND_ABORTED.length + simulatedAborted.length ? r : undefined;
    }, 'derived records in the SIEM file');
    expect(new Set(records.map((r) => String(r.attributes['call_id'])))).toEqual(sentDenials);
    // each of simulate's decision denials arrives twice (decision + derived): more records than denials
    expect(records.length).toBe(decisionDenials.length + simulatedAborted.length + HAND_ABORTED.length);
    expect(records.length).toBeGreaterThan(sentDenials.size);
  });
});
