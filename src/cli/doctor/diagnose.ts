/**
 * Turns what an OpenTelemetry exporter passes to its export() callback into a one-line reason and an
 * actionable hint. The errors, as read in the SDK sources:
 * - OTLP/HTTP: `OTLPExporterError` with `code` = the HTTP status (non-retryable answers), or
 *   "Export failed with retryable status" without a code (429/502/503/504 until the deadline), or the Node
 *   socket error (`code` = ECONNREFUSED, ENOTFOUND, …, TLS codes; an AggregateError with `errors` when
 *   several addresses were tried), or "Request timed out".
 * - OTLP/gRPC: a ServiceError with `code` = the gRPC status and `details` carrying the cause as text
 *   ("No connection established. Last error: connect ECONNREFUSED …", TLS messages).
 */
import type { NetworkExporterConfig } from '../../config/types.js';
import { START_COLLECTOR } from '../collector-hint.js';

export interface Diagnosis {
  reason: string;
  hint: string;
}

type Signal = 'logs' | 'metrics';

interface ErrorFacts {
  httpStatus?: number;
  grpcCode?: number;
  /** Node error codes found on the error, its cause chain and its nested errors. */
  codes: string[];
  /** Every message in the chain, lower-cased, for text matching (gRPC carries causes only as text). */
  text: string;
  message: string;
}

const GRPC_NAMES: Record<number, string> = {
  1: 'CANCELLED', 2: 'UNKNOWN', 3: 'INVALID_ARGUMENT', 4: 'DEADLINE_EXCEEDED', 5: 'NOT_FOUND', 7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED', 12: 'UNIMPLEMENTED', 13: 'INTERNAL', 14: 'UNAVAILABLE', 16: 'UNAUTHENTICATED',
};

const TLS_UNKNOWN_CA = ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE'];
const TLS_EXPIRED = ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'];
const TLS_NAME = ['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH'];

function collect(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { codes: [], text: '', message: '' };
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 5) return;
    seen.add(value);
    const e = value as { name?: unknown; code?: unknown; message?: unknown; details?: unknown; cause?: unknown; errors?: unknown; reason?: unknown };
    if (typeof e.message === 'string') texts.push(e.message);
    if (typeof e.details === 'string') texts.push(e.details);
    if (typeof e.reason === 'string') texts.push(e.reason);
    if (typeof e.code === 'string') facts.codes.push(e.code);
    if (typeof e.code === 'number') {
      if (e.name === 'OTLPExporterError' || e.code >= 100) facts.httpStatus ??= e.code;
      else if (typeof e.details === 'string' || 'metadata' in e) facts.grpcCode ??= e.code;
    }
    visit(e.cause, depth + 1);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  if (typeof error === 'string') texts.push(error);
  facts.message = texts[0] ?? String(error);
  facts.text = texts.join(' | ').toLowerCase();
  return facts;
}

function hostPort(endpoint: string): { host: string; port: string; https: boolean } {
  try {
    const url = new URL(endpoint);
    return { host: url.hostname, port: url.port || (url.protocol === 'https:' ? '443' : '80'), https: url.protocol === 'https:' };
  } catch {
    return { host: endpoint, port: '?', https: false };
  }
}

function caHint(exporter: NetworkExporterConfig, path: string): string {
  const ca = exporter.tls?.caCertificate;
  return ca
    ? `the CA in ${ca} (${path}.tls.ca-certificate) did not sign the certificate the server presents: point ca-certificate at the CA that issued it`
    : `no ca-certificate is configured, so the system roots are used: set ${path}.tls.ca-certificate to the CA that issued the server's certificate`;
}

