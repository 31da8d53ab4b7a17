/**
 * The OTLP/gRPC side of the test receiver: LogsService, MetricsService and TraceService `Export` on
 * 127.0.0.1, plaintext or TLS / mutual TLS, with fault injection.
 *
 * The service definitions are built by hand for @grpc/grpc-js from the shared protobufjs root of
 * `otlp-protos.ts` (instead of @grpc/proto-loader, which would parse its own copy of the protos
 * without the LogRecord.event_name patch). Requests are deserialized as raw bytes and decoded by the
 * handler, so malformed payloads are recorded as errors rather than lost inside grpc-js.
 */
import * as grpc from '@grpc/grpc-js';
import type { BehaviourHook } from './otlp-faults.js';
import { grpcStatusForHttp } from './otlp-faults.js';
import type { Endpoint, ReceiverTls } from './otlp-http-endpoint.js';
import { encodeEmptyResponse, exportServiceDefinition, OTLP_SERVICES, type Signal } from './otlp-protos.js';
import { decodePayload, type ReceivedRequest, type RequestLog } from './otlp-recording.js';

type ExportHandler = grpc.handleUnaryCall<Buffer, Buffer>;


function plainMetadata(metadata: grpc.Metadata): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    result[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  }
  return result;
}

/** grpc-js does not expose the HTTP/2 stream of a call; reach it to simulate a connection reset. */
function destroyConnection(call: unknown): boolean {
  let current: unknown = call;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const stream = (current as { stream?: { session?: { destroy(): void } } }).stream;
    if (stream?.session) {
      stream.session.destroy();
      return true;
    }
    const next = current as { call?: unknown; nextCall?: unknown };
    current = next.call ?? next.nextCall;
  }
  return false;
}

function serverCredentials(tls: ReceiverTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const ca = tls.ca === undefined ? null : Buffer.from(tls.ca);
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
    tls.requireClientCert ?? false,
  );
}

export async function startGrpcEndpoint(
  log: RequestLog,
  behaviour: () => BehaviourHook | undefined,
  tls: ReceiverTls | undefined,
  maxRequestBytes?: number,
): Promise<Endpoint> {
  const timers = new Set<NodeJS.Timeout>();

  function answer(record: ReceivedRequest, callback: grpc.sendUnaryData<Buffer>, signal: Signal): void {
    const fault = record.fault;
    const code = fault?.grpcStatus ?? (fault?.status !== undefined ? grpcStatusForHttp(fault.status) : grpc.status.OK);
    if (code !== grpc.status.OK) {
      record.outcome = 'fault';
      callback({ code, details: fault?.message ?? 'injected fault' });
    } else {
      record.outcome = 'accepted';
      callback(null, encodeEmptyResponse(signal));
    }
    record.answeredStatus = code;
    log.changed();
  }

  function handlerFor(signal: Signal): ExportHandler {
    const path = `/${OTLP_SERVICES[signal].service}/Export`;
    return (call, callback) => {
      const headers = plainMetadata(call.metadata);
      const info = { transport: 'grpc' as const, signal, path, headers, attempt: log.nextAttempt('grpc', signal) };
      const record = log.open(info, { contentType: 'application/grpc', wireBody: call.request });
      record.encoding = 'protobuf';
      try {
        Object.assign(record, decodePayload(signal, 'protobuf', call.request));
      } catch (error) {
        record.error = (error as Error).message;
        record.outcome = 'rejected';
        record.answeredStatus = grpc.status.INVALID_ARGUMENT;
        callback({ code: grpc.status.INVALID_ARGUMENT, details: record.error });
        log.changed();
        return;
      }
      const fault = behaviour()?.(info);
      record.fault = fault;
      if (fault?.reset) {
        record.outcome = 'reset';
        if (!destroyConnection(call)) record.error = 'reset: could not reach the HTTP/2 session of the call';
        log.changed();
        return;
      }
      if (fault?.blackHole) {
        record.outcome = 'blackHole';
        log.changed();
        return;
      }
      if (fault?.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!call.cancelled) answer(record, callback, signal);
        }, fault.delayMs);
        timers.add(timer);
        return;
      }
      answer(record, callback, signal);
    };
  }

  const server = new grpc.Server(maxRequestBytes === undefined ? {} : { 'grpc.max_receive_message_length': maxRequestBytes });
  for (const signal of Object.keys(OTLP_SERVICES) as Signal[]) {
    server.addService(exportServiceDefinition(signal), { Export: handlerFor(signal) });
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', serverCredentials(tls), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // forceShutdown, not tryShutdown: black-holed calls would otherwise keep it open forever.
      server.forceShutdown();
    },
  };
}
