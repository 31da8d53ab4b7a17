/**
 * A TraceQL evaluator for the subset the dashboards use, driven by the parse tree of Grafana's
 * published lezer grammar (@grafana/lezer-traceql), so that a panel's query can be answered on the
 * spans that really reached Tempo's OTLP endpoint (Tempo itself cannot run on this project's
 * machines: its Go module is AGPL and not to be used here).
 *
 * Implemented: one spanset filter `{ … }` whose conditions are `span.<key>`, `resource.<key>`,
 * `.<key>` or the intrinsic `name`, compared with `=`, `!=`, `=~`, `!~` to a string, integer, float
 * or boolean literal, combined with `&&`, `||` and parentheses; then at most one `| select(…)` of such
 * fields. Everything else (structural operators, aggregates, by(), other intrinsics, nil, durations,
 * arithmetic, event/link scopes …) throws: a query this cannot read fails the test instead of passing.
 *
 * Semantics, as Tempo documents them: comparisons are typed (a string literal never equals an int
 * or bool attribute); a missing attribute makes a comparison false, whatever the operator; regexes
 * match the whole value (anchored); an unscoped `.key` matches a span or a resource attribute.
 * A key present on a span twice (a real Codex exec_command span carries `aborted` false, then true)
 * satisfies a comparison when one of its values does — how Tempo stores such a span is NOT verified.
 */
import { parser } from '@grafana/lezer-traceql';
import type { SyntaxNode } from '@lezer/common';
import type { ReceivedSpan, TypedValue } from '../../support/otlp-model.js';

type Scalar = string | number | boolean;
export type TraceqlField = { scope: 'span' | 'resource' | 'unscoped'; key: string } | { intrinsic: 'name' };
type Literal = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'bool'; value: boolean };
type Condition =
  | { all: true }
  | { logic: '&&' | '||'; left: Condition; right: Condition }
  | { op: '=' | '!=' | '=~' | '!~'; field: TraceqlField; literal: Literal; regex?: RegExp };

export interface TraceqlQuery { text: string; filter: Condition; select: Array<{ label: string; field: TraceqlField }> }

class Unsupported extends Error {}