/** Explains one failed export. `path` is the config key of the exporter, e.g. `otel.exporter.otlp-http`. */
export function diagnose(error: unknown, exporter: NetworkExporterConfig, signal: Signal, path: string, timeoutMs: number): Diagnosis {
  const facts = collect(error);
  const { host, port, https } = hostPort(exporter.endpoint);
  const has = (...codes: string[]) => codes.some((code) => facts.codes.includes(code) || facts.text.includes(code.toLowerCase()));
  const mentions = (...fragments: string[]) => fragments.some((fragment) => facts.text.includes(fragment));
  const headerNames = Object.keys(exporter.headers).sort();
  const headersHint = headerNames.length
    ? `check the headers (names: ${headerNames.join(', ')}; values never shown) and the variables they expand from`
    : `check the headers: none are configured, and the collector wants credentials (add ${path}.headers)`;
  const grpc = exporter.kind === 'otlp-grpc';

  // TLS first: its causes also surface as "connection" failures.
  if (has(...TLS_UNKNOWN_CA) || mentions('self-signed certificate', 'self signed certificate', 'unable to verify', 'unable to get local issuer', 'unable to get issuer')) {
    return { reason: `TLS: the server certificate of ${host} is not trusted (${tlsDetail(facts)})`, hint: caHint(exporter, path) };
  }
  if (has(...TLS_NAME) || mentions("does not match certificate's altnames", 'hostname/ip does not match')) {
    return { reason: `TLS: the server certificate does not name ${host}`, hint: `connect with a name listed in the certificate's subjectAltName, or reissue the certificate for ${host} (endpoint ${path}.endpoint)` };
  }
  if (has(...TLS_EXPIRED) || mentions('certificate has expired', 'certificate is not yet valid')) {
    return { reason: `TLS: the server certificate of ${host} has expired or is not yet valid`, hint: 'renew the collector\'s certificate, and check both clocks' };
  }
  if (mentions('wrong version number', 'packet length too long', 'http_request', 'ssl routines') || has('EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    return { reason: `TLS handshake with ${host}:${port} failed (${tlsDetail(facts)})`, hint: https || grpc
      ? `the server on ${host}:${port} does not speak TLS: use http:// in ${path}.endpoint, or enable TLS on the collector's receiver`
      : `the server expects something else on ${host}:${port}: check the port and the scheme` };
  }
  if (mentions('certificate required', 'alert number 116', 'handshake failure', 'bad certificate', 'alert number 42')) {
    return { reason: `TLS: the server refused the client (mutual TLS)`, hint: `the collector requires a client certificate: set ${path}.tls.client-certificate and client-private-key to a pair its CA signed` };
  }

  if (has('ECONNREFUSED')) {
    return { reason: `connection refused by ${host}:${port}`, hint: `nothing listens on ${host}:${port}: ${START_COLLECTOR} (OTLP/HTTP is 4318, gRPC 4317)` };
  }
  if (has('ENOTFOUND', 'EAI_AGAIN') || mentions('name resolution failed', 'dns resolution failed', 'getaddrinfo')) {
    return { reason: `cannot resolve ${host}`, hint: `check the host name in ${path}.endpoint, and the DNS of this machine` };
  }
  if (has('EHOSTUNREACH', 'ENETUNREACH')) {
    return { reason: `no route to ${host}:${port}`, hint: 'check the network path (VPN, firewall, routes)' };
  }
  if (has('ECONNRESET', 'EPIPE') || mentions('socket hang up')) {
    return { reason: `${host}:${port} closed the connection`, hint: https
      ? 'the server may not speak TLS on this port, or a proxy cut the request: check the scheme and port'
      : 'a TLS-only port reached over http://, or a proxy in between: check the scheme (https://) and port' };
  }
  if (has('ETIMEDOUT') || mentions('request timed out', 'deadline exceeded', 'timeout') || facts.grpcCode === 4) {
    return { reason: `no answer within ${timeoutMs} ms from ${host}:${port}`, hint: 'packets are black-holed: a firewall drops them, or the host is wrong or overloaded (raise --timeout to tell)' };
  }

  if (facts.httpStatus !== undefined) {
    const status = facts.httpStatus;
    const reason = `HTTP ${status}${facts.message && facts.message !== String(status) ? ` ${facts.message}` : ''}`;
    if (status === 404) {
      return { reason, hint: `the otlp-http endpoint must carry the /v1/${signal} path: write ${path}.endpoint = ${JSON.stringify(suggestPath(exporter.endpoint, signal))}` };
    }
    if (status === 401 || status === 403) return { reason, hint: headersHint };
    if (status === 400) return { reason, hint: 'the collector could not decode the payload: is this endpoint an OTLP receiver for this signal?' };
    if (status === 405) return { reason, hint: `the URL answers but does not accept OTLP POSTs: check the path /v1/${signal} and the port (4318)` };
    if (status === 413) return { reason, hint: 'the payload is too large for the receiver or a proxy in front of it: raise its body size limit' };
    if (status === 415) return { reason, hint: `the receiver does not accept ${exporter.kind === 'otlp-http' ? exporter.protocol : ''} payloads: try protocol = "${exporter.kind === 'otlp-http' && exporter.protocol === 'json' ? 'binary' : 'json'}"` };
    return { reason, hint: status >= 500 ? 'the collector failed: read its logs' : 'read the collector\'s logs for this request' };
  }
  if (mentions('retryable status')) {
    return { reason: 'the collector kept answering a retryable status (429, 502, 503 or 504) until the deadline', hint: 'it is overloaded, or a proxy in front of it has no healthy backend: read the collector\'s (or the proxy\'s) logs' };
  }
  if (facts.grpcCode !== undefined) {
    const code = facts.grpcCode;
    const reason = `gRPC ${GRPC_NAMES[code] ?? code}: ${facts.message}`;
    if (code === 16 || code === 7) return { reason, hint: headersHint };
    if (code === 12) return { reason, hint: `${host}:${port} answers gRPC but has no OTLP ${signal} service: is this the collector's OTLP gRPC port (4317)?` };
    if (code === 14) {
      return { reason, hint: mentions('protocol error', 'http2', 'received http') ? `${host}:${port} does not speak gRPC: OTLP/HTTP is 4318, gRPC 4317` : `the collector is unreachable on ${host}:${port}: is it running? OTLP/gRPC is 4317` };
    }
    return { reason, hint: 'read the collector\'s logs for this request' };
  }
  return { reason: facts.message || 'export failed', hint: 'run with OTEL_LOG_LEVEL=debug for the SDK\'s own diagnostics' };
}

function tlsDetail(facts: ErrorFacts): string {
  const code = facts.codes.find((c) => /CERT|TLS|SSL|EPROTO|SIGNATURE/.test(c));
  return code ?? facts.message;
}

function suggestPath(endpoint: string, signal: Signal): string {
  try {
    const url = new URL(endpoint);
    url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/v1\/(logs|metrics|traces)$/, '')}/v1/${signal}`;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return `${endpoint}/v1/${signal}`;
  }
}
