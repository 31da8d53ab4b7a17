import { describe, expect, it } from 'vitest';
import { ok, otel, parse } from './helpers.js';

describe('exporter forms', () => {
  it('inline otlp-http with protocol "binary"', () => {
    const result = parse(otel('exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/logs", protocol = "binary" } }'));
    expect(result.warnings).toEqual([]);
    expect(ok(result).exporter).toEqual({ kind: 'otlp-http', endpoint: 'http://127.0.0.1:4318/v1/logs', protocol: 'binary', headers: {} });
  });

  it('inline otlp-http with protocol "json"', () => {
    const config = ok(parse(otel('metrics_exporter = { otlp-http = { endpoint = "https://otel.example.com/v1/metrics", protocol = "json" } }')));
    expect(config.metricsExporter).toEqual({ kind: 'otlp-http', endpoint: 'https://otel.example.com/v1/metrics', protocol: 'json', headers: {} });
    expect(config.exporter).toEqual({ kind: 'none' });
  });

  it('inline otlp-grpc (no protocol, and no path needed)', () => {
    const result = parse(otel('exporter = { otlp-grpc = { endpoint = "http://127.0.0.1:4317", headers = { "x-otlp-meta" = "abc123" } } }'));
    expect(result.warnings).toEqual([]);
    expect(ok(result).exporter).toEqual({ kind: 'otlp-grpc', endpoint: 'http://127.0.0.1:4317', headers: { 'x-otlp-meta': 'abc123' } });
  });

  it('the table form [otel.exporter.otlp-http] with a [.headers] sub-table gives the same result as inline', () => {
    const tables = parse([
      '[otel]',
      'environment = "prod"',
      '',
      '[otel.exporter.otlp-http]',
      'endpoint = "http://collector:4318/v1/logs"',
      'protocol = "binary"',
      '',
      '[otel.exporter.otlp-http.headers]',
      '"x-team" = "platform"',
    ].join('\n'));
    const inline = parse(otel('environment = "prod"\nexporter = { otlp-http = { endpoint = "http://collector:4318/v1/logs", protocol = "binary", headers = { "x-team" = "platform" } } }'));
    expect(tables.warnings).toEqual([]);
    expect(ok(tables)).toEqual(ok(inline));
    expect(ok(tables).exporter).toEqual({ kind: 'otlp-http', endpoint: 'http://collector:4318/v1/logs', protocol: 'binary', headers: { 'x-team': 'platform' } });
  });

  it('dotted keys and table forms for metrics_exporter and trace_exporter', () => {
    const config = ok(parse([
      '[otel]',
      'metrics_exporter.otlp-grpc.endpoint = "https://otel.example.com:4317"',
      '[otel.trace_exporter.otlp-http]',
      'endpoint = "https://otel.example.com/v1/traces"',
      'protocol = "json"',
    ].join('\n')));
    expect(config.metricsExporter).toEqual({ kind: 'otlp-grpc', endpoint: 'https://otel.example.com:4317', headers: {} });
    expect(config.traceExporter).toEqual({ kind: 'otlp-http', endpoint: 'https://otel.example.com/v1/traces', protocol: 'json', headers: {} });
  });

  it('each signal has its own exporter', () => {
    const config = ok(parse(otel([
      'exporter = { otlp-http = { endpoint = "http://h:4318/v1/logs", protocol = "binary" } }',
      'metrics_exporter = { otlp-grpc = { endpoint = "http://h:4317" } }',
      'trace_exporter = { otlp-http = { endpoint = "http://h:4318/v1/traces", protocol = "json" } }',
    ].join('\n'))));
    expect(config.exporter.kind).toBe('otlp-http');
    expect(config.metricsExporter.kind).toBe('otlp-grpc');
    expect(config.traceExporter).toMatchObject({ kind: 'otlp-http', protocol: 'json' });
  });

  it('unknown keys inside an exporter are warned about and ignored', () => {
    const result = parse(otel('exporter = { otlp-http = { endpoint = "http://h:4318/v1/logs", protocol = "binary", timeout = 5, header = { a = "b" } } }\nmetrics_exporter = { otlp-grpc = { endpoint = "http://h:4317", protocol = "binary" } }'));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: 'otel.exporter.otlp-http.timeout', message: 'unknown key, ignored' },
      { path: 'otel.exporter.otlp-http.header', message: 'unknown key, ignored' },
      { path: 'otel.metrics_exporter.otlp-grpc.protocol', message: 'unknown key, ignored' },
    ]);
    expect(ok(result).exporter).toEqual({ kind: 'otlp-http', endpoint: 'http://h:4318/v1/logs', protocol: 'binary', headers: {} });
  });
});

