/**
 * A real OTLP receiver for wire tests: one OTLP/HTTP and one OTLP/gRPC endpoint on 127.0.0.1 (ports
 * chosen by the OS), recording every request, decoding it with the real OTLP protos and exposing the
 * data in the normalised model of `otlp-model.ts`.
 *
 *   const receiver = await startOtlpReceiver();
 *   // exporter url: receiver.logsUrl (HTTP) or receiver.grpcUrl (gRPC)
 *   const [record] = await receiver.waitFor(() => receiver.logs().length > 0 && receiver.logs());
 *   expect(receiver.errors()).toEqual([]);
 *   await receiver.close();
 */
import net from 'node:net';
import type { BehaviourHook } from './otlp-faults.js';
import { startGrpcEndpoint } from './otlp-grpc-endpoint.js';
import { startHttpEndpoint, type ReceiverTls } from './otlp-http-endpoint.js';
import type { ReceivedLogRecord, ReceivedMetric } from './otlp-model.js';
import { RequestLog, summarize, type ReceivedRequest } from './otlp-recording.js';

export type { BehaviourHook, FaultBehaviour, RequestInfo, Transport } from './otlp-faults.js';
export type { ReceiverTls } from './otlp-http-endpoint.js';
export type { ReceivedRequest, RequestOutcome } from './otlp-recording.js';

export interface OtlpReceiverOptions {
  /** HTTPS and gRPC over TLS (mutual TLS with `requireClientCert`). */
  tls?: ReceiverTls;
  /** Decides, per request, whether to inject a fault; can be changed later with setBehaviour. */
  behaviour?: BehaviourHook;
  /**
   * Largest request accepted, in bytes: HTTP answers 413 above it (as a proxy's body limit does), gRPC
   * is started with `grpc.max_receive_message_length` (grpc-js answers RESOURCE_EXHAUSTED).
   */
  maxRequestBytes?: number;
}

export interface OtlpReceiver {
  /** `http(s)://127.0.0.1:<port>` of the OTLP/HTTP endpoint */
  readonly httpUrl: string;
  /** `http(s)://127.0.0.1:<port>` of the OTLP/gRPC endpoint (scheme tells the exporter plaintext vs TLS) */
  readonly grpcUrl: string;
  readonly logsUrl: string;
  readonly metricsUrl: string;
  readonly tracesUrl: string;
  /** Every request in arrival order, including rejected and faulted ones (a live array). */
  readonly requests: readonly ReceivedRequest[];
  /** Log records of accepted requests, in arrival order. */
  logs(): ReceivedLogRecord[];
  /** Metrics of accepted requests, in arrival order (one entry per metric per export). */
  metrics(): ReceivedMetric[];
  /** Every payload received (after gzip was undone), accepted or not: for "never leaks" checks. */
  rawBodies(): Buffer[];
  /** Headers (HTTP) or metadata (gRPC) of every request. */
  headers(): Array<Record<string, string | string[]>>;
  /** Harness-level rejections (unknown path, content type, malformed payload). Expect []. */
  errors(): string[];
  /** TLS handshake failures seen by the HTTPS endpoint (e.g. a client without a certificate). */
  tlsErrors(): string[];
  /**
   * Resolves with the first truthy result of `probe`, re-evaluated on every change; a probe that
   * throws counts as "not yet". Rejects after timeoutMs with the last probe error and a summary.
   */
  waitFor<T>(probe: () => T | false | undefined | null | 0 | '', timeoutMs?: number): Promise<T>;
  setBehaviour(hook: BehaviourHook | undefined): void;
  /** Forgets every request (attempt counters restart at 1); keeps the behaviour. */
  reset(): void;
  close(): Promise<void>;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const log = new RequestLog();
  let behaviour = options.behaviour;
  const currentBehaviour = () => behaviour;
  const httpEndpoint = await startHttpEndpoint(log, currentBehaviour, options.tls, options.maxRequestBytes);
  const grpcEndpoint = await startGrpcEndpoint(log, currentBehaviour, options.tls, options.maxRequestBytes).catch(async (error: unknown) => {
    await httpEndpoint.close();
    throw error;
  });
  const accepted = () => log.requests.filter((r) => r.outcome === 'accepted');
  let closing: Promise<void> | undefined;

  return {
    httpUrl: httpEndpoint.url,
    grpcUrl: grpcEndpoint.url,
    logsUrl: `${httpEndpoint.url}/v1/logs`,
    metricsUrl: `${httpEndpoint.url}/v1/metrics`,
    tracesUrl: `${httpEndpoint.url}/v1/traces`,
    requests: log.requests,
    logs: () => accepted().flatMap((r) => r.logs),
    metrics: () => accepted().flatMap((r) => r.metrics),
    rawBodies: () => log.requests.map((r) => r.body),
    headers: () => log.requests.map((r) => r.headers),
    errors: () => log.requests.flatMap((r) => (r.error ? [`#${r.id} ${r.transport} ${r.path}: ${r.error}`] : [])),
    tlsErrors: () => [...log.tlsErrors],
    waitFor<T>(probe: () => T | false | undefined | null | 0 | '', timeoutMs = 5_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let lastError: unknown;
        const check = (): boolean => {
          try {
            const result = probe();
            if (result) {
              finish();
              resolve(result);
              return true;
            }
          } catch (error) {
            lastError = error;
          }
          return false;
        };
        const unsubscribe = log.subscribe(() => void check());
        const timer = setTimeout(() => {
          finish();
          const cause = lastError instanceof Error ? ` Last probe error: ${lastError.message}.` : '';
          reject(new Error(`waitFor timed out after ${timeoutMs} ms.${cause} Received: ${summarize(log.requests)}`));
        }, timeoutMs);
        function finish(): void {
          unsubscribe();
          clearTimeout(timer);
        }
        check();
      });
    },
    setBehaviour(hook) {
      behaviour = hook;
    },
    reset() {
      log.clear();
    },
    close() {
      closing ??= Promise.all([httpEndpoint.close(), grpcEndpoint.close()]).then(() => undefined);
      return closing;
    },
  };
}

/** A port on 127.0.0.1 that refuses connections (bound by the OS, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
