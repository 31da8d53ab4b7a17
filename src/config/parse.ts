import { dirname } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { defaultConfig } from './defaults.js';
import { parseExporter } from './exporter.js';
import { EXTENSION_TABLE, parseExtensions } from './extensions.js';
import { ProblemList } from './problems.js';
import { parseSpanAttributes, parseTracestate } from './trace-settings.js';
import type { ConfigResult } from './types.js';
import { isTable, readBoolean, readPositiveInteger, readString, readTable, warnUnknownKeys } from './values.js';

export interface ParseOptions {
  /** The file the text came from: names syntax errors and anchors relative paths. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Folder for relative paths when there is no file; defaults to the current folder. */
  baseDir?: string;
}

const OTEL_KEYS = [
  'environment', 'log_user_prompt', 'exporter', 'trace_exporter', 'metrics_exporter',
  'span_attributes', 'tracestate', 'tool_result', EXTENSION_TABLE,
] as const;
const TOOL_RESULT_KEYS = ['max_bytes'] as const;

/** Turns the text of a config.toml into a validated config, collecting every problem. Never throws. */
export function parseConfigText(text: string, options: ParseOptions = {}): ConfigResult {
  const problems = new ProblemList();
  const env = options.env ?? process.env;
  const baseDir = options.path ? dirname(options.path) : (options.baseDir ?? process.cwd());
  const config = defaultConfig();
  if (options.path) config.source = options.path;

  let document: Record<string, unknown>;
  try {
    document = parseToml(text);
  } catch (error) {
    const where = options.path ?? 'config.toml';
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'syntax error';
      problems.error(`${where}:${error.line}:${error.column}`, `TOML syntax error: ${reason}`);
    } else {
      problems.error(where, `cannot parse: ${(error as Error).message}`);
    }
    return { errors: problems.errors, warnings: problems.warnings };
  }

  const otel = document['otel'];
  if (otel === undefined) return { config, errors: [], warnings: problems.warnings };
  if (!isTable(otel)) {
    problems.wrongType('otel', 'a table', otel);
    return { errors: problems.errors, warnings: problems.warnings };
  }
  config.present = true;
  warnUnknownKeys(otel, OTEL_KEYS, 'otel', problems, 'ignored (Codex ignores it too)');
  config.environment = readString(otel, 'environment', 'otel', problems) ?? config.environment;
  config.logUserPrompt = readBoolean(otel, 'log_user_prompt', 'otel', problems) ?? config.logUserPrompt;
  const ctx = { baseDir, env, problems };
  config.exporter = parseExporter(otel['exporter'], 'otel.exporter', 'logs', ctx);
  config.traceExporter = parseExporter(otel['trace_exporter'], 'otel.trace_exporter', 'traces', ctx);
  config.metricsExporter = parseExporter(otel['metrics_exporter'], 'otel.metrics_exporter', 'metrics', ctx);
  config.spanAttributes = parseSpanAttributes(otel['span_attributes'], 'otel.span_attributes', problems);
  config.tracestate = parseTracestate(otel['tracestate'], 'otel.tracestate', problems);
  config.extensions = parseExtensions(otel[EXTENSION_TABLE], `otel.${EXTENSION_TABLE}`, ctx);
  const toolResult = readTable(otel, 'tool_result', 'otel', problems);
  if (toolResult) {
    warnUnknownKeys(toolResult, TOOL_RESULT_KEYS, 'otel.tool_result', problems, 'ignored (Codex ignores it too)');
    config.toolResultMaxBytes = readPositiveInteger(toolResult, 'max_bytes', 'otel.tool_result', problems, 0) ?? config.toolResultMaxBytes;
  }

  if (problems.errors.length) return { errors: problems.errors, warnings: problems.warnings };
  return { config, errors: [], warnings: problems.warnings };
}
