import type { Signal } from './types.js';
import type { ProblemList } from './problems.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Expands `${VAR}` in one header value. The public Codex docs promise this; Codex itself does not do it.
 * A missing variable is an error that names the header and the variable, never the value.
 */
export function expandHeaderValue(
  value: string,
  headerPath: string,
  env: NodeJS.ProcessEnv,
  problems: ProblemList,
): string | undefined {
  let missing = false;
  const expanded = value.replace(VARIABLE, (_match, name: string) => {
    const replacement = env[name];
    if (replacement === undefined) {
      missing = true;
      problems.error(headerPath, `environment variable ${name} is not set`, `\${${name}} to be defined in the environment`, 'it undefined');
      return '';
    }
    return replacement;
  });
  return missing ? undefined : expanded;
}

/** RFC 9110 `token`: the characters a header (or gRPC metadata) name may have. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 `field-value`: visible ASCII, space, tab and obs-text; never CR, LF, NUL or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Checks one header as HTTP allows it (Node refuses the request otherwise, and every export would fail
 * and be spooled forever). Returns the problem as [expected, found] without ever quoting the value.
 */
export function headerProblem(name: string, value: string): { message: string; expected: string; found: string } | undefined {
  if (!TOKEN.test(name)) {
    return { message: 'is not a valid HTTP header name', expected: "a header name of letters, digits and !#$%&'*+-.^_`|~", found: JSON.stringify(name) };
  }
  if (!FIELD_VALUE.test(value)) {
    const index = [...value].findIndex((ch) => !FIELD_VALUE.test(ch));
    const ch = [...value][index]!;
    const what = ch === '\r' ? 'a carriage return (CR)' : ch === '\n' ? 'a line feed (LF)' : `the character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return { message: 'is not a valid HTTP header value', expected: 'a value without CR, LF or other control characters (tab, printable ASCII, Latin-1)', found: `${what} at character ${index + 1} (value not shown)` };
  }
  return undefined;
}

/** The environment variables that add headers to one signal, generic first, so the signal-specific one wins. */
export function headerEnvNames(signal: Signal): string[] {
  return ['OTEL_EXPORTER_OTLP_HEADERS', `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_HEADERS`];
}

/**
 * Parses `key1=value1,key2=value2` as OpenTelemetry specifies for OTEL_EXPORTER_OTLP_*HEADERS
 * (values percent-decoded). Malformed entries are skipped with a warning that names the variable only.
 */
export function parseHeaderList(name: string, raw: string, problems: ProblemList): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (key === '') {
      problems.warn(`env.${name}`, 'an entry is not of the form key=value and was skipped');
      continue;
    }
    try {
      const value = decodeURIComponent(entry.slice(eq + 1).trim());
      const problem = headerProblem(key, value);
      if (problem) {
        problems.error(`env.${name}.${key}`, problem.message, problem.expected, problem.found);
        continue;
      }
      headers[key.toLowerCase()] = value;
    } catch {
      problems.warn(`env.${name}`, `the value of header ${JSON.stringify(key)} is not valid percent-encoding and was skipped`);
    }
  }
  return headers;
}

/** Config headers, then the environment's; the environment wins on a clash, as in Codex. */
export function mergeEnvironmentHeaders(
  fromConfig: Record<string, string>,
  signal: Signal,
  env: NodeJS.ProcessEnv,
  problems: ProblemList,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(fromConfig)) merged[key.toLowerCase()] = value;
  for (const name of headerEnvNames(signal)) {
    const raw = env[name];
    if (raw) Object.assign(merged, parseHeaderList(name, raw, problems));
  }
  return merged;
}
