import { describe, expect, it } from 'vitest';
import { safeEndpoint } from '../../../src/config/safe-endpoint.js';
import { parseConfigText } from '../../../src/config/parse.js';
import { maskedConfig, renderConfig } from '../../../src/config/render.js';

describe('safeEndpoint', () => {
  it.each([
    ['http://user:s3cr3t@127.0.0.1:4318/v1/logs', 'http://***@127.0.0.1:4318/v1/logs'],
    ['http://user:p@ssW0rd@127.0.0.1:4318/v1/logs', 'http://***@127.0.0.1:4318/v1/logs'],
    ['https://token@otel.example.com:4317', 'https://***@otel.example.com:4317'],
    ['http://127.0.0.1:4318/v1/logs?x=1', 'http://127.0.0.1:4318/v1/logs?x=1'],
    ['not a url //u:p@ss@host', 'not a url //***@host'],
  ])('%s → %s', (endpoint, shown) => {
    expect(safeEndpoint(endpoint)).toBe(shown);
  });

  it('hides a password with @ in what check prints', () => {
    const { config } = parseConfigText('[otel]\nexporter = { otlp-grpc = { endpoint = "http://user:p@ssW0rd@127.0.0.1:4317" } }\n', {});
    const printed = `${renderConfig(config!)}\n${JSON.stringify(maskedConfig(config!))}`;
    expect(printed).not.toMatch(/ssW0rd|p@ss/);
  });
});
