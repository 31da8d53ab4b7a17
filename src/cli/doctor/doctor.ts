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
import { readConfig } from '../../config/load.js';
import { formatProblem } from '../../config/problems.js';
import type { ExporterConfig, NetworkExporterConfig, OtelConfig } from '../../config/types.js';
import { createLogExporter, createMetricExporter, DEFAULT_EXPORT_TIMEOUT_MS, isNetworkExporter } from '../../export/exporters.js';
import { buildResources } from '../../export/resource.js';
import { createTelemetry } from '../../telemetry.js';
import { PACKAGE_VERSION } from '../../version.js';
import type { CliIo } from '../io.js';
import { diagnose } from './diagnose.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CONFIG_ERROR = 2;

export const DOCTOR_ORIGINATOR = 'codex_otel_doctor';
export const CANARY_METRIC = 'codex_otel.doctor.canary';

export interface DoctorOptions {
  config?: string;
  timeout?: string | number;
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

export async function runDoctor(options: DoctorOptions, io: CliIo): Promise<number> {
  const timeoutMs = options.timeout === undefined ? DEFAULT_EXPORT_TIMEOUT_MS : Number(options.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    io.err(`codex-otel doctor: --timeout must be a positive integer of milliseconds, got ${JSON.stringify(String(options.timeout))}`);
    return EXIT_CONFIG_ERROR;
  }
  const result = await readConfig({ ...(options.config !== undefined ? { path: options.config } : {}), env: io.env });
  for (const warning of result.warnings) io.err(`warning: ${formatProblem(warning)}`);
  if (!result.config) {
    io.err(`${result.errors.length} config error(s):`);
    for (const error of result.errors) io.err(`  - ${formatProblem(error)}`);
    return EXIT_CONFIG_ERROR;
  }
  const config = result.config;
  const scrub = secretScrubber(config);
  const out = (line: string) => io.out(scrub(line));
  out(`config: ${config.source ?? '(built-in defaults)'}${config.present ? '' : ' (no [otel] table: telemetry is off)'}`);

  let failures = 0;
  let checked = 0;
  const signals: Array<{ key: string; label: string; signal: 'logs' | 'metrics'; exporter: ExporterConfig }> = [
    { key: 'exporter', label: 'logs', signal: 'logs', exporter: config.exporter },
    { key: 'metrics_exporter', label: 'metrics', signal: 'metrics', exporter: config.metricsExporter },
  ];
  for (const { key, label, signal, exporter } of signals) {
    if (!isNetworkExporter(exporter)) {
      out(`${label.padEnd(8)} ${key} = ${exporter.kind}${exporter.kind === 'statsig' ? ' (Codex\'s own sink; codex-otel treats it as none)' : ''}: nothing to check`);
      continue;
    }
    checked++;
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
    if (outcome.ok) {
      out(`${label.padEnd(8)} ${describeExporter(exporter)}: OK (${Math.round(outcome.ms)} ms)`);
    } else {
      failures++;
      out(`${label.padEnd(8)} ${describeExporter(exporter)}: FAILED after ${Math.round(outcome.ms)} ms (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}): ${outcome.reason}`);
      out(`${''.padEnd(8)} hint: ${outcome.hint}`);
    }
  }
  const trace = config.traceExporter;
  out(`${'traces'.padEnd(8)} trace_exporter = ${isNetworkExporter(trace) ? describeExporter(trace) : trace.kind}: not used by codex-otel (it emits no spans); not checked`);
  const file = fileOutputCheck(config);
  if (file) {
    out(`${'file'.padEnd(8)} ${file.ok ? 'OK' : 'FAILED'}: ${file.line}`);
    if (!file.ok) failures++;
    checked++;
  }
  out('');
  if (checked === 0) {
    out('nothing to check: no exporter is configured (exporter and metrics_exporter are "none", no file output)');
    return EXIT_OK;
  }
  if (checked > 0 && signals.some((s) => isNetworkExporter(s.exporter))) {
    out(`canary: one codex.conversation_starts event (originator = ${DOCTOR_ORIGINATOR}) and one ${CANARY_METRIC} point; filter on service_name="${DOCTOR_ORIGINATOR}" to find or hide them`);
  }
  out(failures === 0 ? 'all configured exporters work' : `${failures} check(s) failed`);
  return failures === 0 ? EXIT_OK : EXIT_FAILED;
}

export function registerDoctor(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('send a canary log event and metric point through every configured exporter and explain any failure')
    .option('-c, --config <path>', 'config.toml to read (default: $CODEX_HOME/config.toml)')
    .option('--timeout <ms>', `how long one export may take (default ${DEFAULT_EXPORT_TIMEOUT_MS})`)
    .action(async (options: DoctorOptions) => setExit(await runDoctor(options, io)));
}
