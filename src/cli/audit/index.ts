/** The audit API, for other commands (`demo`'s summary) and tests. */
export { auditFiles, registerAudit, runAudit, type AuditOptions, type AuditFilesOptions, type AuditProgress, type AuditProgressCallback, type AuditResult } from './command.js';
export { AuditAggregator, buildAuditReport, type AuditFilter, type AuditReport, type AuditReadSummary } from './report.js';
export { DENIAL_DECISIONS, LEGACY_DECISIONS, SPAN_DENIAL_LABEL, currentDecision, isDenial } from './decisions.js';
export { formatAuditReport, AUDIT_FORMATS, AUDIT_SECTIONS, type AuditFormat, type AuditSection } from './format.js';
export { readOtlpJson, readOtlpJsonLogs, emptyReadStats, type AuditItem, type ReadStats, type MalformedLine } from './read-otlp-json.js';
export { parseOtlpJsonLine, type AuditRecord, type AuditSpan, type PlainValue, type PlainAttributes } from './otlp-json.js';
export { DEFAULT_DECOMPRESSION_LIMITS, DecompressionLimitError, type DecompressionLimits } from './source.js';
export { parseTimeBound } from './time-bound.js';