describe('"statsig"', () => {
  it.each([['metrics_exporter', 'metricsExporter'], ['exporter', 'exporter'], ['trace_exporter', 'traceExporter']] as const)(
    'is accepted for %s with a warning, and treated as none (Codex accepts it for every signal)', (key, field) => {
      const result = parse(otel(`${key} = "statsig"`));
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([
        { path: `otel.${key}`, message: '"statsig" is Codex\'s own vendor sink; codex-otel treats it as "none"' },
      ]);
      expect(ok(result)[field]).toEqual({ kind: 'statsig' });
    });
});

describe('exporter errors', () => {
  it('a bare string "otlp-http" is an error, as in Codex ("expected struct variant"), with the fix', () => {
    const result = parse(otel('exporter = "otlp-http"'));
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{
      path: 'otel.exporter',
      message: 'a bare string "otlp-http" is rejected by Codex ("expected struct variant"); write exporter = { otlp-http = { endpoint = "…", protocol = "binary" } }',
      expected: '"none" or { otlp-http = { endpoint = … } }',
      found: 'the string "otlp-http"',
    }]);
  });

  it('a bare string "otlp-grpc" is an error too', () => {
    expect(parse(otel('metrics_exporter = "otlp-grpc"')).errors).toEqual([{
      path: 'otel.metrics_exporter',
      message: 'a bare string "otlp-grpc" is rejected by Codex ("expected struct variant"); write metrics_exporter = { otlp-grpc = { endpoint = "…" } }',
      expected: '"none" or { otlp-grpc = { endpoint = … } }',
      found: 'the string "otlp-grpc"',
    }]);
  });

  it.each([
    ['exporter = "otlp"', 'otel.exporter', '"none", "statsig", { otlp-http = … }, { otlp-grpc = … }', 'the string "otlp"'],
    ['exporter = "None"', 'otel.exporter', '"none", "statsig", { otlp-http = … }, { otlp-grpc = … }', 'the string "None"'],
    ['metrics_exporter = "prometheus"', 'otel.metrics_exporter', '"none", "statsig", { otlp-http = … }, { otlp-grpc = … }', 'the string "prometheus"'],
  ])('an unknown exporter name: %s', (line, path, expected, found) => {
    const name = /"(.*)"/.exec(line)![1]!;
    expect(parse(otel(line)).errors).toEqual([{ path, message: `unknown exporter kind "${name}"`, expected, found }]);
  });

  it.each([
    ['exporter = { zipkin = { endpoint = "http://h:9411" } }', 'zipkin'],
    ['exporter = { otlp_http = { endpoint = "http://h:4318/v1/logs", protocol = "binary" } }', 'otlp_http'],
    ['exporter = { otlp-file = {} }', 'otlp-file'],
  ])('an unknown exporter kind in a table: %s', (line, kind) => {
    expect(parse(otel(line)).errors).toEqual([{
      path: 'otel.exporter',
      message: `unknown exporter kind "${kind}"`,
      expected: 'one of "otlp-http", "otlp-grpc"',
      found: `"${kind}"`,
    }]);
  });

  it('two kinds at once', () => {
    expect(parse(otel('exporter = { otlp-http = { endpoint = "http://h/v1/logs", protocol = "json" }, otlp-grpc = { endpoint = "http://h:4317" } }')).errors).toEqual([{
      path: 'otel.exporter',
      message: 'expected exactly one exporter kind',
      expected: 'one of "otlp-http", "otlp-grpc"',
      found: 'kinds "otlp-http", "otlp-grpc"',
    }]);
  });

  it('no kind at all', () => {
    expect(parse(otel('exporter = {}')).errors).toEqual([{
      path: 'otel.exporter',
      message: 'expected exactly one exporter kind',
      expected: 'one of "otlp-http", "otlp-grpc"',
      found: 'an empty table',
    }]);
  });

  it('the kind must hold a table', () => {
    expect(parse(otel('exporter = { otlp-http = "http://h:4318/v1/logs" }')).errors).toEqual([{
      path: 'otel.exporter.otlp-http',
      message: 'expected a table with endpoint, headers, tls',
      expected: 'a table with endpoint, headers, tls',
      found: 'a string "http://h:4318/v1/logs"',
    }]);
  });

  it.each(['otlp-http', 'otlp-grpc'])('a missing endpoint (%s)', (kind) => {
    const body = kind === 'otlp-http' ? '{ protocol = "binary" }' : '{ headers = { a = "b" } }';
    expect(parse(otel(`exporter = { ${kind} = ${body} }`)).errors).toEqual([{
      path: `otel.exporter.${kind}.endpoint`,
      message: 'is required',
      expected: 'a URL such as "http://localhost:4318/v1/logs"',
      found: 'nothing',
    }]);
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['127.0.0.1:4318/v1/logs', 'is not a URL'],
    ['', 'is not a URL'],
    ['localhost:4318/v1/logs', 'must use http:// or https://'],
    ['ftp://h/v1/logs', 'must use http:// or https://'],
  ])('an endpoint that is not an http(s) URL: %j', (endpoint, message) => {
    expect(parse(otel(`exporter = { otlp-http = { endpoint = ${JSON.stringify(endpoint)}, protocol = "binary" } }`)).errors).toEqual([{
      path: 'otel.exporter.otlp-http.endpoint',
      message,
      expected: 'an http:// or https:// URL',
      found: JSON.stringify(endpoint),
    }]);
  });

  it('a grpc endpoint that is not a URL', () => {
    expect(parse(otel('trace_exporter = { otlp-grpc = { endpoint = "otel:4317:x" } }')).errors).toEqual([{
      path: 'otel.trace_exporter.otlp-grpc.endpoint',
      message: 'must use http:// or https://',
      expected: 'an http:// or https:// URL',
      found: '"otel:4317:x"',
    }]);
  });

  it('an endpoint of the wrong type', () => {
    expect(parse(otel('exporter = { otlp-grpc = { endpoint = 4317 } }')).errors).toEqual([{
      path: 'otel.exporter.otlp-grpc.endpoint',
      message: 'expected a URL string',
      expected: 'a URL string',
      found: 'an integer 4317',
    }]);
  });

  it.each([['"grpc"', 'a string "grpc"'], ['"protobuf"', 'a string "protobuf"'], ['"Binary"', 'a string "Binary"'], ['1', 'an integer 1']])(
    'an unknown protocol: %s', (value, found) => {
      expect(parse(otel(`exporter = { otlp-http = { endpoint = "http://h:4318/v1/logs", protocol = ${value} } }`)).errors).toEqual([{
        path: 'otel.exporter.otlp-http.protocol',
        message: 'expected "binary" or "json"',
        expected: '"binary" or "json"',
        found,
      }]);
    });

  it('a missing protocol for otlp-http (Codex requires it)', () => {
    expect(parse(otel('exporter = { otlp-http = { endpoint = "http://h:4318/v1/logs" } }')).errors).toEqual([{
      path: 'otel.exporter.otlp-http.protocol',
      message: 'is required for otlp-http (Codex rejects the file without it)',
      expected: '"binary" or "json"',
      found: 'nothing',
    }]);
  });

  it('every problem of every exporter is listed at once', () => {
    const result = parse(otel([
      'exporter = { otlp-http = { endpoint = "nope" } }',
      'metrics_exporter = "otlp-http"',
      'trace_exporter = { jaeger = {} }',
    ].join('\n')));
    expect(result.errors.map((e) => e.path)).toEqual([
      'otel.exporter.otlp-http.endpoint',
      'otel.exporter.otlp-http.protocol',
      'otel.trace_exporter',
      'otel.metrics_exporter',
    ]);
  });
});

