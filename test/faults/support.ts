/**
 * Shared pieces of the fault tests: configs with a spool in a temporary folder, events that can be
 * counted on the wire (one unique call_id each), a TCP forwarder to bring a "collector" up on a fixed
 * port mid-test, and a child-process runner for exits and crashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createTelemetry, parseConfigText, type OtelConfig, type Telemetry, type TelemetryOptions } from '../../src/index.js';
import type { OtlpReceiver } from '../support/otlp-receiver.js';

export const CHILD = new URL('./fixtures/child.mjs', import.meta.url).pathname;

export function tempDir(prefix = 'codex-otel-faults-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export type Transport = 'http-proto' | 'http-json' | 'grpc';

export function exporterToml(transport: Transport, receiverOrUrl: OtlpReceiver | string): string {
  if (typeof receiverOrUrl === 'string') {
    return transport === 'grpc'
      ? `{ otlp-grpc = { endpoint = "${receiverOrUrl}" } }`
      : `{ otlp-http = { endpoint = "${receiverOrUrl}/v1/logs", protocol = "${transport === 'http-json' ? 'json' : 'binary'}" } }`;
  }
  return exporterToml(transport, transport === 'grpc' ? receiverOrUrl.grpcUrl : receiverOrUrl.httpUrl);
}

export interface FaultConfig {
  transport?: Transport;
  /** receiver or base URL (http://127.0.0.1:port) */
  target: OtlpReceiver | string;
  spoolDir?: string;
  spoolMaxBytes?: number;
  shutdownMs?: number;
  queueSize?: number;
  batchSize?: number;
  /** log_batch_max_bytes */
  batchMaxBytes?: number;
  delayMs?: number;
  metrics?: boolean;
}

export function faultToml(c: FaultConfig): string {
  const transport = c.transport ?? 'http-proto';
  const lines = ['[otel]', 'environment = "faults"', `exporter = ${exporterToml(transport, c.target)}`];
  if (c.metrics && typeof c.target !== 'string') {
    lines.push(`metrics_exporter = { otlp-http = { endpoint = "${c.target.metricsUrl}", protocol = "binary" } }`);
  }
  lines.push('[otel.codex_otel]');
  lines.push(`shutdown_timeout_ms = ${c.shutdownMs ?? 1000}`);
  lines.push(`log_schedule_delay_ms = ${c.delayMs ?? 50}`);
  if (c.queueSize !== undefined) lines.push(`log_queue_size = ${c.queueSize}`);
  if (c.batchSize !== undefined) lines.push(`log_batch_size = ${c.batchSize}`);
  if (c.batchMaxBytes !== undefined) lines.push(`log_batch_max_bytes = ${c.batchMaxBytes}`);
  if (c.spoolDir) lines.push(`spool = { directory = "${c.spoolDir}", max_bytes = ${c.spoolMaxBytes ?? 64 * 1024 * 1024} }`);
  return `${lines.join('\n')}\n`;
}

export function faultConfig(c: FaultConfig): OtelConfig {
  const result = parseConfigText(faultToml(c), { env: {}, baseDir: process.cwd() });
  if (!result.config) throw new Error(`fault config invalid: ${JSON.stringify(result.errors)}`);
  return result.config;
}

/** Fast retries for tests: the policy is the same, the numbers small. */
export const FAST_RETRY = { initialBackoffMs: 20, maxBackoffMs: 200, budgetMs: 3_000, maxAttempts: 10 } as const;

export function startFaultTelemetry(config: OtelConfig, options: TelemetryOptions = {}, warnings: string[] = []): Telemetry {
  return createTelemetry(config, {
    originator: 'codex_cli_rs',
    appVersion: '0.42.0',
    env: {},
    diagnostics: false,
    ...options,
    delivery: { exportTimeoutMs: 1_000, retry: FAST_RETRY, warn: (line) => warnings.push(line), ...options.delivery },
  });
}

/** Emits `count` tool results with call_id `<prefix>-<i>`: each one countable on the wire. */
export function emitNumbered(telemetry: Telemetry, prefix: string, count: number, from = 0, output: (i: number) => string = () => 'ok'): void {
  const session = telemetry.startSession({ conversationId: `conv-${prefix}`, model: 'gpt-5' });
  for (let i = from; i < from + count; i++) {
    session.toolResult({ toolName: 'shell', callId: `${prefix}-${i}`, arguments: 'ls', durationMs: i, success: true, output: output(i) });
  }
}

/** Asserts the ledger invariant of a finished pipeline: emitted = exported + pending in the spool + dropped. */
export function expectLedgerBalanced(stats: { emitted: number; exported: number; pendingInSpool: number; inMemory: number; dropped: { total: number } }): void {
  if (stats.inMemory !== 0 || stats.emitted !== stats.exported + stats.pendingInSpool + stats.dropped.total) {
    throw new Error(`ledger out of balance: ${JSON.stringify(stats)}`);
  }
}

