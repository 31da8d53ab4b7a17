import { describe, expect, it } from 'vitest';
import { mergeTracestate } from '../../../src/traces/index.js';
import { ok, otel, parse } from './helpers.js';

describe('span_attributes', () => {
  it('reads a table of strings', () => {
    const config = ok(parse(otel('span_attributes = { "deployment.team" = "payments", tier = "gold" }')));
    expect(config.spanAttributes).toEqual({ 'deployment.team': 'payments', tier: 'gold' });
  });

  it('rejects an empty key and a non-string value, naming the key path', () => {
    const result = parse(otel('span_attributes = { "" = "x", tier = 3 }'));
    expect(result.errors.map((e) => e.path)).toEqual(['otel.span_attributes.""', 'otel.span_attributes.tier']);
    expect(result.errors[1]).toMatchObject({ expected: 'a string', found: expect.stringContaining('integer') });
  });
});

describe('tracestate', () => {
  it('reads members of fields', () => {
    const config = ok(parse(otel('tracestate = { acme = { tenant = "t1", region = "eu" } }')));
    expect(config.tracestate).toEqual({ acme: { tenant: 't1', region: 'eu' } });
  });

  it('rejects what Codex rejects: a bad member key, a field key or value with separators', () => {
    const result = parse(otel('tracestate = { "Bad Key" = { a = "b" }, ok = { "a;b" = "c" }, fine = { a = "x,y" } }'));
    expect(result.errors.map((e) => e.path)).toEqual(['otel.tracestate.Bad Key', 'otel.tracestate.ok.a;b', 'otel.tracestate.fine.a']);
  });

  it('is merged into an existing tracestate as Codex does: configured members first, fields upserted', () => {
    expect(mergeTracestate(undefined, { acme: { tenant: 't1' } })).toBe('acme=tenant:t1');
    expect(mergeTracestate('other=1,acme=keep:1;tenant:old', { acme: { tenant: 't1', zone: 'z' } })).toBe('acme=keep:1;tenant:t1;zone:z,other=1');
    expect(mergeTracestate('other=1', {})).toBe('other=1');
  });
});