describe('an otlp-http endpoint without a path is a warning ("nothing arrives")', () => {
  it.each([
    ['exporter', 'http://127.0.0.1:4318', 'http://127.0.0.1:4318/v1/logs'],
    ['exporter', 'http://127.0.0.1:4318/', 'http://127.0.0.1:4318/v1/logs'],
    ['metrics_exporter', 'https://otel.example.com', 'https://otel.example.com/v1/metrics'],
    ['trace_exporter', 'http://collector:4318', 'http://collector:4318/v1/traces'],
  ])('%s = %s', (key, endpoint, suggestion) => {
    const result = parse(otel(`${key} = { otlp-http = { endpoint = "${endpoint}", protocol = "binary" } }`));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{
      path: `otel.${key}.otlp-http.endpoint`,
      message: `has no path: the otlp-http endpoint is used verbatim, so nothing arrives at the collector; write "${suggestion}"`,
    }]);
    // still loaded, verbatim: the user may really mean it
    const config = ok(result);
    const exporter = key === 'exporter' ? config.exporter : key === 'metrics_exporter' ? config.metricsExporter : config.traceExporter;
    expect(exporter).toMatchObject({ kind: 'otlp-http', endpoint });
  });

  it('an otlp-grpc endpoint without a path is normal: no warning', () => {
    expect(parse(otel('exporter = { otlp-grpc = { endpoint = "http://127.0.0.1:4317" } }')).warnings).toEqual([]);
  });

  it('credentials in the endpoint URL are a warning, and never echoed', () => {
    const result = parse(otel('exporter = { otlp-http = { endpoint = "https://user:pw-URL-SECRET@otel.example.com", protocol = "binary" } }'));
    expect(result.warnings).toEqual([
      { path: 'otel.exporter.otlp-http.endpoint', message: 'carries credentials in the URL; put them in headers instead' },
      { path: 'otel.exporter.otlp-http.endpoint', message: 'has no path: the otlp-http endpoint is used verbatim, so nothing arrives at the collector; write "https://***@otel.example.com/v1/logs"' },
    ]);
    expect(JSON.stringify(result.warnings)).not.toContain('URL-SECRET');
  });
});
