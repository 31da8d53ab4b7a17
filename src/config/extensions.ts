import { isAbsolute, resolve } from 'node:path';
import {
  DEFAULT_EXTENSIONS,
  DEFAULT_FILE_MAX_BYTES,
  DEFAULT_FILE_MAX_FILES,
  DEFAULT_IDENTITY_SALT_ENV,
  DEFAULT_SPOOL_MAX_BYTES,
} from './defaults.js';
import { compileExtraPatterns } from '../redact/compile.js';
import type { ProblemList } from './problems.js';
import type { CodexOtelExtensions, ExtraSecretPattern, IdentityMode } from './types.js';
import { isTable, MAX_TIMER_MS, readBoolean, readChoice, readIntegerInRange, readString, readTable, warnUnknownKeys, type Table } from './values.js';

/**
 * Working ranges of the size and duration keys. Durations end up in Node timers (at most MAX_TIMER_MS);
 * a batch must fit in one request of the transports (gRPC servers accept 4 MiB by default, proxies often 1 MiB);
 * sizes stay within what one process can hold or one disk can take.
 */
export const RANGES = {
  shutdown_timeout_ms: [1, MAX_TIMER_MS],
  metrics_export_interval_ms: [100, MAX_TIMER_MS],
  log_schedule_delay_ms: [1, MAX_TIMER_MS],
  log_queue_size: [1, 16_777_216],
  log_queue_max_bytes: [64 * 1024, 4 * 1024 ** 3],
  log_batch_size: [1, 16_777_216],
  log_batch_max_bytes: [1024, 64 * 1024 ** 2],
  file_max_bytes: [1024, 1024 ** 4],
  file_max_files: [1, 10_000],
  spool_max_bytes: [1024, 1024 ** 4],
} as const satisfies Record<string, readonly [number, number]>;

export const EXTENSION_TABLE = 'codex_otel';

/** A pattern that cannot match, to validate a kind on its own. */
const NEVER_MATCHES = '(?!)';

const IDENTITY_MODES = ['keep', 'hash', 'drop'] as const;

interface ExtensionContext {
  baseDir: string;
  env: NodeJS.ProcessEnv;
  problems: ProblemList;
}

/** `[otel.codex_otel]`: settings that real Codex does not have and ignores. */
export function parseExtensions(raw: unknown, path: string, ctx: ExtensionContext): CodexOtelExtensions {
  const ext = structuredClone(DEFAULT_EXTENSIONS) as CodexOtelExtensions;
  if (raw === undefined) return ext;
  const { problems } = ctx;
  if (!isTable(raw)) {
    problems.wrongType(path, 'a table', raw);
    return ext;
  }
  warnUnknownKeys(raw, [
    'shutdown_timeout_ms', 'metrics_temporality', 'metrics_export_interval_ms',
    'log_queue_size', 'log_queue_max_bytes', 'log_batch_size', 'log_batch_max_bytes', 'log_schedule_delay_ms',
    'file', 'spool', 'redaction', 'identity',
  ], path, problems);
  const ranged = (table: Table, key: keyof typeof RANGES, at: string, name: string = key) =>
    readIntegerInRange(table, name, at, problems, RANGES[key][0], RANGES[key][1]);
  ext.shutdownTimeoutMs = ranged(raw, 'shutdown_timeout_ms', path) ?? ext.shutdownTimeoutMs;
  ext.metricsTemporality = readChoice(raw, 'metrics_temporality', path, ['delta', 'cumulative'] as const, problems) ?? ext.metricsTemporality;
  ext.metricsExportIntervalMs = ranged(raw, 'metrics_export_interval_ms', path) ?? ext.metricsExportIntervalMs;
  ext.logQueueSize = ranged(raw, 'log_queue_size', path) ?? ext.logQueueSize;
  ext.logQueueMaxBytes = ranged(raw, 'log_queue_max_bytes', path) ?? ext.logQueueMaxBytes;
  ext.logBatchSize = ranged(raw, 'log_batch_size', path) ?? ext.logBatchSize;
  ext.logBatchMaxBytes = ranged(raw, 'log_batch_max_bytes', path) ?? ext.logBatchMaxBytes;
  ext.logScheduleDelayMs = ranged(raw, 'log_schedule_delay_ms', path) ?? ext.logScheduleDelayMs;
  if (ext.logBatchSize > ext.logQueueSize) {
    problems.error(`${path}.log_batch_size`, 'must not exceed log_queue_size', `at most ${ext.logQueueSize}`, String(ext.logBatchSize));
  }

  const file = readTable(raw, 'file', path, problems);
  if (file) {
    const filePath = `${path}.file`;
    warnUnknownKeys(file, ['directory', 'max_bytes', 'max_files'], filePath, problems);
    const directory = readDirectory(file, filePath, ctx);
    if (directory) {
      ext.fileOutput = {
        directory,
        maxBytes: ranged(file, 'file_max_bytes', filePath, 'max_bytes') ?? DEFAULT_FILE_MAX_BYTES,
        maxFiles: ranged(file, 'file_max_files', filePath, 'max_files') ?? DEFAULT_FILE_MAX_FILES,
      };
    }
  }

  const spool = readTable(raw, 'spool', path, problems);
  if (spool) {
    const spoolPath = `${path}.spool`;
    warnUnknownKeys(spool, ['directory', 'max_bytes'], spoolPath, problems);
    const directory = readDirectory(spool, spoolPath, ctx);
    if (directory) {
      ext.spool = { directory, maxBytes: ranged(spool, 'spool_max_bytes', spoolPath, 'max_bytes') ?? DEFAULT_SPOOL_MAX_BYTES };
    }
  }

  const redaction = readTable(raw, 'redaction', path, problems);
  if (redaction) {
    const redactionPath = `${path}.redaction`;
    warnUnknownKeys(redaction, ['enabled', 'extra_patterns'], redactionPath, problems);
    ext.redaction.enabled = readBoolean(redaction, 'enabled', redactionPath, problems) ?? true;
    ext.redaction.extraPatterns = readExtraPatterns(redaction, redactionPath, problems);
  }

  const identity = readTable(raw, 'identity', path, problems);
  if (identity) parseIdentity(identity, `${path}.identity`, ext, ctx);
  return ext;
}

