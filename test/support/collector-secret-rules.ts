/**
 * collector/secrets.yaml read as the Collector reads it: YAML, then `$$` → `$` (config expansion), then
 * OTTL string unquoting. Gives the RE2 sources and Go replacement templates, for Go's own regexp
 * (test/collector-second-line) and, translated, for JavaScript.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface CollectorRule {
  /** As RE2 reads it. */
  source: string;
  /** Go regexp replacement template. */
  replacement: string;
}

export interface CollectorSecretRules {
  transform: { errorMode: string; statements: string[] };
  redaction: { allowAllKeys: boolean; summary: string };
  bodyRules: CollectorRule[];
  attributeRules: CollectorRule[];
  /** The redaction processor's blocked values (RE2). */
  blocked: string[];
}

export const COLLECTOR_SECRETS_YAML = new URL('../../collector/secrets.yaml', import.meta.url);

/** Collector config: `$$` is a literal `$`; a lone `${…}` would be an expansion, which the rules must not contain. */
export function expandConfig(value: string): string {
  if (value.replace(/\$\$/g, '').includes('$')) throw new Error(`unescaped $ in ${value}`);
  return value.replace(/\$\$/g, '$');
}

/** OTTL string literal body, unquoted as Go's strconv.Unquote would for the escapes it may contain. */
function ottlUnquote(body: string): string {
  return body.replace(/\\(.)/g, (_m, ch: string) => {
    if (ch === '\\' || ch === '"') return ch;
    throw new Error(`unexpected OTTL escape \\${ch}`);
  });
}

const STRING = '"((?:\\\\.|[^\\\\"])*)"';
const BODY = new RegExp(`^replace_pattern\\(log\\.body, ${STRING}, ${STRING}\\) where IsString\\(log\\.body\\)$`);
const ATTRIBUTES = new RegExp(`^replace_all_patterns\\(log\\.attributes, "value", ${STRING}, ${STRING}\\)$`);

function parseStatement(statement: string, shape: RegExp): CollectorRule {
  const match = shape.exec(expandConfig(statement));
  if (!match) throw new Error(`unexpected statement: ${statement}`);
  return { source: ottlUnquote(match[1]!), replacement: ottlUnquote(match[2]!) };
}

export function loadCollectorSecretRules(): CollectorSecretRules {
  const config = parse(readFileSync(COLLECTOR_SECRETS_YAML, 'utf8')) as { processors: Record<string, Record<string, unknown>> };
  const transform = config.processors['transform/secrets'] as { error_mode: string; log_statements: string[] };
  const redaction = config.processors['redaction/secrets'] as { allow_all_keys: boolean; blocked_values: string[]; summary: string };
  return {
    transform: { errorMode: transform.error_mode, statements: transform.log_statements },
    redaction: { allowAllKeys: redaction.allow_all_keys, summary: redaction.summary },
    bodyRules: transform.log_statements.filter((s) => s.startsWith('replace_pattern(')).map((s) => parseStatement(s, BODY)),
    attributeRules: transform.log_statements.filter((s) => s.startsWith('replace_all_patterns(')).map((s) => parseStatement(s, ATTRIBUTES)),
    blocked: redaction.blocked_values.map(expandConfig),
  };
}

/** RE2 source → JavaScript RegExp: a leading `(?i)` is the only flag, `\x{…}` the only non-JS escape used. */
export function re2ToJs(source: string): RegExp {
  const body = source.startsWith('(?i)') ? source.slice(4) : source;
  const js = body.replace(/\\(\\|x\{([0-9a-f]{1,4})\})/g, (escape, _e, hex?: string) => (hex ? `\\u${hex.padStart(4, '0')}` : escape));
  return new RegExp(js, source.startsWith('(?i)') ? 'gi' : 'g');
}

/** Go's Regexp.ReplaceAllString template: `$n`/`${n}` are groups, `$$` is `$`. */
export function expandGoTemplate(template: string, groups: (string | undefined)[]): string {
  return template.replace(/\$(\$|\{(\d+)\}|(\d+))/g, (_m, all: string, braced?: string, bare?: string) =>
    all === '$' ? '$' : groups[Number(braced ?? bare)] ?? '');
}
