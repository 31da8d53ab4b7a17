/**
 * `codex-otel doctor`: sends one canary log record and one canary metric point through every configured
 * exporter, built exactly as the library builds them (src/export/exporters.ts: same TLS, headers, timeouts),
 * calling export() directly and timing it. Reports OK with the latency, or the failure with a hint.
 *
 * The canary log record is a real `codex.conversation_starts` event built by the library, with
 * originator / service.name `codex_otel_doctor`, model `codex-otel-doctor`, and harmless policies
 * (on-request, read-only), so it lands in the same dashboards and can be filtered out. The canary metric is
 * one point of the counter `codex_otel.doctor.canary` (value 1) with the same resource.
 */
import { randomUUID } from 'node:crypto';
import { safeEndpoint } from '../../config/safe-endpoint.js';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { sendBatch, type BatchExporter } from '../../export/delivery/send.js';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { defaultConfig } from '../../config/defaults.js';
import { formatProblem } from '../../config/problems.js';
import type { ExporterConfig, NetworkExporterConfig, OtelConfig } from '../../config/types.js';
import { createLogExporter, createMetricExporter, DEFAULT_EXPORT_TIMEOUT_MS, isNetworkExporter } from '../../export/exporters.js';
import { buildResources } from '../../export/resource.js';
import { createTelemetry } from '../../telemetry.js';
import { PACKAGE_VERSION } from '../../version.js';
import { printConfigErrors, readCliConfig } from '../config-file.js';
import type { CliIo } from '../io.js';
import { diagnose } from './diagnose.js';

import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

export const DOCTOR_ORIGINATOR = 'codex_otel_doctor';
export const CANARY_METRIC = 'codex_otel.doctor.canary';

export interface DoctorOptions {
  config?: string;
  timeout?: string | number;
  json?: boolean;
}

type CheckResult = { ok: true; ms: number; attempts: number } | { ok: false; ms: number; attempts: number; reason: string; hint: string };

