import type { CodexOtelExtensions, OtelConfig } from './types.js';

/** Codex's own batching is 1 s / queue 2048 / batch 512; our queue is larger so bursts are absorbed, not dropped. */
const DEFAULTS: CodexOtelExtensions = {
  shutdownTimeoutMs: 2000,
  metricsTemporality: 'delta',
  metricsExportIntervalMs: 60_000,
  logQueueSize: 65_536,
  logQueueMaxBytes: 32 * 1024 * 1024,
  logBatchSize: 1024,
  /** Below the common 1 MiB request limit of proxies, with room for the OTLP encoding around the records. */
  logBatchMaxBytes: 512 * 1024,
  logScheduleDelayMs: 1000,
  redaction: { enabled: true, extraPatterns: [] },
  identity: { email: 'keep', accountId: 'keep' },
};
export const DEFAULT_EXTENSIONS: Readonly<CodexOtelExtensions> = Object.freeze(DEFAULTS);

/** Codex's default size of the tool output preview (`[otel.tool_result] max_bytes`). */
export const DEFAULT_TOOL_RESULT_MAX_BYTES = 2048;
export const DEFAULT_FILE_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_FILE_MAX_FILES = 5;
export const DEFAULT_SPOOL_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_IDENTITY_SALT_ENV = 'CODEX_OTEL_IDENTITY_SALT';

export function defaultConfig(): OtelConfig {
  return {
    present: false,
    environment: 'dev',
    logUserPrompt: false,
    exporter: { kind: 'none' },
    traceExporter: { kind: 'none' },
    metricsExporter: { kind: 'none' },
    spanAttributes: {},
    tracestate: {},
    toolResultMaxBytes: DEFAULT_TOOL_RESULT_MAX_BYTES,
    extensions: structuredClone(DEFAULT_EXTENSIONS) as CodexOtelExtensions,
  };
}
