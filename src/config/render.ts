import { DEFAULT_TOOL_RESULT_MAX_BYTES } from './defaults.js';
import { resolveSpoolConfig } from './spool.js';
import { safeEndpoint } from './safe-endpoint.js';
import type { ExporterConfig, OtelConfig } from './types.js';

export const MASK = '***';

/** A copy of the config that is safe to print: header values and the identity salt masked. */
export function maskedConfig(config: OtelConfig): OtelConfig {
  const copy = structuredClone(config);
  for (const exporter of [copy.exporter, copy.traceExporter, copy.metricsExporter]) {
    if (exporter.kind === 'otlp-http' || exporter.kind === 'otlp-grpc') {
      for (const name of Object.keys(exporter.headers)) exporter.headers[name] = MASK;
      // Credentials in the URL (warned about by the loader) are as secret as a header.
      exporter.endpoint = safeEndpoint(exporter.endpoint);
    }
  }
  if (copy.extensions.identity.salt !== undefined) copy.extensions.identity.salt = MASK;
  return copy;
}

/** The resolved config as a person reads it, with every secret masked. */
export function renderConfig(config: OtelConfig): string {
  const safe = maskedConfig(config);
  const lines: string[] = [];
  lines.push(`config file: ${safe.source ?? '(none: built-in defaults)'}`);
  if (!safe.present) {
    lines.push('[otel]: absent — telemetry is off (nothing is recorded or sent)');
    return lines.join('\n');
  }
  lines.push('[otel]');
  lines.push(`  environment       = ${JSON.stringify(safe.environment)}`);
  lines.push(`  log_user_prompt   = ${safe.logUserPrompt}${safe.logUserPrompt ? '' : '  (prompts sent as [REDACTED])'}`);
  lines.push(...renderExporter('exporter (logs)', safe.exporter));
  lines.push(...renderExporter('metrics_exporter', safe.metricsExporter));
  lines.push(...renderExporter('trace_exporter', safe.traceExporter));
  const spanKeys = Object.keys(safe.spanAttributes);
  if (spanKeys.length) lines.push(`  span_attributes   = ${spanKeys.sort().map((k) => `${k} = ${JSON.stringify(safe.spanAttributes[k])}`).join(', ')}${safe.traceExporter.kind === 'none' ? '  (unused: no trace exporter)' : ''}`);
  const members = Object.keys(safe.tracestate);
  if (members.length) lines.push(`  tracestate        = ${members.sort().join(', ')}`);
  if (safe.toolResultMaxBytes !== DEFAULT_TOOL_RESULT_MAX_BYTES) lines.push(`[otel.tool_result]\n  max_bytes = ${safe.toolResultMaxBytes}`);
  const ext = safe.extensions;
  lines.push('[otel.codex_otel]');
  lines.push(`  shutdown_timeout_ms        = ${ext.shutdownTimeoutMs}`);
  lines.push(`  metrics_temporality        = ${JSON.stringify(ext.metricsTemporality)}`);
  lines.push(`  metrics_export_interval_ms = ${ext.metricsExportIntervalMs}`);
  lines.push(`  log_queue_size             = ${ext.logQueueSize}`);
  lines.push(`  log_queue_max_bytes        = ${ext.logQueueMaxBytes}`);
  lines.push(`  log_batch_size             = ${ext.logBatchSize}`);
  lines.push(`  log_batch_max_bytes        = ${ext.logBatchMaxBytes}`);
  lines.push(`  log_schedule_delay_ms      = ${ext.logScheduleDelayMs}`);
  lines.push(`  file      = ${ext.fileOutput ? `${ext.fileOutput.directory} (rotate at ${ext.fileOutput.maxBytes} bytes, keep ${ext.fileOutput.maxFiles})` : 'off'}`);
  const spool = resolveSpoolConfig(safe);
  const spoolNote = ext.spool ? '' : ' (default for a network logs or trace exporter)';
  lines.push(`  spool     = ${spool ? `${spool.directory} (cap ${spool.maxBytes} bytes)${spoolNote}` : 'off (no network logs or trace exporter)'}`);
  lines.push(`  redaction = ${ext.redaction.enabled ? 'on' : 'OFF'}${ext.redaction.extraPatterns.length ? `, ${ext.redaction.extraPatterns.length} extra pattern(s): ${ext.redaction.extraPatterns.map((p) => p.kind).join(', ')}` : ''}`);
  lines.push(`  identity  = user.email: ${ext.identity.email}, user.account_id: ${ext.identity.accountId}${ext.identity.salt ? `, salt from ${ext.identity.saltEnv} (${MASK})` : ''}`);
  return lines.join('\n');
}

function renderExporter(label: string, exporter: ExporterConfig): string[] {
  if (exporter.kind === 'none' || exporter.kind === 'statsig') return [`  ${label.padEnd(17)} = ${exporter.kind}${exporter.kind === 'statsig' ? ' (treated as none)' : ''}`];
  const lines = [`  ${label.padEnd(17)} = ${exporter.kind}`, `    endpoint = ${exporter.endpoint}`];
  if (exporter.kind === 'otlp-http') lines.push(`    protocol = ${exporter.protocol}`);
  for (const name of Object.keys(exporter.headers).sort()) lines.push(`    header ${name} = ${exporter.headers[name]}`);
  if (exporter.tls?.caCertificate) lines.push(`    tls ca-certificate     = ${exporter.tls.caCertificate}`);
  if (exporter.tls?.clientCertificate) lines.push(`    tls client-certificate = ${exporter.tls.clientCertificate}`);
  if (exporter.tls?.clientPrivateKey) lines.push(`    tls client-private-key = ${exporter.tls.clientPrivateKey}`);
  return lines;
}