/** Records that capture what the library produced, instead of sending it. */
class CaptureLogExporter implements LogRecordExporter {
  records: ReadableLogRecord[] = [];
  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.records.push(...records);
    done({ code: ExportResultCode.SUCCESS });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

class CaptureMetricExporter implements PushMetricExporter {
  captured: ResourceMetrics | undefined;
  constructor(private readonly temporality: 'delta' | 'cumulative') {}
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    if (metrics.scopeMetrics.some((scope) => scope.metrics.length > 0)) this.captured = metrics;
    done({ code: ExportResultCode.SUCCESS });
  }
  selectAggregationTemporality(): AggregationTemporality {
    return this.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The canary `codex.conversation_starts` record, built by the library itself. */
async function canaryLogRecords(config: OtelConfig): Promise<ReadableLogRecord[]> {
  const capture = new CaptureLogExporter();
  const quiet = defaultConfig();
  quiet.present = true;
  quiet.environment = config.environment;
  const telemetry = createTelemetry(quiet, { originator: DOCTOR_ORIGINATOR, appVersion: PACKAGE_VERSION, diagnostics: false, logExporters: [capture] });
  const session = telemetry.startSession({
    conversationId: randomUUID(),
    model: 'codex-otel-doctor',
    terminalType: 'codex-otel-doctor',
    sessionSource: 'doctor',
    authEnv: { openaiApiKeyPresent: false, codexApiKeyPresent: false, codexApiKeyEnabled: false, refreshTokenUrlOverridePresent: false },
  });
  session.conversationStarts({ providerName: 'codex-otel-doctor', reasoningSummary: 'none', approvalPolicy: 'on-request', sandboxPolicy: 'read-only', mcpServers: [] });
  await telemetry.shutdown();
  return capture.records;
}

/** One point of `codex_otel.doctor.canary`, with the resource the library gives its metrics. */
async function canaryMetrics(config: OtelConfig): Promise<ResourceMetrics> {
  const capture = new CaptureMetricExporter(config.extensions.metricsTemporality);
  const resources = buildResources({ originator: DOCTOR_ORIGINATOR, appVersion: PACKAGE_VERSION, environment: config.environment });
  const provider = new MeterProvider({ resource: resources.metrics, readers: [new PeriodicExportingMetricReader({ exporter: capture, exportIntervalMillis: 3_600_000 })] });
  provider.getMeter('codex_otel.doctor').createCounter(CANARY_METRIC, { description: 'A canary point sent by codex-otel doctor.' })
    .add(1, { originator: DOCTOR_ORIGINATOR, 'app.version': PACKAGE_VERSION });
  await provider.forceFlush();
  await provider.shutdown();
  if (!capture.captured) throw new Error('internal: the canary metric was not collected');
  return capture.captured;
}

/**
 * One attempt through the one send path (no retry: doctor reports what the collector answers now), with
 * the exporter's own timeout and the same guard as delivery. The exporter's internal retry loop is taken
 * over, so a refused port is one connection attempt on every transport.
 */
async function check<Batch>(
  exporter: NetworkExporterConfig,
  signal: 'logs' | 'metrics',
  path: string,
  timeoutMs: number,
  sdkExporter: BatchExporter<Batch> & { shutdown(): Promise<void> },
  batch: Batch,
): Promise<CheckResult> {
  const started = performance.now();
  const sent = await sendBatch(sdkExporter, batch, { guardMs: timeoutMs + 2_000 });
  const ms = performance.now() - started;
  await Promise.race([sdkExporter.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  if (sent.ok) return { ok: true, ms, attempts: sent.attempts };
  const { reason, hint } = diagnose(sent.error, exporter, signal, path, timeoutMs);
  return { ok: false, ms, attempts: sent.attempts, reason, hint };
}

function describeExporter(exporter: NetworkExporterConfig): string {
  const endpoint = safeEndpoint(exporter.endpoint);
  return exporter.kind === 'otlp-http' ? `otlp-http (${exporter.protocol}) ${endpoint}` : `otlp-grpc ${endpoint}`;
}

function exporterPath(key: string, exporter: NetworkExporterConfig): string {
  return `otel.${key}.${exporter.kind}`;
}

/** Hides every header value that might appear in any text we print (a server may echo one back). */
function secretScrubber(config: OtelConfig): (line: string) => string {
  const secrets = new Set<string>();
  for (const exporter of [config.exporter, config.metricsExporter, config.traceExporter]) {
    if (isNetworkExporter(exporter)) for (const value of Object.values(exporter.headers)) if (value.length >= 3) secrets.add(value);
  }
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  return (line) => sorted.reduce((text, secret) => text.split(secret).join('***'), line);
}

function fileOutputCheck(config: OtelConfig): { ok: boolean; line: string } | undefined {
  const file = config.extensions.fileOutput;
  if (!file) return undefined;
  let probe = file.directory;
  for (;;) {
    try {
      const stats = statSync(probe);
      if (!stats.isDirectory()) return { ok: false, line: `${probe} is not a folder` };
      accessSync(probe, constants.W_OK);
      return { ok: true, line: probe === file.directory ? `${file.directory} is writable` : `${file.directory} will be created (in ${probe}, writable)` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(probe) !== probe) {
        probe = dirname(probe);
        continue;
      }
      return { ok: false, line: `${probe}: ${code ?? (error as Error).message}` };
    }
  }
}

/** One line of the doctor's report. */
export interface DoctorCheck {
  signal: 'logs' | 'metrics' | 'traces' | 'file';
  /** What was checked: the exporter and endpoint, the folder, or why nothing was. */
  target: string;
  status: 'ok' | 'failed' | 'not_configured' | 'not_checked';
  ms?: number;
  /** Export attempts made (one: doctor never retries, it reports what the collector answers now). */
  attempts?: number;
  reason?: string;
  hint?: string;
}

export interface DoctorReport {
  ok: boolean;
  config: string | null;
  checks: DoctorCheck[];
  /** Set when nothing at all is configured to receive telemetry: a failure, never "OK". */
  nothingConfigured?: string;
}

export async function runDoctor(options: DoctorOptions, io: CliIo): Promise<number> {
  const timeoutMs = options.timeout === undefined ? DEFAULT_EXPORT_TIMEOUT_MS : Number(options.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    const message = `--timeout must be a positive integer of milliseconds, got ${JSON.stringify(String(options.timeout))}`;
    if (options.json) io.out(JSON.stringify({ ok: false, error: message }, null, 2));
    io.err(`codex-otel doctor: ${message}`);
    return EXIT_USAGE;
  }
  const result = await readCliConfig(options.config, io);
  for (const warning of result.warnings) io.err(`warning: ${formatProblem(warning)}`);
  if (!result.config) {
    if (options.json) io.out(JSON.stringify({ ok: false, config: result.file.path, errors: result.errors }, null, 2));
    printConfigErrors(io, result.errors);
    return EXIT_USAGE;
  }
  const config = result.config;
  const scrub = secretScrubber(config);
  const report = await diagnoseAll(config, timeoutMs);
  if (options.json) {
    io.out(scrub(JSON.stringify(report, null, 2)));
  } else {
    for (const line of formatDoctor(report)) io.out(scrub(line));
  }
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

async function diagnoseAll(config: OtelConfig, timeoutMs: number): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const signals: Array<{ key: string; signal: 'logs' | 'metrics'; exporter: ExporterConfig }> = [
    { key: 'exporter', signal: 'logs', exporter: config.exporter },
    { key: 'metrics_exporter', signal: 'metrics', exporter: config.metricsExporter },
  ];
  for (const { key, signal, exporter } of signals) {
    if (!isNetworkExporter(exporter)) {
      checks.push({ signal, target: `${key} = ${exporter.kind}${exporter.kind === 'statsig' ? ' (Codex\'s own sink; codex-otel treats it as none)' : ''}`, status: 'not_configured' });
      continue;
    }
    const path = exporterPath(key, exporter);
    let outcome: CheckResult;
    try {
      if (signal === 'logs') {
        const records = await canaryLogRecords(config);
        outcome = await check(exporter, signal, path, timeoutMs, createLogExporter(exporter, timeoutMs), records);
      } else {
        const metrics = await canaryMetrics(config);
        outcome = await check(exporter, signal, path, timeoutMs, createMetricExporter(exporter, config.extensions.metricsTemporality, timeoutMs), metrics);
      }
    } catch (error) {
      outcome = { ok: false, ms: 0, attempts: 0, reason: `cannot build the exporter: ${(error as Error).message}`, hint: `check ${path}` };
    }
    checks.push(outcome.ok
      ? { signal, target: describeExporter(exporter), status: 'ok', ms: Math.round(outcome.ms), attempts: outcome.attempts }
      : { signal, target: describeExporter(exporter), status: 'failed', ms: Math.round(outcome.ms), attempts: outcome.attempts, reason: outcome.reason, hint: outcome.hint });
  }
  const trace = config.traceExporter;
  checks.push({ signal: 'traces', target: `trace_exporter = ${isNetworkExporter(trace) ? describeExporter(trace) : trace.kind}`, status: 'not_checked', reason: 'not used by codex-otel (it emits no spans)' });
  const file = fileOutputCheck(config);
  if (file) checks.push({ signal: 'file', target: config.extensions.fileOutput!.directory, status: file.ok ? 'ok' : 'failed', reason: file.line });
  const checked = checks.filter((c) => c.status === 'ok' || c.status === 'failed');
  const report: DoctorReport = {
    ok: checked.length > 0 && checked.every((c) => c.status === 'ok'),
    config: config.source ?? null,
    checks,
  };
  if (checked.length === 0) {
    report.nothingConfigured = config.present
      ? 'no exporter is configured (exporter and metrics_exporter are "none", no file output): nothing would be sent'
      : 'the config has no [otel] table: telemetry is off';
  }
  return report;
}

function formatDoctor(report: DoctorReport): string[] {
  const lines = [`config: ${report.config ?? '(built-in defaults)'}`];
  for (const c of report.checks) {
    const label = c.signal.padEnd(8);
    if (c.status === 'ok') lines.push(`${label} ${c.target}: OK${c.ms !== undefined ? ` (${c.ms} ms)` : ''}${c.signal === 'file' && c.reason ? `: ${c.reason}` : ''}`);
    else if (c.status === 'failed' && c.signal === 'file') lines.push(`${label} FAILED: ${c.reason}`);
    else if (c.status === 'failed') {
      lines.push(`${label} ${c.target}: FAILED after ${c.ms} ms${c.attempts !== undefined ? ` (${c.attempts} attempt${c.attempts === 1 ? '' : 's'})` : ''}: ${c.reason}`);
      lines.push(`${''.padEnd(8)} hint: ${c.hint}`);
    } else if (c.status === 'not_configured') lines.push(`${label} ${c.target}: nothing to check`);
    else lines.push(`${label} ${c.target}: ${c.reason}; not checked`);
  }
  lines.push('');
  if (report.nothingConfigured) {
    lines.push(`nothing to check: ${report.nothingConfigured}`);
    lines.push('doctor FAILED: configure an exporter in [otel] (see examples/config.toml), then run doctor again');
    return lines;
  }
  if (report.checks.some((c) => (c.signal === 'logs' || c.signal === 'metrics') && (c.status === 'ok' || c.status === 'failed'))) {
    lines.push(`canary: one codex.conversation_starts event (originator = ${DOCTOR_ORIGINATOR}) and one ${CANARY_METRIC} point; filter on service_name="${DOCTOR_ORIGINATOR}" to find or hide them`);
  }
  const failures = report.checks.filter((c) => c.status === 'failed').length;
  lines.push(failures === 0 ? 'all configured exporters work' : `${failures} check(s) failed`);
  return lines;
}

export function registerDoctor(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('send a canary log event and metric point through every configured exporter and explain any failure')
    .option('-c, --config <path>', 'config.toml to read (default: $CODEX_HOME/config.toml)')
    .option('--timeout <ms>', `how long one export may take (default ${DEFAULT_EXPORT_TIMEOUT_MS})`)
    .option('--json', 'print the report as JSON')
    .action(async (options: DoctorOptions) => setExit(await runDoctor(options, io)));
}