/** call_ids received (accepted requests only) that start with `prefix`, with how often each arrived. */
export function receivedIds(receiver: OtlpReceiver, prefix: string): Map<string, number> {
  const seen = new Map<string, number>();
  for (const record of receiver.logs()) {
    const id = record.attributes.find((a) => a.key === 'call_id');
    if (id?.type === 'string' && id.value.startsWith(`${prefix}-`)) seen.set(id.value, (seen.get(id.value) ?? 0) + 1);
  }
  return seen;
}

export interface Tally {
  sent: number;
  received: number;
  lost: number;
  duplicated: number;
}

export function tally(receiver: OtlpReceiver, prefix: string, sent: number): Tally {
  const seen = receivedIds(receiver, prefix);
  let duplicated = 0;
  for (const count of seen.values()) duplicated += count - 1;
  return { sent, received: seen.size, lost: sent - seen.size, duplicated };
}

/** What the fault table needs of a process's ledger (`deliveryStats()`, a child's `stats` line). */
export interface LedgerView {
  emitted: number;
  exported: number;
  pendingInSpool: number;
  inMemory?: number;
  dropped: { total: number } & Partial<Record<string, number>>;
}

/** Where the fault tests write their rows; `node scripts/fault-table.mjs` turns them into the README's table. */
export const FAULT_RESULTS_DIR = join(fileURLToPath(new URL('../..', import.meta.url)), '.fault-results');
const started = new Set<string>();

/**
 * Records one measured fault for the README's table, after asserting the ledger invariant over every
 * process involved: emitted = exported + pending in the spool + dropped (nothing left in memory).
 * `numbers` carries what the receiver saw (sent, received, duplicated) and any measurement of the case.
 */
export function report<N extends { sent: number; received: number; duplicated: number }>(fault: string, numbers: N, ledgers: LedgerView[]): void {
  const sum = (pick: (l: LedgerView) => number) => ledgers.reduce((total, l) => total + pick(l), 0);
  const emitted = sum((l) => l.emitted);
  const exported = sum((l) => l.exported);
  const pendingInSpool = sum((l) => l.pendingInSpool);
  const dropped = sum((l) => l.dropped.total);
  for (const l of ledgers) if ((l.inMemory ?? 0) !== 0) throw new Error(`${fault}: ledger still holds records in memory: ${JSON.stringify(l)}`);
  if (ledgers.length === 0 || emitted !== exported + pendingInSpool + dropped) {
    throw new Error(`${fault}: ledger out of balance: emitted ${emitted} != exported ${exported} + pending ${pendingInSpool} + dropped ${dropped}`);
  }
  const reasons: Record<string, number> = {};
  for (const l of ledgers) for (const [reason, count] of Object.entries(l.dropped)) if (reason !== 'total' && count) reasons[reason] = (reasons[reason] ?? 0) + count;
  const row = { fault, ...numbers, emitted, exported, pendingInSpool, dropped, droppedBy: reasons, ledger: 'balanced' };
  process.stdout.write(`[fault-table] ${JSON.stringify(row)}\n`);
  const file = join(FAULT_RESULTS_DIR, `${basename(expect.getState().testPath ?? 'unknown', '.ts')}.jsonl`);
  mkdirSync(FAULT_RESULTS_DIR, { recursive: true });
  if (!started.has(file)) {
    started.add(file);
    writeFileSync(file, '');
  }
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/**
 * A TCP forwarder on a fixed port: `down()` closes it (connections refused, as a stopped collector),
 * `up()` listens again and forwards to `target`.
 */
export async function startForwarder(targetPort: number): Promise<{ port: number; up(): Promise<void>; down(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const down = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  return {
    port,
    async up() {
      if (server) return;
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        sockets.add(client);
        sockets.add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    down,
    close: down,
  };
}

export interface ChildRun {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves when the child printed `line` on stdout. */
  waitForLine(line: string, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; elapsedMs: number }>;
}

/** Runs test/faults/fixtures/child.mjs with a config file and a JSON plan (under `wrapper`, e.g. prlimit, when given). */
export function runChild(configPath: string, plan: Record<string, unknown>, wrapper: string[] = []): ChildRun {
  const started = performance.now();
  const argv = [process.execPath, CHILD, configPath, JSON.stringify(plan)];
  const command = [...wrapper, ...argv];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const listeners = new Set<() => void>();
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let index: number;
    while ((index = buffer.indexOf('\n')) >= 0) {
      stdout.push(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
    }
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; elapsedMs: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, elapsedMs: performance.now() - started }));
  });
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLine(line, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stdout.includes(line)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`child did not print "${line}" within ${timeoutMs} ms; stdout=${stdout.join('|')} stderr=${stderr.join('')}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => setTimeout(check, 10));
        check();
      });
    },
  };
}

/** The ledger a child printed as it exited (`final-stats` line of child.mjs). */
export function childLedger(run: ChildRun): LedgerView {
  const line = run.stdout.find((l) => l.startsWith('final-stats '));
  if (!line) throw new Error(`child printed no final-stats: ${run.stdout.join('|')} ${run.stderr.join('')}`);
  return JSON.parse(line.slice('final-stats '.length)) as LedgerView;
}

export function writeConfig(dir: string, toml: string, name = 'config.toml'): string {
  const path = join(dir, name);
  writeFileSync(path, toml);
  return path;
}