function unsupported(text: string, node: SyntaxNode, why: string): never {
  throw new Unsupported(`TraceQL not implemented by the test evaluator (${why}) at ${node.from}: "${text.slice(node.from, node.to)}" in ${text}`);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Parses `text`; throws on a syntax error or on any construct outside the implemented subset. */
export function parseTraceql(text: string): TraceqlQuery {
  const tree = parser.parse(text);
  tree.iterate({ enter: (n) => { if (n.type.isError) throw new Error(`TraceQL syntax error at ${n.from}: "${text.slice(n.from, n.to + 10)}" in ${text}`); } });
  const top = children(tree.topNode);
  if (top.length !== 1 || top[0]!.name !== 'SpansetPipelineExpression') unsupported(text, tree.topNode, 'not a single spanset pipeline');
  const stages = pipelineStages(text, top[0]!);
  const [first, ...rest] = stages;
  const filterNode = children(first!);
  if (filterNode.length !== 1 || filterNode[0]!.name !== 'SpansetFilter') unsupported(text, first!, 'the first stage must be one spanset filter');
  const body = children(filterNode[0]!);
  const filter: Condition = body.length === 0 ? { all: true } : condition(text, body[0]!);
  if (body.length > 1) unsupported(text, filterNode[0]!, 'spanset filter');
  const select: TraceqlQuery['select'] = [];
  for (const stage of rest) {
    const ops = children(stage);
    if (ops.length !== 1 || ops[0]!.name !== 'SelectOperation' || select.length > 0) unsupported(text, stage, 'only one select() after the filter');
    const args = children(ops[0]!);
    if (args.length !== 1 || args[0]!.name !== 'SelectArgs') unsupported(text, ops[0]!, 'select arguments');
    for (const arg of selectArgs(args[0]!)) select.push({ label: text.slice(arg.from, arg.to), field: field(text, arg) });
  }
  return { text, filter, select };
}

/** The SpansetPipeline stages of `a | b | c` (the grammar nests pipes to the left). */
function pipelineStages(text: string, node: SyntaxNode): SyntaxNode[] {
  const parts = children(node);
  if (parts.length === 1 && parts[0]!.name === 'SpansetPipeline') return [parts[0]!];
  if (parts.length === 3 && parts[1]!.name === 'Pipe' && parts[0]!.name === 'SpansetPipelineExpression' && parts[2]!.name === 'SpansetPipelineExpression') {
    return [...pipelineStages(text, parts[0]!), ...pipelineStages(text, parts[2]!)];
  }
  return unsupported(text, node, 'spanset operators other than a pipe');
}

function selectArgs(node: SyntaxNode): SyntaxNode[] {
  return children(node).flatMap((c) => (c.name === 'SelectArgs' ? selectArgs(c) : [c]));
}

function condition(text: string, node: SyntaxNode): Condition {
  if (node.name !== 'FieldExpression') unsupported(text, node, node.name);
  const parts = children(node);
  if (parts.length === 1 && parts[0]!.name === 'FieldExpression') return condition(text, parts[0]!); // ( … )
  if (parts.length === 3 && (parts[1]!.name === 'And' || parts[1]!.name === 'Or')) {
    return { logic: parts[1]!.name === 'And' ? '&&' : '||', left: condition(text, parts[0]!), right: condition(text, parts[2]!) };
  }
  if (parts.length === 3 && parts[1]!.name === 'FieldOp') {
    const op = text.slice(parts[1]!.from, parts[1]!.to);
    if (op !== '=' && op !== '!=' && op !== '=~' && op !== '!~') unsupported(text, parts[1]!, `operator ${op}`);
    const lit = literal(text, parts[2]!);
    if ((op === '=~' || op === '!~') && lit.kind !== 'string') unsupported(text, parts[2]!, 'regex of a non-string');
    const regex = op === '=~' || op === '!~' ? new RegExp(`^(?:${lit.value as string})$`) : undefined;
    return { op, field: field(text, parts[0]!), literal: lit, regex };
  }
  return unsupported(text, node, 'expression');
}

function field(text: string, node: SyntaxNode): TraceqlField {
  const parts = children(node);
  if (node.name !== 'FieldExpression' || parts.length !== 1) unsupported(text, node, 'a field was expected');
  const f = parts[0]!;
  if (f.name === 'IntrinsicField') {
    if (text.slice(f.from, f.to) !== 'name') unsupported(text, f, 'intrinsic other than name');
    return { intrinsic: 'name' };
  }
  if (f.name !== 'AttributeField') unsupported(text, f, 'a field was expected');
  const segs = children(f);
  const id = segs[segs.length - 1]!;
  const key = text.slice(id.from, id.to);
  if (id.name !== 'Identifier' || /^["`]/.test(key)) unsupported(text, f, 'attribute name');
  if (segs.length === 1 && text.slice(f.from, f.to).startsWith('.')) return { scope: 'unscoped', key };
  if (segs.length === 2 && segs[0]!.name === 'Span') return { scope: 'span', key };
  if (segs.length === 2 && segs[0]!.name === 'Resource') return { scope: 'resource', key };
  return unsupported(text, f, 'attribute scope');
}

function literal(text: string, node: SyntaxNode): Literal {
  const parts = children(node);
  if (node.name !== 'FieldExpression' || parts.length !== 1 || parts[0]!.name !== 'Static') unsupported(text, node, 'a literal was expected');
  const s = parts[0]!;
  const raw = text.slice(s.from, s.to);
  const kind = children(s)[0]?.name;
  if (kind === 'String' && raw.startsWith('"')) return { kind: 'string', value: JSON.parse(raw) as string };
  if (kind === 'Integer' || kind === 'Float') return { kind: 'number', value: Number(raw) };
  if (kind === undefined && (raw === 'true' || raw === 'false')) return { kind: 'bool', value: raw === 'true' };
  return unsupported(text, s, 'literal');
}

/** The typed values of a field on a span (all of them when a key repeats). */
function values(f: TraceqlField, span: ReceivedSpan): TypedValue[] {
  if ('intrinsic' in f) return [{ type: 'string', value: span.name }];
  const onSpan = span.attributes.filter((a) => a.key === f.key) as TypedValue[];
  const onResource = span.resource[f.key] ? [span.resource[f.key]!] : [];
  return f.scope === 'span' ? onSpan : f.scope === 'resource' ? onResource : [...onSpan, ...onResource];
}

function scalar(v: TypedValue, want: Literal['kind']): Scalar | undefined {
  if (want === 'string' && v.type === 'string') return v.value;
  if (want === 'bool' && v.type === 'bool') return v.value;
  if (want === 'number' && (v.type === 'int' || v.type === 'double')) return Number(v.value);
  return undefined; // another type: the comparison is false
}

function holds(c: Condition, span: ReceivedSpan): boolean {
  if ('all' in c) return true;
  if ('logic' in c) return c.logic === '&&' ? holds(c.left, span) && holds(c.right, span) : holds(c.left, span) || holds(c.right, span);
  return values(c.field, span).some((v) => {
    const got = scalar(v, c.literal.kind);
    if (got === undefined) return false;
    if (c.op === '=') return got === c.literal.value;
    if (c.op === '!=') return got !== c.literal.value;
    return c.op === '=~' ? c.regex!.test(String(got)) : !c.regex!.test(String(got));
  });
}

export interface TraceqlRow {
  traceId: string;
  spanId: string;
  name: string;
  /** select() label -> the field's values on the span (several when a key repeats) */
  selected: Record<string, Scalar[]>;
}

/** The spans of `spans` the query selects, each with its select() fields. */
export function evaluateTraceql(query: TraceqlQuery, spans: readonly ReceivedSpan[]): TraceqlRow[] {
  return spans.filter((s) => holds(query.filter, s)).map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    selected: Object.fromEntries(query.select.map(({ label, field: f }) => [label, values(f, s).map((v) => v.value as Scalar)])),
  }));
}

/**
 * What a Tempo search with `limit` traces and `spss` spans per spanset would leave out of these rows:
 * the traces beyond the limit and the spans beyond spss in a trace. The panel shows every row only
 * when both are empty.
 */
export function truncatedBy(rows: readonly TraceqlRow[], limit: number, spss: number): { traces: number; spans: number } {
  const perTrace = new Map<string, number>();
  for (const r of rows) perTrace.set(r.traceId, (perTrace.get(r.traceId) ?? 0) + 1);
  let spans = 0;
  for (const n of perTrace.values()) spans += Math.max(0, n - spss);
  return { traces: Math.max(0, perTrace.size - limit), spans };
}
