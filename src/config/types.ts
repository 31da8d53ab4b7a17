/** Paths of the TLS files, already resolved against the config file's folder. */
export interface TlsFiles {
  caCertificate?: string;
  clientCertificate?: string;
  clientPrivateKey?: string;
}

export type OtlpHttpProtocol = 'binary' | 'json';

export interface OtlpHttpExporterConfig {
  kind: 'otlp-http';
  endpoint: string;
  protocol: OtlpHttpProtocol;
  /** Header values after `${VAR}` expansion and the OTEL_EXPORTER_OTLP_*_HEADERS merge. Secret: never print. */
  headers: Record<string, string>;
  tls?: TlsFiles;
}

export interface OtlpGrpcExporterConfig {
  kind: 'otlp-grpc';
  endpoint: string;
  headers: Record<string, string>;
  tls?: TlsFiles;
}

/** `statsig` is Codex's own vendor metrics sink: accepted so the file loads, treated as none. */
export type ExporterConfig =
  | { kind: 'none' }
  | { kind: 'statsig' }
  | OtlpHttpExporterConfig
  | OtlpGrpcExporterConfig;

export type NetworkExporterConfig = OtlpHttpExporterConfig | OtlpGrpcExporterConfig;

export type Signal = 'logs' | 'metrics' | 'traces';

export type IdentityMode = 'keep' | 'hash' | 'drop';

export interface ExtraSecretPattern {
  kind: string;
  regex: string;
}

/** Keys of our own, under `[otel.codex_otel]`: real Codex ignores unknown keys inside `[otel]`. */
export interface CodexOtelExtensions {
  shutdownTimeoutMs: number;
  metricsTemporality: 'delta' | 'cumulative';
  metricsExportIntervalMs: number;
  logQueueSize: number;
  /** Cap of the log queue in estimated bytes of memory; whichever cap is reached first drops. */
  logQueueMaxBytes: number;
  logBatchSize: number;
  /** Estimated bytes per log batch at most (a batch answered "too large" anyway is split). */
  logBatchMaxBytes: number;
  logScheduleDelayMs: number;
  fileOutput?: FileOutputConfig;
  spool?: SpoolConfig;
  redaction: { enabled: boolean; extraPatterns: ExtraSecretPattern[] };
  identity: { email: IdentityMode; accountId: IdentityMode; salt?: string; saltEnv?: string };
}

export interface FileOutputConfig {
  /** Folder that receives `logs.jsonl` and `metrics.jsonl` (OTLP/JSON lines). */
  directory: string;
  maxBytes: number;
  maxFiles: number;
}

export interface SpoolConfig {
  directory: string;
  maxBytes: number;
}

export interface OtelConfig {
  /** The file the config came from, or undefined when built from defaults. */
  source?: string;
  /** True when the file has an `[otel]` table. Without it, telemetry is off. */
  present: boolean;
  environment: string;
  logUserPrompt: boolean;
  exporter: ExporterConfig;
  traceExporter: ExporterConfig;
  metricsExporter: ExporterConfig;
  /** `span_attributes`: set on every span when it starts (only when spans are exported). */
  spanAttributes: Record<string, string>;
  /** `tracestate`: W3C tracestate members (`member -> field -> value`) merged into propagated trace context. */
  tracestate: Record<string, Record<string, string>>;
  /** `[otel.tool_result] max_bytes`: size of the `codex.tool_result` output preview in bytes. */
  toolResultMaxBytes: number;
  extensions: CodexOtelExtensions;
}

export interface ConfigProblem {
  /** Dotted key path, e.g. `otel.exporter.otlp-http.protocol`, or the file for syntax errors. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
}

export interface ConfigResult {
  config?: OtelConfig;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}
