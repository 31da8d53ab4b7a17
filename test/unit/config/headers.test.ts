import { describe, expect, it } from 'vitest';
import type { ExporterConfig } from '../../../src/config/index.js';
import { ok, otel, parse } from './helpers.js';

const HTTP = (headers: string, key = 'exporter', path = 'logs') =>
  `${key} = { otlp-http = { endpoint = "http://h:4318/v1/${path}", protocol = "binary"${headers ? `, headers = ${headers}` : ''} } }`;

function headersOf(exporter: ExporterConfig): Record<string, string> {
  if (exporter.kind !== 'otlp-http' && exporter.kind !== 'otlp-grpc') throw new Error(`no headers on ${exporter.kind}`);
  return exporter.headers;
}

describe('${VAR} in header values', () => {
  it('is expanded from the environment', () => {
    const config = ok(parse(otel(HTTP('{ "x-otlp-api-key" = "${OTLP_TOKEN}" }')), { OTLP_TOKEN: 'tok-123' }));
    expect(headersOf(config.exporter)).toEqual({ 'x-otlp-api-key': 'tok-123' });
  });

  it('expands several variables in one value and keeps the text around them', () => {
    const config = ok(parse(otel(HTTP('{ authorization = "Bearer ${A}.${B_2}", plain = "no vars", dollar = "$A and ${} stay" }')), { A: 'aa', B_2: 'bb' }));
    expect(headersOf(config.exporter)).toEqual({ authorization: 'Bearer aa.bb', plain: 'no vars', dollar: '$A and ${} stay' });
  });

  it('a variable set to the empty string expands to the empty string', () => {
    const config = ok(parse(otel(HTTP('{ "x-k" = "[${EMPTY}]" }')), { EMPTY: '' }));
    expect(headersOf(config.exporter)).toEqual({ 'x-k': '[]' });
  });

  it('works for otlp-grpc, metrics and traces too', () => {
    const config = ok(parse(otel([
      'metrics_exporter = { otlp-grpc = { endpoint = "http://h:4317", headers = { "x-m" = "${M}" } } }',
      HTTP('{ "x-t" = "${T}" }', 'trace_exporter', 'traces'),
    ].join('\n')), { M: 'mm', T: 'tt' }));
    expect(headersOf(config.metricsExporter)).toEqual({ 'x-m': 'mm' });
    expect(headersOf(config.traceExporter)).toEqual({ 'x-t': 'tt' });
  });

  it('an undefined variable is an error naming the header and the variable, never the value', () => {
    const result = parse(otel(HTTP('{ "x-otlp-api-key" = "sk-LITERAL-PART-${OTLP_TOKEN}" }')), { OTHER: 'x' });
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([{
      path: 'otel.exporter.otlp-http.headers.x-otlp-api-key',
      message: 'environment variable OTLP_TOKEN is not set',
      expected: '${OTLP_TOKEN} to be defined in the environment',
      found: 'it undefined',
    }]);
    expect(JSON.stringify(result)).not.toContain('sk-LITERAL-PART');
  });

  it('one error per undefined variable; defined ones are never shown', () => {
    const result = parse(otel(HTTP('{ auth = "${SET_SECRET}:${MISSING_ONE}:${MISSING_TWO}" }')), { SET_SECRET: 'sk-DEFINED-VALUE' });
    expect(result.errors.map((e) => [e.path, e.message])).toEqual([
      ['otel.exporter.otlp-http.headers.auth', 'environment variable MISSING_ONE is not set'],
      ['otel.exporter.otlp-http.headers.auth', 'environment variable MISSING_TWO is not set'],
    ]);
    expect(JSON.stringify(result)).not.toContain('sk-DEFINED-VALUE');
  });

  it('a header value of the wrong type shows its type, never its value', () => {
    expect(parse(otel(HTTP('{ "x-num" = 12345678, "x-arr" = ["sk-ARRAY-SECRET"] }'))).errors).toEqual([
      { path: 'otel.exporter.otlp-http.headers.x-num', message: 'expected a string', expected: 'a string', found: 'an integer' },
      { path: 'otel.exporter.otlp-http.headers.x-arr', message: 'expected a string', expected: 'a string', found: 'an array' },
    ]);
  });

  it('headers that are not a table show their type, never the value', () => {
    const result = parse(otel(HTTP('"x-api-key=sk-HEADERS-STRING-SECRET"')));
    expect(result.errors).toEqual([
      { path: 'otel.exporter.otlp-http.headers', message: 'expected a table', expected: 'a table', found: 'a string' },
    ]);
    expect(JSON.stringify(result)).not.toContain('sk-HEADERS-STRING-SECRET');
  });
});

