import { dirname, join } from 'node:path';
import { DEFAULT_SPOOL_MAX_BYTES } from './defaults.js';
import type { OtelConfig, SpoolConfig } from './types.js';

export const DEFAULT_SPOOL_SUBDIR = join('codex-otel', 'spool');

/**
 * The spool of a config: `[otel.codex_otel] spool = { directory, max_bytes }` when set; otherwise, when logs
 * or spans go to a network exporter and the config came from a file, `<config folder>/codex-otel/spool`
 * (64 MiB). Without a network logs or trace exporter there is nothing to spool. A config built in code (no
 * file) has no default spool: nothing is written to disk unless asked for.
 */
export function resolveSpoolConfig(config: OtelConfig): SpoolConfig | undefined {
  const network = (kind: string) => kind === 'otlp-http' || kind === 'otlp-grpc';
  if (!network(config.exporter.kind) && !network(config.traceExporter.kind)) return undefined;
  if (config.extensions.spool) return config.extensions.spool;
  if (config.source) return { directory: join(dirname(config.source), DEFAULT_SPOOL_SUBDIR), maxBytes: DEFAULT_SPOOL_MAX_BYTES };
  return undefined;
}
