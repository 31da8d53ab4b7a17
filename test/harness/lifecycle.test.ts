/**
 * close() leaves no server, socket or timer behind, even with black-holed and delayed requests
 * outstanding on both transports.
 */
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { emitLogRecords } from '../support/sdk-drivers.js';

const NETWORK_HANDLES = new Set(['TCPServerWrap', 'TCPSocketWrap', 'TCPWRAP', 'Http2Session', 'TLSWrap']);

function networkHandles(): string[] {
  return process.getActiveResourcesInfo().filter((name) => NETWORK_HANDLES.has(name));
}

it('closes every handle it opened', async () => {
  const baseline = networkHandles();
  const receiver = await startOtlpReceiver({
    behaviour: ({ transport }) => (transport === 'http' ? { blackHole: true } : { delayMs: 60_000 }),
  });
  const httpExport = emitLogRecords(new ProtoLogExporter({ url: receiver.logsUrl, timeoutMillis: 1_500 }), [{ body: 'x' }]);
  const grpcExport = emitLogRecords(new GrpcLogExporter({ url: receiver.grpcUrl, timeoutMillis: 1_500 }), [{ body: 'x' }]);
  await receiver.waitFor(() => receiver.requests.length === 2);
  expect(networkHandles().length).toBeGreaterThan(baseline.length);

  const closing = Date.now();
  await receiver.close();
  expect(Date.now() - closing).toBeLessThan(500);
  // The HTTP exporter retries against the closed port until its own timeout, then gives up.
  await Promise.all([httpExport, grpcExport]);
  await sleep(50);
  expect(networkHandles()).toEqual(baseline);
  expect(process.getActiveResourcesInfo().filter((name) => name === 'Timeout')).toEqual([]);
}, 10_000);
