export { DeliveryLogProcessor, type DeliveryProcessorOptions } from './processor.js';
export { RetryingMetricExporter } from './metric-exporter.js';
export { RetryPolicy, DEFAULT_RETRY, type RetryOptions } from './retry.js';
export { Spool, type ClaimedBatch, type SpoolOptions } from './spool.js';
export { DeliveryStats, DROP_REASONS, type DeliveryStatsSnapshot, type DropReason, type DropListener } from './stats.js';
export { classifyFailure, takeOverRetries, DeliveryError, type FailureClass } from './outcome.js';
export { reviveLogsRequest } from './revive.js';
export { replaySpool, resolveSpoolConfig, type ReplayResult } from './replay.js';
