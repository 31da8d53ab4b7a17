/**
 * Reads collector/secrets.yaml as the Collector would (YAML, then `$$` → `$`, then OTTL string
 * unquoting, then `(?i)` as a flag) and applies its regexes to the secret corpus with JavaScript's
 * engine. The verdicts must match the client-side scrubber's: every planted secret caught, ordinary
 * output untouched, already-scrubbed output untouched.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createScrubber, findRe2Incompatibilities } from '../../src/redact/index.js';
import { loadSecretCorpus } from '../support/secret-corpus.js';

interface CollectorRule {
  regex: RegExp;
  /** Go regexp replacement template. */
  replacement: string;
}

const config = parse(readFileSync(new URL('../../collector/secrets.yaml', import.meta.url), 'utf8')) as {
  processors: Record<string, Record<string, unknown>>;
};
const transform = config.processors['transform/secrets'] as { error_mode: string; log_statements: string[] };
const redaction = config.processors['redaction/secrets'] as { allow_all_keys: boolean; blocked_values: string[]; summary: string };

/** Collector config: `$$` is a literal `$`; a lone `${…}` would be an expansion, which the rules must not contain. */
function expandConfig(value: string): string {
  expect(value.replace(/\$\$/g, '')).not.toContain('$');
  return value.replace(/\$\$/g, '$');
}

/** OTTL string literal body, unquoted as Go's strconv.Unquote would for the escapes it may contain. */
function ottlUnquote(body: string): string {
  return body.replace(/\\(.)/g, (_m, ch: string) => {
    if (ch === '\\' || ch === '"') return ch;
    throw new Error(`unexpected OTTL escape \\${ch}`);
  });
}

/** RE2 source → JavaScript RegExp: a leading `(?i)` is the only flag the rules use. */
function re2ToJs(source: string): RegExp {
  expect(findRe2Incompatibilities(source), source).toEqual([]);
  return source.startsWith('(?i)') ? new RegExp(source.slice(4), 'gi') : new RegExp(source, 'g');
}

/** Go's Regexp.ReplaceAllString template: `$n`/`${n}` are groups, `$$` is `$`. */
function expandGoTemplate(template: string, groups: (string | undefined)[]): string {
  return template.replace(/\$(\$|\{(\d+)\}|(\d+))/g, (_m, all: string, braced?: string, bare?: string) =>
    all === '$' ? '$' : groups[Number(braced ?? bare)] ?? '');
}

const STRING = '"((?:\\\\.|[^\\\\"])*)"';
const BODY = new RegExp(`^replace_pattern\\(log\\.body, ${STRING}, ${STRING}\\) where IsString\\(log\\.body\\)$`);
const ATTRIBUTES = new RegExp(`^replace_all_patterns\\(log\\.attributes, "value", ${STRING}, ${STRING}\\)$`);

function parseStatement(statement: string, shape: RegExp): CollectorRule {
  const match = shape.exec(expandConfig(statement));
  if (!match) throw new Error(`unexpected statement: ${statement}`);
  const replacement = ottlUnquote(match[2]!);
  // Go reads `$1x` as a group named `1x`: a group reference must not be followed by a name character.
  expect(replacement).not.toMatch(/\$\d+[A-Za-z0-9_]/);
  return { regex: re2ToJs(ottlUnquote(match[1]!)), replacement };
}

const bodyRules = transform.log_statements.filter((s) => s.startsWith('replace_pattern(')).map((s) => parseStatement(s, BODY));
const attributeRules = transform.log_statements.filter((s) => s.startsWith('replace_all_patterns(')).map((s) => parseStatement(s, ATTRIBUTES));
const blockedValues = redaction.blocked_values.map((v) => re2ToJs(expandConfig(v)));

function applyTransform(rules: CollectorRule[], text: string): string {
  return rules.reduce((out, rule) => out.replace(rule.regex, (...args: unknown[]) => {
    const groups = args.slice(0, args.findIndex((a) => typeof a === 'number')) as (string | undefined)[];
    return expandGoTemplate(rule.replacement, groups);
  }), text);
}

/** The redaction processor masks each match of each blocked value, in order, with `****`. */
function applyRedaction(text: string): { text: string; masked: number } {
  let masked = 0;
  const out = blockedValues.reduce((acc, regex) => acc.replace(regex, () => {
    masked++;
    return '****';
  }), text);
  return { text: out, masked };
}

const corpus = loadSecretCorpus();
const scrubber = createScrubber();

describe('collector/secrets.yaml against the secret corpus', () => {
  it('defines exactly the two processors, in the shape the Collector expects', () => {
    expect(Object.keys(config.processors).sort()).toEqual(['redaction/secrets', 'transform/secrets']);
    expect(transform.error_mode).toBe('ignore');
    expect(redaction.allow_all_keys).toBe(true);
    expect(['silent', 'info', 'debug']).toContain(redaction.summary);
    expect(bodyRules.length).toBeGreaterThan(10);
    expect(attributeRules.length).toBe(bodyRules.length);
    expect(transform.log_statements.length).toBe(bodyRules.length * 2);
    expect(blockedValues.length).toBe(bodyRules.length);
  });

  it('uses one list of patterns for bodies, attributes and blocked values', () => {
    bodyRules.forEach((rule, i) => {
      expect(attributeRules[i]!.regex.source).toBe(rule.regex.source);
      expect(attributeRules[i]!.regex.flags).toBe(rule.regex.flags);
      expect(attributeRules[i]!.replacement).toBe(rule.replacement);
      expect(blockedValues[i]!.source).toBe(rule.regex.source);
      expect(blockedValues[i]!.flags).toBe(rule.regex.flags);
    });
  });

  it('transform: the same output as the client-side scrubber, secret for secret', () => {
    for (const doc of [...corpus.planted, ...corpus.clean]) {
      const collector = applyTransform(bodyRules, doc.text);
      expect(collector, doc.name).toBe(scrubber.scrub(doc.text));
      expect(collector, doc.name).toBe(doc.expected);
      expect(applyTransform(attributeRules, doc.text), doc.name).toBe(collector);
    }
  });

  it('redaction: masks every planted secret and nothing in ordinary output', () => {
    const misses: string[] = [];
    for (const doc of corpus.planted) {
      const { text } = applyRedaction(doc.text);
      for (const secret of doc.secrets) if (text.includes(secret.value)) misses.push(`${doc.name}: ${secret.kind}`);
    }
    expect(misses).toEqual([]);
    for (const doc of corpus.clean) expect(applyRedaction(doc.text), doc.name).toEqual({ text: doc.text, masked: 0 });
  });

  it('redaction after transform finds nothing left, so its masked count signals a real miss', () => {
    for (const doc of corpus.planted) {
      expect(applyRedaction(applyTransform(bodyRules, doc.text)).masked, doc.name).toBe(0);
    }
  });
});
