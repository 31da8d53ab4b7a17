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
      headers[key.toLowerCase()] = decodeURIComponent(entry.slice(eq + 1).trim());
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
