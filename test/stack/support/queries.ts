import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import type { Tree } from '@lezer/common';

/** Grafana template variables replaced by values the parsers (and promtool) accept. */
const GRAFANA_VARIABLES: Array<[RegExp, string]> = [
  [/\$__rate_interval\b/g, '5m'],
  [/\$__interval\b/g, '1m'],
  [/\$__auto\b/g, '1m'],
  [/\$__range\b/g, '1h'],
  [/\$(env|user)\b/g, '.*'],
  [/\$(service|client)\b/g, '.+'],
];

export function substituteGrafanaVariables(expr: string): string {
  return GRAFANA_VARIABLES.reduce((acc, [pattern, value]) => acc.replace(pattern, value), expr);
}

/** Source text of every error node (lezer marks them with the ⚠ type). */
function errorNodes(tree: Tree, text: string): string[] {
  const out: string[] = [];
  tree.iterate({ enter: (node) => { if (node.type.isError) out.push(`at ${node.from}: "${text.slice(node.from, node.to + 10)}"`); } });
  return out;
}

function nodeTexts(tree: Tree, text: string, name: string, parent?: string): string[] {
  const out: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.name !== name) return;
      if (parent && node.node.parent?.type.name !== parent) return;
      out.push(text.slice(node.from, node.to));
    },
  });
  return out;
}

export function promqlErrors(expr: string): string[] {
  return errorNodes(promqlParser.parse(expr), expr);
}

/** Metric names: the Identifier of every vector selector, plus `__name__="..."` matchers. */
export function promqlMetricNames(expr: string): string[] {
  const tree = promqlParser.parse(expr);
  const names = nodeTexts(tree, expr, 'Identifier', 'VectorSelector');
  for (const m of expr.matchAll(/__name__\s*=\s*"([^"]+)"/g)) names.push(m[1]!);
  return names;
}

export function promqlLabelNames(expr: string): string[] {
  return nodeTexts(promqlParser.parse(expr), expr, 'LabelName');
}

export function logqlErrors(expr: string): string[] {
  return errorNodes(logqlParser.parse(expr), expr);
}

/** Labels and structured-metadata fields a LogQL query names, including `{{.field}}` in line_format. */
export function logqlFieldNames(expr: string): string[] {
  const names = nodeTexts(logqlParser.parse(expr), expr, 'Identifier');
  for (const m of expr.matchAll(/\{\{\s*\.([A-Za-z0-9_]+)/g)) names.push(m[1]!);
  return names;
}

export function traceqlErrors(expr: string): string[] {
  return errorNodes(traceqlParser.parse(expr), expr);
}
