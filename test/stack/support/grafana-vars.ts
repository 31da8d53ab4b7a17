/**
 * Template variables of a dashboard query resolved the way Grafana resolves them before it sends
 * the query to the datasource (documented behaviour, written out here because the Grafana server
 * itself cannot run on this project's machines):
 * - `$__interval`: time range / max data points, rounded to a "nice" value, never below the
 *   datasource's min interval (the provisioned Prometheus `timeInterval`, 15s; Loki has none set);
 * - `$__rate_interval` (Prometheus): max($__interval + scrape interval, 4 × scrape interval), the
 *   scrape interval being the datasource's `timeInterval`;
 * - `$__range`: the dashboard's time range, in seconds (`900s` for 15 minutes);
 * - `$__auto` (Loki): the step of a range query ($__interval), `$__range` in an instant query;
 * - a multi-value variable set to All with an `allValue` becomes that allValue verbatim; one
 *   selected value is regex-escaped (the variables here are used with =~).
 */
export interface GrafanaTime { fromMs: number; toMs: number; maxDataPoints: number }

/** Grafana's rounding of a raw interval (ms) to a "nice" one, for the ranges the tests use. */
export function roundInterval(ms: number): number {
  const table: Array<[number, number]> = [
    [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000], [3500, 2000],
    [7500, 5000], [12500, 10000], [17500, 15000], [25000, 20000], [45000, 30000], [90000, 60000],
    [210000, 120000], [450000, 300000], [750000, 600000], [1050000, 900000], [1500000, 1200000],
    [2700000, 1800000], [5400000, 3600000],
  ];
  for (const [below, value] of table) if (ms < below) return value;
  throw new Error(`interval ${ms} ms is beyond what these tests use`);
}

export function intervalMs(time: GrafanaTime, minIntervalMs: number): number {
  return Math.max(roundInterval((time.toMs - time.fromMs) / time.maxDataPoints), minIntervalMs);
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;
const regexEscape = (v: string): string => v.replace(/[\\^$*+?.()|{}[\]]/g, '\\$&');

export interface VariableValues {
  /** variable name -> 'All' (use its allValue) or the selected values */
  [name: string]: 'All' | string[];
}

export interface ResolveOptions {
  datasource: 'prometheus' | 'loki' | 'tempo';
  queryType: 'range' | 'instant';
  time: GrafanaTime;
  /** the datasource's min interval (Prometheus `timeInterval`) in ms */
  scrapeIntervalMs: number;
  variables: VariableValues;
  /** dashboard templating list (for allValue / textbox values) */
  templating: Array<{ name: string; type: string; allValue?: string; query?: unknown }>;
}

/** The query text Grafana would send, plus the step it would ask for. */
export function resolveQuery(expr: string, o: ResolveOptions): { query: string; stepMs: number } {
  const minInterval = o.datasource === 'prometheus' ? o.scrapeIntervalMs : 1;
  const interval = intervalMs(o.time, minInterval);
  const range = o.time.toMs - o.time.fromMs;
  const builtins: Record<string, string> = {
    __rate_interval: seconds(Math.max(interval + o.scrapeIntervalMs, 4 * o.scrapeIntervalMs)),
    __interval: seconds(interval),
    __range: seconds(range),
    __auto: o.queryType === 'instant' ? seconds(range) : seconds(interval),
  };
  const value = (name: string): string => {
    if (name in builtins) return builtins[name]!;
    const def = o.templating.find((v) => v.name === name);
    if (!def) throw new Error(`unknown variable $${name}`);
    const chosen = o.variables[name];
    if (def.type === 'textbox') return chosen && chosen !== 'All' ? chosen[0]! : String(def.query ?? '');
    if (chosen === undefined || chosen === 'All') {
      if (def.allValue === undefined) throw new Error(`$${name} has no allValue`);
      return def.allValue;
    }
    return chosen.length === 1 ? regexEscape(chosen[0]!) : `(${chosen.map(regexEscape).join('|')})`;
  };
  const query = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => value((a ?? b)!));
  return { query, stepMs: interval };
}
