import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSIONS } from '../../../src/config/defaults.js';
import { ok, otel, parse } from './helpers.js';
import { renderConfig } from '../../../src/config/render.js';

describe('[otel] keys and defaults', () => {
  it('an empty [otel] gives every default: dev, prompts redacted, all exporters none', () => {
    const result = parse('[otel]\n');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result)).toEqual({
      present: true,
      environment: 'dev',
      logUserPrompt: false,
      exporter: { kind: 'none' },
      traceExporter: { kind: 'none' },
      metricsExporter: { kind: 'none' },
      spanAttributes: {},
      tracestate: {},
      toolResultMaxBytes: 2048,
      extensions: DEFAULT_EXTENSIONS,
    });
  });

  it('reads Codex\'s [otel.tool_result] max_bytes, span_attributes and tracestate without warning', () => {
    // Codex's tracestate is member -> { field = value } (codex-rs/otel trace_context.rs), sent as `vendor=k:v1`.
    const result = parse(otel('span_attributes = { team = "billing" }\ntracestate = { vendor = { k = "v1" } }\n[otel.tool_result]\nmax_bytes = 4096'));
    expect(result.warnings).toEqual([]);
    const config = ok(result);
    expect(config.toolResultMaxBytes).toBe(4096);
    expect(config.spanAttributes).toEqual({ team: 'billing' });
    expect(config.tracestate).toEqual({ vendor: { k: 'v1' } });
    expect(renderConfig(config)).toContain('[otel.tool_result]\n  max_bytes = 4096');
  });

  it('names the key path of a wrong max_bytes', () => {
    const result = parse(otel('[otel.tool_result]\nmax_bytes = "big"\nmax_lines = 3'));
    expect(result.errors.map((e) => e.path)).toEqual(['otel.tool_result.max_bytes']);
    expect(result.warnings.map((w) => w.path)).toEqual(['otel.tool_result.max_lines']);
  });

  it('reads environment and log_user_prompt', () => {
    const config = ok(parse(otel('environment = "prod"\nlog_user_prompt = true')));
    expect(config.environment).toBe('prod');
    expect(config.logUserPrompt).toBe(true);
  });

  it('"none" for each exporter is the same as leaving it out', () => {
    const result = parse(otel('exporter = "none"\ntrace_exporter = "none"\nmetrics_exporter = "none"'));
    expect(result.warnings).toEqual([]);
    const config = ok(result);
    expect([config.exporter, config.traceExporter, config.metricsExporter]).toEqual([{ kind: 'none' }, { kind: 'none' }, { kind: 'none' }]);
  });

  it('a file without [otel] is valid, and telemetry is off', () => {
    const text = [
      'model = "gpt-5-codex"',
      'approval_policy = "on-request"',
      '[mcp_servers.docs]',
      'command = "docs-server"',
    ].join('\n');
    const result = parse(text);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(ok(result).present).toBe(false);
    expect(ok(result).exporter).toEqual({ kind: 'none' });
  });

  it('an empty file is valid, and telemetry is off', () => {
    const result = parse('');
    expect(result).toMatchObject({ errors: [], warnings: [] });
    expect(ok(result).present).toBe(false);
  });

  it('keys outside [otel] are none of our business: no warning', () => {
    const result = parse('model = "o3"\nunknown_top_level = 1\n[otel]\n');
    expect(result.warnings).toEqual([]);
  });
});

describe('unknown keys inside [otel] are warned about and ignored', () => {
  it('warns once per unknown key, and suggests the intended spelling', () => {
    const result = parse(otel('environment = "ci"\nfoo = 1\nlogUserPrompt = true\nmetrics-exporter = "none"\n[otel.custom]\nx = 1'));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: 'otel.foo', message: 'unknown key, ignored (Codex ignores it too)' },
      { path: 'otel.logUserPrompt', message: 'unknown key, ignored (Codex ignores it too) (did you mean "log_user_prompt"?)' },
      { path: 'otel.metrics-exporter', message: 'unknown key, ignored (Codex ignores it too) (did you mean "metrics_exporter"?)' },
      { path: 'otel.custom', message: 'unknown key, ignored (Codex ignores it too)' },
    ]);
    const config = ok(result);
    expect(config.environment).toBe('ci');
    expect(config.logUserPrompt).toBe(false);
  });

  it('our own [otel.codex_otel] table is not unknown', () => {
    expect(parse(otel('[otel.codex_otel]\nshutdown_timeout_ms = 500')).warnings).toEqual([]);
  });
});

