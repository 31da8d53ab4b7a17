import { describe, expect, it } from 'vitest';
import { readText, readYaml } from './support/files.js';
// @ts-expect-error -- no type declarations for the .mjs script
import { SETTINGS, settingsFromEnv } from '../../scripts/stack/stack.mjs';

// Operator settings (trace sampling, Tempo retention, ...) have one default, the same in the
// compose file, in the native stack (scripts/stack/stack.mjs) and in the config file that reads them.
const COMPOSE_SERVICE: Record<string, string> = { collector: 'otel-collector', tempo: 'tempo' };
const CONFIG_FILES: Record<string, Array<{ file: string; syntax: (v: string, d: string) => string }>> = {
  collector: [{ file: 'collector/config.yaml', syntax: (v, d) => `\${env:${v}:-${d}}` }],
  tempo: [{ file: 'tempo/tempo.yaml', syntax: (v, d) => `\${${v}:-${d}}` }],
};
const settings = SETTINGS as Record<string, Record<string, { default: string }>>;

describe('operator settings: compose, native stack and config files agree', () => {
  const compose = readYaml('docker-compose.yml') as any;
  for (const [service, variables] of Object.entries(settings)) {
    for (const [variable, { default: fallback }] of Object.entries(variables)) {
      it(`${variable}: default ${fallback} everywhere`, () => {
        expect(compose.services[COMPOSE_SERVICE[service]!].environment[variable]).toBe(`\${${variable}:-${fallback}}`);
        for (const { file, syntax } of CONFIG_FILES[service]!) expect(readText(file), file).toContain(syntax(variable, fallback));
        expect(settingsFromEnv(service, {})[variable]).toBe(fallback);
      });
    }
  }

  it('the sampling setting is also what the gateway reads', () => {
    expect(readText('collector/gateway.yaml')).toContain('${env:CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE:-100}');
  });

  it('a bad value names the variable, what it expects and what it found', () => {
    expect(() => settingsFromEnv('collector', { CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE: 'half' }))
      .toThrow('CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE: expected a percentage from 0 to 100, found "half"');
    expect(() => settingsFromEnv('collector', { CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE: '101' })).toThrow(/found "101"/);
    expect(() => settingsFromEnv('tempo', { TEMPO_RETENTION: '31 days' })).toThrow('TEMPO_RETENTION: expected a duration such as 744h or 168h, found "31 days"');
    expect(settingsFromEnv('collector', { CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE: '12.5' }).CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE).toBe('12.5');
    expect(settingsFromEnv('tempo', { TEMPO_RETENTION: '168h' }).TEMPO_RETENTION).toBe('168h');
  });
});
