/** The audit API, for other commands (`simulate`'s summary) and tests. */
export { auditFiles, registerAudit, runAudit, type AuditOptions, type AuditResult } from './command.js';
export { AuditAggregator, buildAuditReport, DENIAL_DECISIONS, type AuditFilter, type AuditReport, type AuditReadSummary } from './report.js';
export { formatAuditReport, AUDIT_FORMATS, AUDIT_SECTIONS, type AuditFormat, type AuditSection } from './format.js';
export { readOtlpJsonLogs, emptyReadStats, type ReadStats, type MalformedLine } from './read-otlp-json.js';
export { parseOtlpJsonLine, type AuditRecord, type PlainValue, type PlainAttributes } from './otlp-json.js';
export { parseTimeBound } from './time-bound.js';