describe('wrong value types name the key path, what was expected and what was found', () => {
  it.each([
    ['environment = 5', 'otel.environment', 'a string', 'an integer 5'],
    ['environment = 1.5', 'otel.environment', 'a string', 'a float 1.5'],
    ['environment = true', 'otel.environment', 'a string', 'a boolean true'],
    ['environment = ["dev"]', 'otel.environment', 'a string', 'an array'],
    ['environment = 2026-06-09', 'otel.environment', 'a string', 'a date'],
    ['environment = { name = "dev" }', 'otel.environment', 'a string', 'a table with keys "name"'],
    ['log_user_prompt = "true"', 'otel.log_user_prompt', 'a boolean (true or false)', 'a string "true"'],
    ['log_user_prompt = 1', 'otel.log_user_prompt', 'a boolean (true or false)', 'an integer 1'],
    ['exporter = 42', 'otel.exporter', '"none" or a table such as { otlp-http = { … } }', 'an integer 42'],
    ['trace_exporter = false', 'otel.trace_exporter', '"none" or a table such as { otlp-http = { … } }', 'a boolean false'],
    ['metrics_exporter = ["none"]', 'otel.metrics_exporter', '"none" or a table such as { otlp-http = { … } }', 'an array'],
  ])('%s', (line, path, expected, found) => {
    const result = parse(otel(line));
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{ path, message: `expected ${expected}`, expected, found }]);
  });

  it('otel itself must be a table', () => {
    expect(parse('otel = "on"\n').errors).toEqual([
      { path: 'otel', message: 'expected a table', expected: 'a table', found: 'a string "on"' },
    ]);
  });

  it('lists every problem at once, not just the first', () => {
    const result = parse(otel('environment = 5\nlog_user_prompt = "no"\nexporter = 1\ntrace_exporter = 2\nmetrics_exporter = 3'));
    expect(result.errors.map((e) => e.path)).toEqual([
      'otel.environment', 'otel.log_user_prompt', 'otel.exporter', 'otel.trace_exporter', 'otel.metrics_exporter',
    ]);
  });
});

describe('TOML syntax errors', () => {
  it('name the file, the line and the column', () => {
    // the comma before `protocol` is missing: line 3, column 58 is where `protocol` starts
    const text = '[otel]\nenvironment = "dev"\nexporter = { otlp-http = { endpoint = "http://x/v1/logs" protocol = "binary" } }\n';
    const result = parse(text, {}, '/etc/codex/config.toml');
    expect(result.config).toBeUndefined();
    expect(result.warnings).toEqual([]);
    expect(result.errors).toEqual([{ path: '/etc/codex/config.toml:3:58', message: 'TOML syntax error: expected comma or end of structure' }]);
  });

  it('are reported against "config.toml" when parsing text without a file', () => {
    expect(parse('[otel]\nenvironment = dev\n').errors).toEqual([
      { path: 'config.toml:2:15', message: 'TOML syntax error: invalid value' },
    ]);
  });

  it('a duplicated key is a syntax error, as in Codex', () => {
    expect(parse('[otel]\nenvironment = "a"\nenvironment = "b"\n').errors).toEqual([
      { path: 'config.toml:3:1', message: 'TOML syntax error: trying to redefine an already defined table or value' },
    ]);
  });

  it('never quote the offending source line (it may hold a header value)', () => {
    const text = '[otel]\nexporter = { otlp-http = { endpoint = "http://x/v1/logs", protocol = "binary", headers = { "x-api-key" = "sk-SYNTAX-SECRET" }\n';
    const result = parse(text);
    expect(result.errors).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain('sk-SYNTAX-SECRET');
  });
});
