/**
 * The audit path's persistent queue: the collector killed with SIGKILL (or stopped with SIGTERM)
 * while Loki refuses every request loses no audit record, and delivers them all once Loki
 * answers again.
 * (Loki's endpoint is the project's OTLP receiver, answering 503 and then 200; see smoke.e2e.)
 */
import { afterEach, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';
import { eventually, postOtlpJson, readSiemFile, startNativeStack, type NativeStack } from '../support/native-stack.js';

const N = 40;
let stack: NativeStack | undefined;
let loki: OtlpReceiver | undefined;

afterEach(async () => {
  await stack?.stop();
  await loki?.close();
  stack = undefined;
  loki = undefined;
});

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

it.each(['SIGKILL', 'SIGTERM'] as const)('%s while Loki is down loses no audit record', async (signal) => {
  loki = await startOtlpReceiver({ behaviour: () => ({ status: 503, message: 'loki down' }) });
  stack = await startNativeStack({ env: { collector: { LOKI_OTLP_ENDPOINT: loki.httpUrl } } });
  const now = `${Date.now()}000000`;
  const records = Array.from({ length: N }, (_, i) => ({
    timeUnixNano: now, observedTimeUnixNano: now, severityNumber: 9,
    attributes: [str('event.name', 'codex.tool_decision'), str('call_id', `${signal}-${i}`), str('decision', 'denied'), str('source', 'User'), str('conversation.id', 'conv-kill9')],
  }));
  await postOtlpJson(stack.endpoints.otlpHttp!, 'logs', {
    resourceLogs: [{ resource: { attributes: [str('service.name', 'codex_exec')] }, scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords: records }] }],
  });
  // Through the audit pipeline (the SIEM file has them) and refused by Loki at least once.
  await eventually(async () => readSiemFile(stack!.endpoints.siemFile!).length === N, 'the records in the SIEM file');
  await loki.waitFor(() => loki!.requests.some((r) => r.outcome !== 'accepted'), 60_000);

  await stack.kill('collector', signal);
  loki.setBehaviour(undefined);
  await stack.restart('collector');

  const delivered = await loki.waitFor(() => {
    const ids = new Set(loki!.logs().flatMap((l) => l.attributes.filter((a) => a.key === 'call_id').map((a) => String(a.value))).filter((id) => id.startsWith(`${signal}-`)));
    return ids.size >= N ? ids : undefined;
  }, 120_000);
  expect([...delivered].sort()).toEqual(records.map((r) => r.attributes[1]!.value.stringValue).sort());
});
