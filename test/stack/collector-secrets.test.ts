/**
 * Reads collector/secrets.yaml as the Collector would (YAML, then `$$` → `$`, then OTTL string
 * unquoting, then `(?i)` as a flag) and applies its regexes to the hand-written secret corpus with
 * JavaScript's engine (test/unit/redact/collector-second-line.test.ts runs them with Go's). Every
 * planted secret is caught; where the output differs from the client-side scrubber, it is only because
 * the client runs filters RE2 rules cannot (code and references kept, JSON parsed).
 */
import { describe, expect, it } from 'vitest';
import { SECRET_PATTERNS, createScrubber, findRe2Incompatibilities, redactionMarker } from '../../src/redact/index.js';
import { expandGoTemplate, loadCollectorSecretRules, re2ToJs, type CollectorRule } from '../support/collector-secret-rules.js';
import { loadSecretCorpus } from '../support/secret-corpus.js';

const rules = loadCollectorSecretRules();

function compile(rule: CollectorRule): { regex: RegExp; replacement: string } {
  expect(findRe2Incompatibilities(rule.source.replace(/\\x\{[0-9a-f]+\}/g, 'x')), rule.source).toEqual([]);
  // Go reads `$1x` as a group named `1x`: a group reference must not be followed by a name character.
  expect(rule.replacement).not.toMatch(/\$\d+[A-Za-z0-9_]/);
  return { regex: re2ToJs(rule.source), replacement: rule.replacement };
}

const bodyRules = rules.bodyRules.map(compile);
const attributeRules = rules.attributeRules.map(compile);
const blocked = rules.blocked.map(re2ToJs);

function applyTransform(list: ReturnType<typeof compile>[], text: string): string {
  return list.reduce((out, rule) => out.replace(rule.regex, (...args: unknown[]) => {
    const groups = args.slice(0, args.findIndex((a) => typeof a === 'number')) as (string | undefined)[];
    return expandGoTemplate(rule.replacement, groups);
  }), text);
}

/** The redaction processor masks each match of each blocked value, in order, with `****`. */
function applyRedaction(text: string): { text: string; masked: number } {
  let masked = 0;
  const out = blocked.reduce((acc, regex) => acc.replace(regex, () => {
    masked++;
    return '****';
  }), text);
  return { text: out, masked };
}

/** The client's patterns with none of its JavaScript-only filters: what RE2 can do. */
function patternsOnly(text: string): string {
  let out = text;
  for (const p of SECRET_PATTERNS) {
    const marker = redactionMarker(p.kind);
    out = out.replace(new RegExp(p.source, `g${p.flags}`), (_m: string, a?: unknown, b?: unknown) =>
      p.preserve === 'nothing' ? marker : p.preserve === 'prefix' ? `${String(a ?? '')}${marker}` : `${String(a ?? '')}${marker}${String(b ?? '')}`);
  }
  return out;
}

const corpus = loadSecretCorpus();
const scrubber = createScrubber();

describe('collector/secrets.yaml against the secret corpus', () => {
  it('defines exactly the two processors, in the shape the Collector expects', () => {
    expect(rules.transform.errorMode).toBe('ignore');
    expect(rules.redaction.allowAllKeys).toBe(true);
    expect(['silent', 'info', 'debug']).toContain(rules.redaction.summary);
    expect(bodyRules.length).toBe(SECRET_PATTERNS.length);
    expect(attributeRules.length).toBe(bodyRules.length);
    expect(rules.transform.statements.length).toBe(bodyRules.length * 2);
    expect(blocked.length).toBe(bodyRules.length);
  });

  it('uses one list of patterns for bodies, attributes and blocked values', () => {
    rules.bodyRules.forEach((rule, i) => {
      expect(rules.attributeRules[i]).toEqual(rule);
      expect(rules.blocked[i]).toBe(rule.source);
    });
  });

  it('transform: catches every planted secret; differs from the client only by the client-only filters', () => {
    for (const doc of [...corpus.planted, ...corpus.clean]) {
      const collector = applyTransform(bodyRules, doc.text);
      for (const secret of doc.secrets) expect(collector.includes(secret.value), `${doc.name}: ${secret.kind}`).toBe(false);
      expect(collector, doc.name).toBe(patternsOnly(doc.text));
      expect(applyTransform(attributeRules, doc.text), doc.name).toBe(collector);
      if (collector !== scrubber.scrub(doc.text)) console.info(`second line differs from the client on ${doc.name} (code or references the client keeps)`);
    }
  });

  it('redaction: masks every planted secret', () => {
    const misses: string[] = [];
    for (const doc of corpus.planted) {
      const { text } = applyRedaction(doc.text);
      for (const secret of doc.secrets) if (text.includes(secret.value)) misses.push(`${doc.name}: ${secret.kind}`);
    }
    expect(misses).toEqual([]);
  });

  it('redaction after transform finds nothing left, so its masked count signals a real miss', () => {
    for (const doc of [...corpus.planted, ...corpus.clean]) {
      expect(applyRedaction(applyTransform(bodyRules, doc.text)).masked, doc.name).toBe(0);
    }
  });
});
