import { accessSync, constants, statSync } from 'node:fs';
import { safeEndpoint } from './safe-endpoint.js';
import { isAbsolute, resolve } from 'node:path';
import { expandHeaderValue, headerProblem, mergeEnvironmentHeaders } from './headers.js';
import type { ProblemList } from './problems.js';
import type { ExporterConfig, Signal, TlsFiles } from './types.js';
import { isTable, readString, readTable, warnUnknownKeys, type Table } from './values.js';

export interface ExporterContext {
  /** Folder that relative TLS paths resolve against: the config file's folder. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  problems: ProblemList;
}

const NETWORK_KINDS = ['otlp-http', 'otlp-grpc'] as const;
const TLS_KEYS = ['ca-certificate', 'client-certificate', 'client-private-key'] as const;

/** Parses one of `exporter`, `trace_exporter`, `metrics_exporter` in any of the forms Codex accepts. */
export function parseExporter(raw: unknown, path: string, signal: Signal, ctx: ExporterContext): ExporterConfig {
  const { problems } = ctx;
  if (raw === undefined) return { kind: 'none' };
  if (typeof raw === 'string') return parseExporterName(raw, path, problems);
  if (!isTable(raw)) {
    problems.wrongType(path, '"none" or a table such as { otlp-http = { … } }', raw);
    return { kind: 'none' };
  }
  const kinds = Object.keys(raw);
  if (kinds.length !== 1) {
    problems.error(path, 'expected exactly one exporter kind', 'one of "otlp-http", "otlp-grpc"',
      kinds.length ? `kinds ${kinds.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty table');
    return { kind: 'none' };
  }
  const kind = kinds[0]!;
  const body = raw[kind];
  const bodyPath = `${path}.${kind}`;
  if (!(NETWORK_KINDS as readonly string[]).includes(kind)) {
    problems.error(path, `unknown exporter kind ${JSON.stringify(kind)}`, 'one of "otlp-http", "otlp-grpc"', JSON.stringify(kind));
    return { kind: 'none' };
  }
  if (!isTable(body)) {
    problems.wrongType(bodyPath, 'a table with endpoint, headers, tls', body);
    return { kind: 'none' };
  }
  return kind === 'otlp-http' ? parseOtlpHttp(body, bodyPath, signal, ctx) : parseOtlpGrpc(body, bodyPath, signal, ctx);
}

function parseExporterName(name: string, path: string, problems: ProblemList): ExporterConfig {
  if (name === 'none') return { kind: 'none' };
  if (name === 'statsig') {
    problems.warn(path, '"statsig" is Codex\'s own vendor sink; codex-otel treats it as "none"');
    return { kind: 'statsig' };
  }
  if ((NETWORK_KINDS as readonly string[]).includes(name)) {
    problems.error(path, `a bare string ${JSON.stringify(name)} is rejected by Codex ("expected struct variant"); write ${path.split('.').pop()} = { ${name} = { endpoint = "…"${name === 'otlp-http' ? ', protocol = "binary"' : ''} } }`,
      `"none" or { ${name} = { endpoint = … } }`, `the string ${JSON.stringify(name)}`);
    return { kind: 'none' };
  }
  problems.error(path, `unknown exporter kind ${JSON.stringify(name)}`, '"none", "statsig", { otlp-http = … }, { otlp-grpc = … }', `the string ${JSON.stringify(name)}`);
  return { kind: 'none' };
}

function parseOtlpHttp(body: Table, path: string, signal: Signal, ctx: ExporterContext): ExporterConfig {
  const { problems } = ctx;
  warnUnknownKeys(body, ['endpoint', 'protocol', 'headers', 'tls'], path, problems);
  const endpoint = parseEndpoint(body, path, problems);
  if (endpoint !== undefined && isPathless(endpoint)) {
    problems.warn(`${path}.endpoint`, `has no path: the otlp-http endpoint is used verbatim, so nothing arrives at the collector; write ${suggestPath(endpoint, signal)}`);
  }
  let protocol: 'binary' | 'json' | undefined;
  const rawProtocol = body['protocol'];
  if (rawProtocol === undefined) {
    problems.error(`${path}.protocol`, 'is required for otlp-http (Codex rejects the file without it)', '"binary" or "json"', 'nothing');
  } else if (rawProtocol === 'binary' || rawProtocol === 'json') {
    protocol = rawProtocol;
  } else {
    problems.wrongType(`${path}.protocol`, '"binary" or "json"', rawProtocol);
  }
  const headers = parseHeaders(body, path, signal, ctx);
  const tls = parseTls(body, path, ctx);
  if (endpoint === undefined || protocol === undefined) return { kind: 'none' };
  return { kind: 'otlp-http', endpoint, protocol, headers, ...(tls ? { tls } : {}) };
}

function parseOtlpGrpc(body: Table, path: string, signal: Signal, ctx: ExporterContext): ExporterConfig {
  const { problems } = ctx;
  warnUnknownKeys(body, ['endpoint', 'headers', 'tls'], path, problems);
  const endpoint = parseEndpoint(body, path, problems);
  const headers = parseHeaders(body, path, signal, ctx);
  const tls = parseTls(body, path, ctx);
  if (endpoint === undefined) return { kind: 'none' };
  return { kind: 'otlp-grpc', endpoint, headers, ...(tls ? { tls } : {}) };
}

function parseEndpoint(body: Table, path: string, problems: ProblemList): string | undefined {
  const raw = body['endpoint'];
  const keyPath = `${path}.endpoint`;
  if (raw === undefined) {
    problems.error(keyPath, 'is required', 'a URL such as "http://localhost:4318/v1/logs"', 'nothing');
    return undefined;
  }
  if (typeof raw !== 'string') {
    problems.wrongType(keyPath, 'a URL string', raw);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.error(keyPath, 'is not a URL', 'an http:// or https:// URL', JSON.stringify(safeEndpoint(raw)));
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.error(keyPath, 'must use http:// or https://', 'an http:// or https:// URL', JSON.stringify(safeEndpoint(raw)));
    return undefined;
  }
  if (url.username || url.password) {
    problems.warn(keyPath, 'carries credentials in the URL; put them in headers instead');
  }
  return raw;
}

function isPathless(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.pathname === '' || url.pathname === '/';
}

function suggestPath(endpoint: string, signal: Signal): string {
  const url = new URL(endpoint);
  url.pathname = `/v1/${signal}`;
  return JSON.stringify(safeEndpoint(url.toString()));
}

/** Why a TLS file cannot be used, or undefined when it is a readable file. A folder passes access(R_OK), so check it. */
function unreadableReason(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isDirectory() ? 'EISDIR' : undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

function parseHeaders(body: Table, path: string, signal: Signal, ctx: ExporterContext): Record<string, string> {
  const { problems, env } = ctx;
  const raw = body['headers'];
  // Not readTable: its "found" shows the value, and `headers = "x-api-key=…"` would print the secret.
  if (raw !== undefined && !isTable(raw)) problems.wrongType(`${path}.headers`, 'a table', raw, false);
  const table = isTable(raw) ? raw : {};
  const fromConfig: Record<string, string> = {};
  for (const [name, value] of Object.entries(table)) {
    const headerPath = `${path}.headers.${name}`;
    if (typeof value !== 'string') {
      problems.wrongType(headerPath, 'a string', value, false);
      continue;
    }
    const expanded = expandHeaderValue(value, headerPath, env, problems);
    if (expanded === undefined) continue;
    const problem = headerProblem(name, expanded);
    if (problem) {
      problems.error(headerPath, problem.message, problem.expected, problem.found);
      continue;
    }
    fromConfig[name] = expanded;
  }
  return mergeEnvironmentHeaders(fromConfig, signal, env, problems);
}

function parseTls(body: Table, path: string, ctx: ExporterContext): TlsFiles | undefined {
  const { problems } = ctx;
  const tlsPath = `${path}.tls`;
  const table = readTable(body, 'tls', path, problems);
  if (!table) return undefined;
  warnUnknownKeys(table, TLS_KEYS, tlsPath, problems);
  const file = (key: (typeof TLS_KEYS)[number]): string | undefined => {
    const value = readString(table, key, tlsPath, problems);
    if (value === undefined) return undefined;
    const resolved = isAbsolute(value) ? value : resolve(ctx.baseDir, value);
    const reason = unreadableReason(resolved);
    if (reason !== undefined) {
      problems.error(`${tlsPath}.${key}`, `cannot read ${resolved} (${reason})`, 'a readable PEM file', JSON.stringify(value));
      return undefined;
    }
    return resolved;
  };
  const tls: TlsFiles = {};
  const ca = file('ca-certificate');
  const cert = file('client-certificate');
  const key = file('client-private-key');
  if (ca) tls.caCertificate = ca;
  if (cert) tls.clientCertificate = cert;
  if (key) tls.clientPrivateKey = key;
  const hasCert = table['client-certificate'] !== undefined;
  const hasKey = table['client-private-key'] !== undefined;
  if (hasCert !== hasKey) {
    problems.error(tlsPath, 'mutual TLS needs both client-certificate and client-private-key',
      'both keys or neither', `only ${hasCert ? 'client-certificate' : 'client-private-key'}`);
  }
  return Object.keys(tls).length ? tls : undefined;
}
