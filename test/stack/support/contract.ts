/**
 * The parts of the telemetry contract (shared/spec/telemetry-contract.md) the stack relies on,
 * as data, plus the translations of §3.3 (Prometheus) and §3.4 (Loki).
 */
import { DROPPED_COUNTER } from '../../../src/metrics/instruments.js';

export const AUDIT_EVENTS = [
  'codex.tool_decision',
  'codex.tool_result',
  'codex.sandbox_outcome',
  'codex.conversation_starts',
  'codex.user_prompt',
  'codex.network_proxy.policy_decision',
] as const;

export interface Instrument { name: string; kind: 'counter' | 'histogram'; unit?: string }

/** §3 instrument table (Codex 0.169: the token usage is a unit-less histogram). */
export const INSTRUMENTS: Instrument[] = [
  { name: 'codex.api_request', kind: 'counter' },
  { name: 'codex.api_request.duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.sse_event', kind: 'counter' },
  { name: 'codex.sse_event.duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.websocket.request', kind: 'counter' },
  { name: 'codex.websocket.request.duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.websocket.event', kind: 'counter' },
  { name: 'codex.websocket.event.duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.tool.call', kind: 'counter' },
  { name: 'codex.tool.call.duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.turn.e2e_duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.turn.ttft.duration_ms', kind: 'histogram', unit: 'ms' },
  { name: 'codex.approval.requested', kind: 'counter' },
  { name: 'codex.turn.token_usage', kind: 'histogram' },
];

const UNIT_WORDS: Record<string, string> = { ms: 'milliseconds', s: 'seconds', By: 'bytes' };

/** §3.3: the collector's Prometheus exporter, default translation. */
export function prometheusBaseName(instrument: Instrument): string {
  const tokens = instrument.name.split(/[^a-zA-Z0-9:]+/).filter(Boolean);
  const unitWord = instrument.unit ? UNIT_WORDS[instrument.unit] : undefined;
  if (unitWord && !tokens.includes(unitWord)) tokens.push(unitWord);
  if (instrument.kind === 'counter') tokens.push('total');
  return tokens.join('_');
}

/** Every series name a Codex instrument produces in Prometheus. */
export function prometheusSeriesNames(instrument: Instrument): string[] {
  const base = prometheusBaseName(instrument);
  return instrument.kind === 'histogram' ? [`${base}_bucket`, `${base}_sum`, `${base}_count`] : [base];
}

export const CODEX_SERIES: ReadonlySet<string> = new Set(INSTRUMENTS.flatMap(prometheusSeriesNames));

/** Our own self-metrics (codex_otel.*, not in the contract): the delivery ledger's drops by reason. */
export const SELF_SERIES: ReadonlySet<string> = new Set([{ name: DROPPED_COUNTER, kind: 'counter' as const }].flatMap(prometheusSeriesNames));

/** Names PromQL in this repo may use: Codex series, our self-metrics, target_info, up, and collector self-metrics. */
export function isKnownPrometheusName(name: string): boolean {
  return CODEX_SERIES.has(name) || SELF_SERIES.has(name) || name === 'target_info' || name === 'up' || /^otelcol_[a-z0-9_]+$/.test(name);
}

/** Prometheus labels on Codex series: the tags of §3 and §3.1, plus what our collector adds. */
export const PROMETHEUS_LABELS: ReadonlySet<string> = new Set([
  'status', 'success', 'kind', 'tool', 'sandbox', 'sandbox_policy', 'approved', 'token_type',
  'command_category', 'shell_snapshot_mode', 'reauth',
  'auth_mode', 'session_source', 'originator', 'model', 'app_version',
  'deployment_environment', 'le', 'job', 'instance', 'exporter', 'receiver', 'processor', 'transport',
  // codex_otel_dropped_records_total: which signal (logs, traces) and why the delivery ledger dropped it
  'signal', 'reason',
  // otelcol_deltatocumulative_datapoints_total: why delta_to_cumulative dropped a point
  'error',
]);

/** §1 / §1.1 / §1.2 / §1.3: every log attribute key the contract sends. */
export const LOG_ATTRIBUTE_KEYS = [
  'event.name', 'event.timestamp', 'conversation.id', 'app.version', 'auth_mode', 'originator',
  'user.account_id', 'user.email', 'terminal.type', 'model', 'slug',
  'provider_name', 'reasoning_effort', 'reasoning_summary', 'context_window', 'auto_compact_token_limit',
  'approval_policy', 'sandbox_policy', 'mcp_servers',
  'duration_ms', 'http.response.status_code', 'error.message', 'attempt', 'auth.header_attached',
  'auth.header_name', 'auth.retry_after_unauthorized', 'auth.recovery_mode', 'auth.recovery_phase',
  'endpoint', 'auth.request_id', 'auth.cf_ray', 'auth.error', 'auth.error_code',
  'event.kind', 'input_token_count', 'output_token_count', 'cached_token_count', 'reasoning_token_count',
  'tool_token_count', 'success', 'auth.connection_reused',
  'prompt_length', 'prompt',
  'tool_name', 'call_id', 'decision', 'source',
  'outcome', 'initial_duration_ms', 'escalated_duration_ms',
  'arguments', 'output', 'mcp_server', 'mcp_server_origin',
  'auth.env_openai_api_key_present', 'auth.env_codex_api_key_present', 'auth.env_codex_api_key_enabled',
  'auth.env_provider_key_name', 'auth.env_provider_key_present', 'auth.env_refresh_token_url_override_present',
  // Codex 0.169 additions (contract §1.2)
  'config.legacy_multi_agent_disabled_sources', 'startup.phase', 'startup.status',
  'cache_write_token_count', 'ttft_ms', 'service_tier', 'model_reasoning_effort',
  'auth.reauth', 'auth.agent_id', 'auth.task_id',
  'tool_result_seq', 'tool_namespace', 'output_truncated', 'agent_name',
  // ours: appended after the common attributes, and the record our collector derives from an aborted span
  'codex_otel.record_id', 'codex_otel.derived_from',
];

/** §2 resource keys (those not promoted to index labels land as structured metadata). */
export const RESOURCE_KEYS = ['service.name', 'service.version', 'env', 'deployment.environment', 'host.name', 'os', 'os_version'];

/** §3.4: Loki turns every character outside [A-Za-z0-9_] into `_`. */
export function lokiFieldName(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Index labels Loki's default OTLP config creates from the contract's resource. */
export const LOKI_INDEX_LABELS: ReadonlySet<string> = new Set(['service_name', 'deployment_environment']);

/** Everything a LogQL query here may name: index labels, structured metadata, LogQL's __error__. */
export const LOKI_FIELDS: ReadonlySet<string> = new Set([
  ...LOKI_INDEX_LABELS,
  ...LOG_ATTRIBUTE_KEYS.map(lokiFieldName),
  ...RESOURCE_KEYS.map(lokiFieldName),
  'severity_text', 'scope_name', 'detected_level', '__error__',
]);
