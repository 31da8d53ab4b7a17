/**
 * Every dashboard JSON checked against the schema Grafana publishes for the pinned version
 * (docker-compose.yml: grafana/grafana:12.3.0). Grafana's schemas are CUE, published on npm as the
 * generated TypeScript types of @grafana/schema@12.3.0 (the package ships no JSON Schema): the
 * dashboard model, each panel plugin's Options / FieldConfig, and the Loki and Tempo query models. The
 * TypeScript compiler checks each dashboard as an object literal of those types, so a misspelled or
 * unknown key, a wrong type or an invalid enum value is an error. (The Grafana server itself
 * cannot run here: github.com/grafana/grafana is not to be used on this project's machines.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listFiles, readJson } from './support/files.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA_VERSION = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@grafana', 'schema', 'package.json'), 'utf8')).version as string;
const COMPOSABLE = '@grafana/schema/dist/types/raw/composable';

/** Panel type -> the module of its published options / field config. */
const PANEL_SCHEMAS: Record<string, { module: string; fieldConfig: boolean }> = {
  timeseries: { module: `${COMPOSABLE}/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen.d.ts`, fieldConfig: true },
  piechart: { module: `${COMPOSABLE}/piechart/panelcfg/x/PieChartPanelCfg_types.gen.d.ts`, fieldConfig: true },
  stat: { module: `${COMPOSABLE}/stat/panelcfg/x/StatPanelCfg_types.gen.d.ts`, fieldConfig: false },
  table: { module: `${COMPOSABLE}/table/panelcfg/x/TablePanelCfg_types.gen.d.ts`, fieldConfig: true },
  logs: { module: `${COMPOSABLE}/logs/panelcfg/x/LogsPanelCfg_types.gen.d.ts`, fieldConfig: false },
};

/**
 * Grafana writes `definition` (the query text shown in the variable editor) on query variables of
 * every dashboard it saves, but the 12.3.0 schema's VariableModel has no such key: it is the one key
 * taken out before the check.
 */
function withoutDefinitions(dashboard: any): any {
  const copy = structuredClone(dashboard);
  for (const v of copy.templating?.list ?? []) delete v.definition;
  return copy;
}

/** The source the compiler checks for one dashboard file. */
function checkSource(file: string, dashboard: any): string {
  const lines = [
    `import type { Dashboard } from '@grafana/schema';`,
    `import type { LokiDataQuery } from '${COMPOSABLE}/loki/dataquery/x/LokiDataQuery_types.gen.d.ts';`,
    `import type { TempoQuery, TempoQueryType } from '${COMPOSABLE}/tempo/dataquery/x/TempoDataQuery_types.gen.d.ts';`,
    // DataQuery types queryType as any string; the Tempo plugin's own union is checked too.
    'type TempoTarget = TempoQuery & { queryType?: TempoQueryType };',
    ...Object.entries(PANEL_SCHEMAS).map(([name, s]) => `import type * as ${name}Schema from '${s.module}';`),
    // JSON has no enums: a string enum member is written as its value. Every key is optional: the
    // CUE schema gives most of them defaults, which Grafana fills in when it loads a dashboard.
    'type Json<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]?: Json<T[K]> } : T;',
    `// ${file}`,
    `export const dashboard: Json<Dashboard> = ${JSON.stringify(withoutDefinitions(dashboard), null, 2)};`,
  ];
  const panels = (dashboard.panels as any[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  for (const p of panels) {
    const schema = PANEL_SCHEMAS[p.type];
    if (!schema) continue;
    lines.push(`// panel ${p.id} (${p.type}) "${p.title}"`);
    lines.push(`export const options${p.id}: Json<${p.type}Schema.Options> = ${JSON.stringify(p.options ?? {}, null, 2)};`);
    if (schema.fieldConfig) lines.push(`export const custom${p.id}: Json<${p.type}Schema.FieldConfig> = ${JSON.stringify(p.fieldConfig?.defaults?.custom ?? {}, null, 2)};`);
    for (const t of p.targets ?? []) {
      if (t.datasource?.type === 'loki') lines.push(`export const query${p.id}${t.refId}: Json<LokiDataQuery> = ${JSON.stringify(t, null, 2)};`);
      else if (t.datasource?.type === 'tempo') lines.push(`export const query${p.id}${t.refId}: Json<TempoTarget> = ${JSON.stringify(t, null, 2)};`);
      else if (t.datasource?.type !== 'prometheus') throw new Error(`panel ${p.id}: no query schema for datasource type ${t.datasource?.type}`);
    }
  }
  return lines.join('\n');
}

/** Compiler diagnostics of the generated source, each with the source line it points at. */
function diagnostics(source: string): string[] {
  const fileName = join(ROOT, 'test', 'stack', '__dashboard_schema_check__.ts');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : read(f));
  host.fileExists = ((exists) => (f: string) => f === fileName || exists(f))(host.fileExists.bind(host));
  host.getSourceFile = (f, lang, ...rest) => (f === fileName ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, ...rest));
  const program = ts.createProgram([fileName], options, host);
  const srcLines = source.split('\n');
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const context = where >= 0 ? ` at line ${where + 1}: ${srcLines[where]?.trim()}` : '';
    return `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${context}`;
  });
}

describe(`dashboards against Grafana's published schema (@grafana/schema ${SCHEMA_VERSION})`, () => {
  it('the schema package is the pinned Grafana version', () => {
    const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const pinned = /image:\s*grafana\/grafana:(\S+)/.exec(compose)?.[1];
    expect(SCHEMA_VERSION).toBe(pinned);
  });

  for (const file of listFiles('dashboards/json', ['.json'])) {
    it(`${file}: the dashboard, every panel's options and field config, every Loki and Tempo query`, () => {
      const dashboard = readJson(file);
      const panelTypes = new Set((dashboard.panels as any[]).map((p) => p.type));
      for (const t of panelTypes) expect(PANEL_SCHEMAS, `a schema for panel type ${t}`).toHaveProperty(t);
      expect(diagnostics(checkSource(file, dashboard))).toEqual([]);
    }, 120_000);
  }

  it('the check can fail: a misspelled key, a wrong type and an unknown enum value are reported', () => {
    const dashboard = readJson(listFiles('dashboards/json', ['.json'])[0]!);
    const broken = structuredClone(dashboard);
    broken.panels[0].gridPos.width = 12;
    broken.panels[0].options.legend.displayMode = 'sideways';
    broken.refresh = 60;
    const found = diagnostics(checkSource('broken', broken)).join('\n');
    expect(found).toMatch(/'"width"' does not exist/);
    expect(found).toMatch(/sideways/);
    expect(found).toMatch(/refresh/);
  }, 120_000);

  it('the Tempo query model is checked: an unknown table type, query type or key is reported', () => {
    const file = 'dashboards/json/codex-security-audit.json';
    const broken = structuredClone(readJson(file));
    const target = (broken.panels as any[]).flatMap((p) => p.targets ?? []).find((t: any) => t.datasource?.type === 'tempo');
    expect(target, 'the security dashboard has a Tempo target').toBeDefined();
    const unknownKey = structuredClone(broken);
    target.tableType = 'rows';
    target.queryType = 'logql';
    const found = diagnostics(checkSource(file, broken)).join('\n');
    expect(found).toMatch(/"rows"/);
    expect(found).toMatch(/"logql"/);
    (unknownKey.panels as any[]).flatMap((p) => p.targets ?? []).find((t: any) => t.datasource?.type === 'tempo').spansPerSpanset = 3;
    expect(diagnostics(checkSource(file, unknownKey)).join('\n')).toMatch(/spansPerSpanset/);
  }, 120_000);
});
