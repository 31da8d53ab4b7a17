import { readYaml } from './files.js';

export type Kind = 'receivers' | 'processors' | 'exporters' | 'connectors' | 'extensions';
export const KINDS: Kind[] = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'];

export interface Pipeline { receivers?: string[]; processors?: string[]; exporters?: string[] }
export interface CollectorConfig {
  receivers?: Record<string, any>;
  processors?: Record<string, any>;
  exporters?: Record<string, any>;
  connectors?: Record<string, any>;
  extensions?: Record<string, any>;
  service: { extensions?: string[]; pipelines: Record<string, Pipeline>; telemetry?: any };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges like the collector's confmap: maps merge key by key, later files win, lists are replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Loads and merges collector config files the way `--config=a --config=b` does. */
export function loadCollectorConfig(...files: string[]): CollectorConfig {
  return files.map((file) => readYaml(file)).reduce((acc, doc) => deepMerge(acc, doc), {}) as CollectorConfig;
}

/**
 * The config as the compose stack runs it: every `${env:VAR:-default}` replaced by its default
 * (the compose value). Values without a default stay as written.
 */
export function loadComposeCollectorConfig(...files: string[]): CollectorConfig {
  const expand = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\$\{env:[A-Za-z0-9_]+:-([^}]*)\}$/.exec(v);
      if (whole) return /^\d+$/.test(whole[1]!) ? Number(whole[1]) : whole[1];
      return v.replace(/\$\{env:[A-Za-z0-9_]+:-([^}]*)\}/g, '$1');
    }
    if (Array.isArray(v)) return v.map(expand);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
    return v;
  };
  return expand(loadCollectorConfig(...files)) as CollectorConfig;
}

/** `otlp_http/loki_audit` -> `otlp_http`. */
export function componentType(id: string): string {
  return id.split('/')[0] ?? id;
}

/** Problems with references between pipelines and defined components; empty when consistent. */
export function referenceProblems(config: CollectorConfig): string[] {
  const problems: string[] = [];
  const defined = (kind: Kind, id: string): boolean => Object.prototype.hasOwnProperty.call(config[kind] ?? {}, id);
  const pipelines = config.service?.pipelines ?? {};
  if (Object.keys(pipelines).length === 0) problems.push('no pipelines');
  for (const [name, p] of Object.entries(pipelines)) {
    if (!p.receivers?.length) problems.push(`${name}: no receivers`);
    if (!p.exporters?.length) problems.push(`${name}: no exporters`);
    for (const id of p.receivers ?? []) if (!defined('receivers', id) && !defined('connectors', id)) problems.push(`${name}: receiver ${id} is not defined`);
    for (const id of p.processors ?? []) if (!defined('processors', id)) problems.push(`${name}: processor ${id} is not defined`);
    for (const id of p.exporters ?? []) if (!defined('exporters', id) && !defined('connectors', id)) problems.push(`${name}: exporter ${id} is not defined`);
  }
  for (const id of config.service?.extensions ?? []) if (!defined('extensions', id)) problems.push(`service.extensions: ${id} is not defined`);
  for (const id of Object.keys(config.connectors ?? {})) {
    const asExporter = Object.values(pipelines).some((p) => p.exporters?.includes(id));
    const asReceiver = Object.values(pipelines).some((p) => p.receivers?.includes(id));
    if (!asExporter || !asReceiver) problems.push(`connector ${id} must be an exporter of one pipeline and a receiver of another`);
  }
  return problems;
}

/** Components defined but referenced nowhere (pipelines, service.extensions, or another component's `storage`). */
export function unusedComponents(config: CollectorConfig): string[] {
  const used = new Set<string>();
  for (const p of Object.values(config.service?.pipelines ?? {})) {
    for (const id of [...(p.receivers ?? []), ...(p.processors ?? []), ...(p.exporters ?? [])]) used.add(id);
  }
  for (const id of config.service?.extensions ?? []) used.add(id);
  const out: string[] = [];
  for (const kind of KINDS) for (const id of Object.keys(config[kind] ?? {})) if (!used.has(id)) out.push(`${kind}.${id}`);
  return out;
}

/** Every component type in the config that the release does not ship. */
export function unknownTypes(config: CollectorConfig, release: Record<Kind, string[]>): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    for (const id of Object.keys(config[kind] ?? {})) if (!release[kind].includes(componentType(id))) out.push(`${kind}.${id}`);
  }
  return out;
}

/**
 * Every processor chain a record can take from a receiver to a real (non-connector) exporter,
 * following connectors across pipelines. Each path lists pipelines and processors in order.
 */
export interface PathToExporter { exporter: string; pipelines: string[]; processors: string[] }
export function pathsToExporters(config: CollectorConfig, signal: string): PathToExporter[] {
  const pipelines = config.service.pipelines;
  const isConnector = (id: string): boolean => Object.prototype.hasOwnProperty.call(config.connectors ?? {}, id);
  const out: PathToExporter[] = [];
  const walk = (name: string, seenPipelines: string[], seenProcessors: string[]): void => {
    if (seenPipelines.includes(name)) throw new Error(`pipeline cycle at ${name}`);
    const p = pipelines[name]!;
    const procs = [...seenProcessors, ...(p.processors ?? [])];
    const trail = [...seenPipelines, name];
    for (const exporter of p.exporters ?? []) {
      if (!isConnector(exporter)) { out.push({ exporter, pipelines: trail, processors: procs }); continue; }
      for (const [next, np] of Object.entries(pipelines)) if (np.receivers?.includes(exporter)) walk(next, trail, procs);
    }
  };
  for (const [name, p] of Object.entries(pipelines)) {
    const signalOf = name.split('/')[0];
    const fedByReceiver = (p.receivers ?? []).some((id) => !isConnector(id));
    if (signalOf === signal && fedByReceiver) walk(name, [], []);
  }
  return out;
}

/** The standard exporterhelper settings every "no data loss" exporter must carry. */
export function persistentQueueProblems(config: CollectorConfig, exporterId: string): string[] {
  const exp = config.exporters?.[exporterId] ?? {};
  const problems: string[] = [];
  const storage = exp.sending_queue?.storage;
  if (exp.sending_queue?.enabled !== true) problems.push(`${exporterId}: sending_queue.enabled must be true`);
  if (typeof storage !== 'string' || componentType(storage) !== 'file_storage') problems.push(`${exporterId}: sending_queue.storage must name a file_storage extension`);
  else if (!(config.service.extensions ?? []).includes(storage)) problems.push(`${exporterId}: storage ${storage} is not enabled in service.extensions`);
  if (exp.retry_on_failure?.enabled !== true) problems.push(`${exporterId}: retry_on_failure.enabled must be true`);
  if (exp.retry_on_failure?.max_elapsed_time !== 0) problems.push(`${exporterId}: retry_on_failure.max_elapsed_time must be 0 (never give up)`);
  return problems;
}
