/**
 * Reusable harness for end-to-end tests on the native stack (real binaries from .stack/bin/):
 * start it on free loopback ports, send through the CLI, query the backends' HTTP APIs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, stackBinary } from './binaries.js';

// scripts/stack/stack.mjs is plain ESM shared with `npm run stack:up`.
// @ts-expect-error -- no type declarations for the .mjs script
import { DEFAULT_PORTS, startStack as startStackScript } from '../../../scripts/stack/stack.mjs';

export interface NativeStack {
  endpoints: Record<string, string>;
  ports: Record<string, number>;
  dataDir: string;
  logDir: string;
  missing: string[];
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the stack binaries need explicit port numbers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartOptions {
  /** Extra environment per service, e.g. { collector: { LOKI_OTLP_ENDPOINT: ... } }. */
  env?: Record<string, Record<string, string>>;
  collectorConfigs?: string[];
  scrapeInterval?: string;
}

/** Starts collector + Prometheus (+ Loki/Tempo when built) on ephemeral ports. */
export async function startNativeStack(options: StartOptions = {}): Promise<NativeStack> {
  stackBinary('otelcol');
  stackBinary('prometheus');
  const ports: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_PORTS)) ports[name] = await freePort();
  const stack: NativeStack = await startStackScript({ ports, scrapeInterval: options.scrapeInterval ?? '1s', env: options.env, collectorConfigs: options.collectorConfigs });
  const stop = stack.stop.bind(stack);
  // Data and logs are removed after the run unless CODEX_OTEL_KEEP_STACK_DATA=1 (to debug).
  stack.stop = async () => {
    await stop();
    if (process.env.CODEX_OTEL_KEEP_STACK_DATA !== '1') rmSync(stack.dataDir, { recursive: true, force: true });
  };
  return stack;
}

/** `codex-otel simulate --endpoint <otlp http> --json`: the summary of what was sent. */
export async function simulate(endpoint: string, args: string[] = []): Promise<{ events: { total: number; byName: Record<string, number> } }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'codex-otel.js'), 'simulate', '--endpoint', endpoint, '--json', ...args], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`simulate exited ${code}: ${err}`);
  return JSON.parse(out);
}

/** POSTs an OTLP/JSON request (logs, traces or metrics) to the collector's OTLP/HTTP receiver. */
export async function postOtlpJson(otlpHttp: string, signal: 'logs' | 'traces' | 'metrics', body: unknown): Promise<void> {
  const res = await fetch(`${otlpHttp}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST /v1/${signal}: HTTP ${res.status} ${await res.text()}`);
}

/** Retries `probe` until it returns a truthy value (no fixed sleeps as synchronisation). */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Instant PromQL query; returns [labels, value] pairs. */
export async function promQuery(prometheus: string, query: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const json = (await res.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (json.status !== 'success') throw new Error(`PromQL ${query}: ${json.error}`);
  return json.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** LogQL query_range over the last hour (Loki's HTTP API). */
export async function lokiQuery(loki: string, query: string): Promise<Array<{ stream: Record<string, string>; values: Array<[string, string, Record<string, string>?]> }>> {
  const now = Date.now() * 1e6;
  const url = `${loki}/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${now - 3600e9}&end=${now + 60e9}&limit=5000`;
  const json = (await (await fetch(url)).json()) as { status: string; data: { result: any[] } };
  if (json.status !== 'success') throw new Error(`LogQL ${query}: ${JSON.stringify(json)}`);
  return json.data.result;
}

/** TraceQL search (Tempo's HTTP API). */
export async function tempoSearch(tempo: string, traceql: string): Promise<any[]> {
  const json = (await (await fetch(`${tempo}/api/search?q=${encodeURIComponent(traceql)}&limit=100`)).json()) as { traces?: any[] };
  return json.traces ?? [];
}

export interface SiemRecord { resource: Record<string, unknown>; attributes: Record<string, unknown>; body: unknown }

/** The SIEM file (OTLP/JSON lines written by the collector's file exporter), flattened. */
export function readSiemFile(path: string): SiemRecord[] {
  if (!existsSync(path)) return [];
  const out: SiemRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    for (const rl of JSON.parse(line).resourceLogs ?? []) {
      const resource = attrs(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? []) for (const lr of sl.logRecords ?? []) out.push({ resource, attributes: attrs(lr.attributes), body: lr.body ? anyValue(lr.body) : undefined });
    }
  }
  return out;
}

function anyValue(v: any): unknown {
  if (v == null) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('boolValue' in v) return v.boolValue;
  if ('doubleValue' in v) return v.doubleValue;
  return v;
}

function attrs(list: any[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, anyValue(a.value)]));
}
