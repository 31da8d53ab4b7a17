/**
 * Our OTLP/HTTP transport, plugged into the SDK exporters through their public extension point
 * (`createOtlpNetworkExportDelegate` of @opentelemetry/otlp-exporter-base): it sends one encoded request
 * and answers with what happened, classified, and never retries (the one send path, `send.ts`, does).
 *
 * - Every failure is a `DeliveryError` carrying status and Retry-After, so the retry policy sees the raw
 *   answer (the SDK's own HTTP transport retries 429/5xx inside its timeout and then loses both).
 * - Sockets do not keep the process alive (`socket.unref()` on each request's socket): a host that has
 *   finished is not held by an export hanging on a black-holed collector; the exit helper's shutdown
 *   (whose bound timer is ref'd) finishes or spools it.
 */
import http from 'node:http';
import https from 'node:https';
import { OTLPExporterError, type ExportResponse, type IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { classifyFailure, DeliveryError, type FailureClass } from './outcome.js';

export interface HttpTransportOptions {
  url: string;
  headers: Record<string, string>;
  contentType: 'application/x-protobuf' | 'application/json';
  /** TLS material and keep-alive for https; ignored for http. */
  agentOptions: https.AgentOptions;
  userAgent: string;
}

/** Bodies of error answers are kept for diagnostics up to this size. */
const MAX_ERROR_BODY = 4096;

export function createHttpTransport(options: HttpTransportOptions): IExporterTransport {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, ...options.agentOptions }) : new http.Agent({ keepAlive: true });
  const request = secure ? https.request : http.request;
  return {
    send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
      return new Promise((resolve) => {
        let settled = false;
        const settle = (response: ExportResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(response);
        };
        const fail = (error: Error, failure: FailureClass) => settle({ status: 'failure', error: new DeliveryError(error.message, failure, error) });
        const req = request(url, {
          method: 'POST',
          agent,
          headers: { ...options.headers, 'Content-Type': options.contentType, 'Content-Length': data.byteLength, 'User-Agent': options.userAgent },
        }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_ERROR_BODY || (res.statusCode ?? 0) < 300) chunks.push(chunk);
          });
          res.on('error', (error) => fail(error, classifyFailure(error)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks);
            if (status >= 200 && status < 300) return settle({ status: 'success', data: new Uint8Array(body) });
            const error = new OTLPExporterError(res.statusMessage ?? `HTTP ${status}`, status, body.subarray(0, MAX_ERROR_BODY).toString('utf8'));
            const failure = classifyFailure(error);
            const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
            if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
            fail(error, failure);
          });
        });
        const timer = setTimeout(() => req.destroy(new Error(`Request timed out after ${timeoutMillis} ms`)), timeoutMillis);
        timer.unref();
        req.on('socket', (socket) => socket.unref());
        req.on('error', (error) => fail(error, classifyFailure(error)));
        req.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      });
    },
    shutdown(): void {
      agent.destroy();
    },
  };
}

/** `Retry-After` in seconds or as an HTTP date, in ms from now (0 for a date in the past); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
