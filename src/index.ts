export { loadConfig, readConfig, parseConfigText, defaultConfig, defaultConfigPath, ConfigError, formatProblem, renderConfig } from './config/index.js';
export type { OtelConfig, ExporterConfig, ConfigProblem, ConfigResult, LoadConfigOptions } from './config/index.js';
// Telemetry and Session are built by createTelemetry / startSession only: their constructors are internal.
export { createTelemetry, type Telemetry, type TelemetryOptions } from './telemetry.js';
export type { Session } from './session.js';
export type * from './events/inputs.js';
export { CODEX_VERSION, EVENT_NAMES } from './events/catalog.js';
export { isApproval, isDenial } from './events/decisions.js';
export { CATALOG, type CatalogEvent, type CatalogAttribute, type EventId } from './catalog-view.js';
export { instrumentSseStream, timeApiRequest, timeToolCall, type SseEventReader, type AttemptTrace } from './helpers.js';
export { installExitHooks, type ExitHooks, type ExitHookOptions } from './exit-hooks.js';
export { sanitizeTag } from './metrics/sanitize.js';
export type { ShutdownResult, DeliveryOptions } from './export/pipeline.js';
export type { DeliveryStatsSnapshot, DropReason, LedgerSnapshot } from './export/delivery/stats.js';
export type { RetryOptions } from './export/delivery/retry.js';
export { DIAGNOSTICS_CHANNEL, type DiagnosticMessage } from './diagnostics.js';
export { SPAN_CATALOG } from './traces/catalog.js';
export type { TurnSpan, ModelRequestSpan, ToolCallSpan, TokenUsage, TurnInfo, ModelRequestInfo, ToolCallInfo } from './traces/types.js';