function readDirectory(table: Table, path: string, ctx: ExtensionContext): string | undefined {
  const value = readString(table, 'directory', path, ctx.problems);
  if (value === undefined) {
    if (table['directory'] === undefined) ctx.problems.error(`${path}.directory`, 'is required', 'a folder path', 'nothing');
    return undefined;
  }
  return isAbsolute(value) ? value : resolve(ctx.baseDir, value);
}

function readExtraPatterns(table: Table, path: string, problems: ProblemList): ExtraSecretPattern[] {
  const raw = table['extra_patterns'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.wrongType(`${path}.extra_patterns`, 'an array of { kind, regex } tables', raw);
    return [];
  }
  const patterns: ExtraSecretPattern[] = [];
  raw.forEach((entry: unknown, index) => {
    const entryPath = `${path}.extra_patterns[${index}]`;
    if (!isTable(entry)) {
      problems.wrongType(entryPath, 'a table { kind = "…", regex = "…" }', entry);
      return;
    }
    // readString already reported a wrong type; "is required" only when the key is absent. Both keys are checked.
    const kind = readString(entry, 'kind', entryPath, problems);
    const regex = readString(entry, 'regex', entryPath, problems);
    if (entry['kind'] === undefined) problems.error(`${entryPath}.kind`, 'is required', 'a short name: letters, digits, "_", "-" or "."', 'nothing');
    if (entry['regex'] === undefined) problems.error(`${entryPath}.regex`, 'is required', 'a regular expression', 'nothing');
    if (kind === undefined || regex === undefined) return;
    // One validator for extra patterns: the scrubber's own. Kind and regex are checked apart so both are reported.
    const kindCheck = compileExtraPatterns([{ kind, regex: NEVER_MATCHES }]);
    const regexCheck = compileExtraPatterns([{ kind: kindCheck.ok ? kind : 'extra', regex }]);
    if (!kindCheck.ok) {
      for (const error of kindCheck.errors) {
        problems.error(`${entryPath}.kind`, error.message.replace(/^kind /, ''), 'a short name: letters, digits, "_", "-" or "."', JSON.stringify(kind));
      }
    }
    if (!regexCheck.ok) {
      for (const error of regexCheck.errors) {
        problems.error(`${entryPath}.regex`, error.message.replace(/^regex /, ''), 'a regular expression that needs at least one character');
      }
    }
    if (!kindCheck.ok || !regexCheck.ok) return;
    patterns.push({ kind, regex });
  });
  return patterns;
}

function parseIdentity(table: Table, path: string, ext: CodexOtelExtensions, ctx: ExtensionContext): void {
  const { problems, env } = ctx;
  warnUnknownKeys(table, ['email', 'account_id', 'salt_env'], path, problems);
  ext.identity.email = readChoice<IdentityMode>(table, 'email', path, IDENTITY_MODES, problems) ?? 'keep';
  ext.identity.accountId = readChoice<IdentityMode>(table, 'account_id', path, IDENTITY_MODES, problems) ?? 'keep';
  const saltEnv = readString(table, 'salt_env', path, problems) ?? DEFAULT_IDENTITY_SALT_ENV;
  ext.identity.saltEnv = saltEnv;
  if (ext.identity.email === 'hash' || ext.identity.accountId === 'hash') {
    const salt = env[saltEnv];
    if (!salt) {
      problems.error(`${path}.salt_env`, `hashing identities needs a salt in the environment variable ${saltEnv}, which is not set`,
        `${saltEnv} set to a secret of at least 16 characters`, 'it undefined');
    } else if (salt.length < 16) {
      problems.error(`${path}.salt_env`, `the salt in ${saltEnv} is too short to resist guessing`, 'at least 16 characters', `${salt.length} characters`);
    } else {
      ext.identity.salt = salt;
    }
  }
}