describe('OTEL_EXPORTER_OTLP_*HEADERS from the environment', () => {
  const FILE = otel([
    HTTP('{ "x-from-config" = "cfg", "x-clash" = "config-loses" }'),
    HTTP('{ "x-from-config" = "cfg" }', 'metrics_exporter', 'metrics'),
    'trace_exporter = { otlp-grpc = { endpoint = "http://h:4317" } }',
  ].join('\n'));

  it('OTEL_EXPORTER_OTLP_HEADERS is merged into every exporter; the environment wins on a clash', () => {
    const config = ok(parse(FILE, { OTEL_EXPORTER_OTLP_HEADERS: 'x-clash=env-wins,x-generic=g' }));
    expect(headersOf(config.exporter)).toEqual({ 'x-from-config': 'cfg', 'x-clash': 'env-wins', 'x-generic': 'g' });
    expect(headersOf(config.metricsExporter)).toEqual({ 'x-from-config': 'cfg', 'x-clash': 'env-wins', 'x-generic': 'g' });
    expect(headersOf(config.traceExporter)).toEqual({ 'x-clash': 'env-wins', 'x-generic': 'g' });
  });

  it('the signal-specific variable applies to its signal only and wins over the generic one', () => {
    const config = ok(parse(FILE, {
      OTEL_EXPORTER_OTLP_HEADERS: 'x-clash=generic,x-generic=g',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-clash=logs,x-logs=l',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-clash=metrics',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-traces=t',
    }));
    expect(headersOf(config.exporter)).toEqual({ 'x-from-config': 'cfg', 'x-clash': 'logs', 'x-generic': 'g', 'x-logs': 'l' });
    expect(headersOf(config.metricsExporter)).toEqual({ 'x-from-config': 'cfg', 'x-clash': 'metrics', 'x-generic': 'g' });
    expect(headersOf(config.traceExporter)).toEqual({ 'x-clash': 'generic', 'x-generic': 'g', 'x-traces': 't' });
  });

  it('an environment header beats a ${VAR}-expanded config header of the same name, whatever its case', () => {
    const config = ok(parse(otel(HTTP('{ "X-Api-Key" = "${CFG}" }')), { CFG: 'from-config', OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-api-key=from-env' }));
    expect(headersOf(config.exporter)).toEqual({ 'x-api-key': 'from-env' });
  });

  it('values are percent-decoded and trimmed, as OpenTelemetry specifies', () => {
    const config = ok(parse(otel(HTTP('')), { OTEL_EXPORTER_OTLP_HEADERS: ' authorization = Bearer%20abc%3D%3D , api-key=k=v ' }));
    expect(headersOf(config.exporter)).toEqual({ authorization: 'Bearer abc==', 'api-key': 'k=v' });
  });

  it('a malformed entry is skipped with a warning that names the variable, never the value', () => {
    const result = parse(otel(HTTP('')), { OTEL_EXPORTER_OTLP_HEADERS: 'sk-NO-EQUALS-SECRET,good=1,=sk-NO-KEY-SECRET,bad=%E0%A4%A' });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: 'env.OTEL_EXPORTER_OTLP_HEADERS', message: 'an entry is not of the form key=value and was skipped' },
      { path: 'env.OTEL_EXPORTER_OTLP_HEADERS', message: 'the value of header "bad" is not valid percent-encoding and was skipped' },
    ]);
    expect(headersOf(ok(result).exporter)).toEqual({ good: '1' });
    expect(JSON.stringify(result)).not.toMatch(/SECRET|%E0/);
  });

  it('nothing is merged when the exporter is "none"', () => {
    const config = ok(parse('[otel]\n', { OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }));
    expect(config.exporter).toEqual({ kind: 'none' });
  });
});

describe('headers as HTTP allows them', () => {
  it('a CR or LF in a value (literal or from a variable) is an error naming the header, never the value', () => {
    const literal = parse(otel(HTTP('{ authorization = "Bearer sk-SECRET\\r\\nX-Injected: 1" }')));
    expect(literal.config).toBeUndefined();
    expect(literal.errors).toEqual([{
      path: 'otel.exporter.otlp-http.headers.authorization', message: 'is not a valid HTTP header value',
      expected: 'a value without CR, LF or other control characters (tab, printable ASCII, Latin-1)',
      found: 'a carriage return (CR) at character 17 (value not shown)',
    }]);
    const fromEnv = parse(otel(HTTP('{ "x-k" = "${TOKEN}" }')), { TOKEN: 'sk-SECRET\n' });
    expect(fromEnv.errors.map((e) => [e.path, e.found])).toEqual([['otel.exporter.otlp-http.headers.x-k', 'a line feed (LF) at character 10 (value not shown)']]);
    expect(JSON.stringify([literal, fromEnv])).not.toContain('SECRET');
  });

  it('a name that is not an HTTP token is an error; tabs and Latin-1 in values are fine', () => {
    expect(parse(otel(HTTP('{ "x key" = "v" }'))).errors.map((e) => [e.path, e.message])).toEqual([
      ['otel.exporter.otlp-http.headers.x key', 'is not a valid HTTP header name'],
    ]);
    expect(headersOf(ok(parse(otel(HTTP('{ "x-k" = "a\\tb café" }')))).exporter)).toEqual({ 'x-k': 'a\tb café' });
  });

  it('environment headers are checked too', () => {
    const result = parse(otel(HTTP('')), { OTEL_EXPORTER_OTLP_HEADERS: 'x-a=ok,x-b=bad%0D%0Avalue' });
    expect(result.errors.map((e) => [e.path, e.found])).toEqual([['env.OTEL_EXPORTER_OTLP_HEADERS.x-b', 'a carriage return (CR) at character 4 (value not shown)']]);
  });
});
