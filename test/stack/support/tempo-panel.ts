/**
 * The security dashboard's Tempo panel (aborted tool spans: "denied or interrupted by the user"),
 * answered on the spans that really reached Tempo's OTLP endpoint: its TraceQL is read from the
 * dashboard, its variables resolved as for the other panels (grafana-vars.ts), and evaluated by the
 * test evaluator (traceql.ts), which refuses any construct it does not implement.
 */
import type { ReceivedSpan } from '../../support/otlp-model.js';
import { readJson } from './files.js';
import { resolveQuery, type VariableValues } from './grafana-vars.js';
import { evaluateTraceql, parseTraceql, truncatedBy, type TraceqlRow } from './traceql.js';

const DASHBOARD = 'dashboards/json/codex-security-audit.json';

export interface TempoPanel {
  title: string;
  /** the TraceQL as written in the dashboard */
  query: string;
  limit: number;
  spss: number;
}

/** The one Tempo table of the security dashboard. */
export function abortedSpansPanel(): TempoPanel {
  const dashboard = readJson(DASHBOARD);
  const panels = (dashboard.panels as any[]).filter((p) => (p.targets ?? []).some((t: any) => t.datasource?.type === 'tempo'));
  if (panels.length !== 1 || panels[0].targets.length !== 1) throw new Error(`${DASHBOARD}: expected one panel with one Tempo target, found ${panels.length}`);
  const [panel] = panels;
  const [t] = panel.targets;
  return { title: panel.title, query: t.query, limit: t.limit, spss: t.spss };
}

export interface PanelAnswer {
  /** the TraceQL sent, variables resolved */
  query: string;
  rows: TraceqlRow[];
  /** what Tempo's limit (traces) and spss (spans per trace) would leave out of the rows */
  truncated: { traces: number; spans: number };
}

/** The panel's rows over `spans`, for the dashboard's variables set to `variables` (unset = All). */
export function answerAbortedSpansPanel(spans: readonly ReceivedSpan[], variables: VariableValues = {}): PanelAnswer {
  const panel = abortedSpansPanel();
  const dashboard = readJson(DASHBOARD);
  const time = { fromMs: Date.now() - 24 * 3600_000, toMs: Date.now(), maxDataPoints: 950 };
  const { query } = resolveQuery(panel.query, { datasource: 'tempo', queryType: 'range', time, scrapeIntervalMs: 15_000, variables, templating: dashboard.templating.list });
  const rows = evaluateTraceql(parseTraceql(query), spans);
  return { query, rows, truncated: truncatedBy(rows, panel.limit, panel.spss) };
}

/** One selected field of a row, which must have exactly one value. */
export function single(row: TraceqlRow, label: string): string {
  const v = row.selected[label];
  if (v?.length !== 1) throw new Error(`row ${row.spanId}: ${label} has ${JSON.stringify(v)}`);
  return String(v[0]);
}
