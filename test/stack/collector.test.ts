import { describe, expect, it } from 'vitest';
import {
  componentType, loadComposeCollectorConfig as loadCollectorConfig, pathsToExporters, persistentQueueProblems,
  referenceProblems, unusedComponents, type CollectorConfig,
} from './support/collector.js';
import { AUDIT_EVENTS } from './support/contract.js';
import { listFiles, readText, readYaml } from './support/files.js';

// Component types are checked by the real collector: test/stack/collector-validate.test.ts.
const SECRETS = 'collector/secrets.yaml';
const main = (): CollectorConfig => loadCollectorConfig('collector/config.yaml', SECRETS);
const SIEM_EXAMPLES = listFiles('collector/siem', ['.yaml']);

/** Every deployable collector config: the files passed together with --config, in order. */
const DEPLOYABLE: Record<string, string[]> = {
  main: ['collector/config.yaml', SECRETS],
  agent: ['collector/agent.yaml'],
  gateway: ['collector/gateway.yaml', SECRETS],
  ...Object.fromEntries(SIEM_EXAMPLES.map((f) => [f, ['collector/config.yaml', SECRETS, f]])),
};

/** Components a config defines on purpose without using them (none today). */
const DELIBERATELY_UNUSED: Record<string, string[]> = {};

describe('collector configs: structure', () => {
  it('every collector YAML parses', () => {
    const files = listFiles('collector', ['.yaml', '.yml']);
    expect(files).toContain('collector/config.yaml');
    for (const f of files) expect(() => readYaml(f), f).not.toThrow();
  });

  it('the SIEM route ships the four examples', () => {
    expect(SIEM_EXAMPLES.map((f) => f.replace('collector/siem/', ''))).toEqual(
      ['elasticsearch.yaml', 'kafka.yaml', 'splunk-hec.yaml', 'syslog-rfc5424-tls.yaml']);
  });

  for (const [name, files] of Object.entries(DEPLOYABLE)) {
    it(`${name}: every reference resolves, every component is used`, () => {
      const config = loadCollectorConfig(...files);
      expect(referenceProblems(config)).toEqual([]);
      expect(unusedComponents(config)).toEqual(DELIBERATELY_UNUSED[name] ?? []);
    });
  }

  it('uses no deprecated alias (otlp/otlphttp, loadbalancing, deltatocumulative, prometheusremotewrite)', () => {
    for (const files of Object.values(DEPLOYABLE)) {
      const config = loadCollectorConfig(...files);
      const ids = [...Object.keys(config.exporters ?? {}), ...Object.keys(config.processors ?? {})].map(componentType);
      for (const alias of ['otlphttp', 'otlp', 'loadbalancing', 'deltatocumulative', 'prometheusremotewrite']) expect(ids).not.toContain(alias);
    }
  });
});

describe('collector config: receivers and service', () => {
  it('receives OTLP on 0.0.0.0:4317 (gRPC) and 0.0.0.0:4318 (HTTP)', () => {
    const otlp = main().receivers?.otlp;
    expect(otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('exposes its own metrics for Prometheus on 0.0.0.0:8888 and health_check on 13133', () => {
    const config = main();
    const pull = config.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
    expect(pull).toMatchObject({ host: '0.0.0.0', port: 8888 });
    // Counters keep `_total` (the alert rules use otelcol_*_total), in every config.
    for (const files of Object.values(DEPLOYABLE)) {
      const reader = loadCollectorConfig(...files).service.telemetry.metrics.readers[0].pull.exporter.prometheus;
      expect(reader, files.join(' ')).toMatchObject({ without_type_suffix: false, without_units: false });
    }
    expect(config.extensions?.health_check.endpoint).toBe('0.0.0.0:13133');
    expect(config.service.extensions).toContain('health_check');
  });

  it('memory_limiter runs first in every pipeline a receiver feeds', () => {
    const config = main();
    for (const [name, p] of Object.entries(config.service.pipelines)) {
      const fedByReceiver = (p.receivers ?? []).some((r) => !(r in (config.connectors ?? {})));
      if (fedByReceiver) expect(p.processors?.[0], name).toBe('memory_limiter');
    }
  });
});

describe('collector config: logs path', () => {
  const logPaths = () => pathsToExporters(main(), 'logs');

  it('normalises event.name from eventName and env to deployment.environment (keeping env)', () => {
    const statements: string[] = main().processors?.['transform/normalize_logs'].log_statements;
    const text = statements.join('\n');
    expect(text).toContain('set(log.attributes["event.name"], log.event_name) where log.attributes["event.name"] == nil');
    expect(text).toContain('set(resource.attributes["deployment.environment"], resource.attributes["env"])');
    expect(text).not.toMatch(/delete_key\([^)]*"env"/);
  });

  it('every log record reaching an exporter was normalised, then scrubbed by both secrets processors', () => {
    const paths = logPaths();
    // prometheus: only the count of span-derived records (count/aborted_tool_calls), never a record.
    expect(paths.map((p) => p.exporter).sort()).toEqual(['file/siem', 'otlp_http/loki_audit', 'otlp_http/loki_general', 'prometheus']);
    for (const path of paths) {
      const at = (id: string): number => path.processors.indexOf(id);
      expect(at('transform/normalize_logs'), path.exporter).toBeGreaterThanOrEqual(0);
      expect(at('redaction/secrets'), path.exporter).toBeGreaterThan(at('transform/normalize_logs'));
      expect(at('transform/secrets'), path.exporter).toBeGreaterThan(at('transform/normalize_logs'));
    }
  });

  it('secrets.yaml defines both scrubbing processors and no pipelines (lists do not merge)', () => {
    const secrets = readYaml(SECRETS);
    expect(Object.keys(secrets.processors ?? {})).toEqual(expect.arrayContaining(['redaction/secrets', 'transform/secrets']));
    expect(componentType('redaction/secrets')).toBe('redaction');
    expect(secrets.service?.pipelines).toBeUndefined();
  });

  it('splits exactly the six audit events into logs/audit and everything else into logs/general', () => {
    const config = main();
    const eventsIn = (c: string): string[] => [...c.matchAll(/attributes\["event\.name"\] == "([^"]+)"/g)].map((m) => m[1]!).sort();
    const auditOnly: string[] = config.processors?.['filter/audit_only'].logs.log_record;
    const generalOnly: string[] = config.processors?.['filter/general_only'].logs.log_record;
    expect(auditOnly).toHaveLength(1);
    expect(generalOnly).toHaveLength(1);
    // filter drops what matches: audit_only drops "not audit", general_only drops "audit".
    expect(auditOnly[0]).toBe(`not (${generalOnly[0]})`);
    expect(eventsIn(generalOnly[0]!)).toEqual([...AUDIT_EVENTS].sort());
    expect(generalOnly[0]!.replace(/attributes\["event\.name"\] == "[^"]+"/g, '').replace(/\bor\b/g, '').trim()).toBe('');
    expect(config.service.pipelines['logs/audit']?.processors).toEqual(['filter/audit_only']);
    expect(config.service.pipelines['logs/general']?.processors?.[0]).toBe('filter/general_only');
  });

  it('drops successful per-chunk codex.sse_event records, with a one-line switch to keep them', () => {
    const config = main();
    const conditions: string[] = config.processors?.['filter/drop_sse_chunks'].logs.log_record;
    expect(conditions).toHaveLength(1);
    const c = conditions[0]!;
    expect(c).toContain('attributes["event.name"] == "codex.sse_event"');
    expect(c).toContain('attributes["error.message"] == nil');
    expect(c).toContain('attributes["event.kind"] != "response.completed"');
    expect(readText('collector/config.yaml')).toContain('"${env:CODEX_OTEL_KEEP_SSE_CHUNKS:-false}" != "true"');
    expect(config.service.pipelines['logs/in']?.processors).toContain('filter/drop_sse_chunks');
    expect(readText('docker-compose.yml')).toContain('CODEX_OTEL_KEEP_SSE_CHUNKS: ${CODEX_OTEL_KEEP_SSE_CHUNKS:-false}');
  });

  it('sends logs to Loki through otlp_http at the /otlp endpoint', () => {
    const config = main();
    for (const id of ['otlp_http/loki_audit', 'otlp_http/loki_general']) {
      expect(config.exporters?.[id].endpoint, id).toBe('http://loki:3100/otlp');
    }
  });

  it('audit path: no batch processor; persistent queue, exporter-side batching, retry that never gives up', () => {
    const config = main();
    const audit = pathsToExporters(config, 'logs').filter((p) => p.pipelines.includes('logs/audit'));
    expect(audit.length).toBeGreaterThan(0);
    for (const path of audit) expect(path.processors.map(componentType), path.exporter).not.toContain('batch');
    expect(persistentQueueProblems(config, 'otlp_http/loki_audit')).toEqual([]);
    expect(config.exporters?.['otlp_http/loki_audit'].sending_queue.batch).toMatchObject({ flush_timeout: expect.any(String) });
  });

  it('the audit pipeline also writes rotating OTLP/JSON lines for SIEM forwarders', () => {
    const config = main();
    expect(config.service.pipelines['logs/audit']?.exporters).toContain('file/siem');
    const file = config.exporters?.['file/siem'];
    expect(file.format).toBe('json');
    expect(file.path).toMatch(/^\/var\/log\/codex-audit\//);
    expect(file.rotation.max_megabytes).toBeGreaterThan(0);
    expect(file.rotation.max_backups).toBeGreaterThan(0);
  });
});

describe('collector config: metrics path', () => {
  it('runs deltatocumulative before the prometheus exporter, which keeps series for hours', () => {
    const config = main();
    const paths = pathsToExporters(config, 'metrics');
    expect(paths.map((p) => p.exporter)).toEqual(['prometheus']);
    const procs = paths[0]!.processors;
    expect(procs).toContain('delta_to_cumulative');
    expect(procs.indexOf('delta_to_cumulative')).toBeGreaterThan(procs.indexOf('transform/normalize_metrics'));
    const prom = config.exporters?.prometheus;
    expect(prom.endpoint).toBe('0.0.0.0:8889');
    expect(hours(prom.metric_expiration)).toBeGreaterThanOrEqual(1);
  });

  for (const [name, files] of [['main', ['collector/config.yaml', SECRETS]], ['gateway', ['collector/gateway.yaml', SECRETS]]] as const) {
    it(`${name}: restamps delta points, in one order, right before delta_to_cumulative (processes share streams)`, () => {
      const config = loadCollectorConfig(...files);
      const procs = pathsToExporters(config, 'metrics')[0]!.processors;
      const at = procs.indexOf('delta_to_cumulative');
      expect(procs.slice(at - 2, at + 1)).toEqual(['batch/serialize_metrics', 'transform/restamp_deltas', 'delta_to_cumulative']);
      expect(config.processors?.['batch/serialize_metrics'].metadata_keys ?? []).toEqual([]);
      const restamp = config.processors?.['transform/restamp_deltas'].metric_statements;
      expect(restamp).toEqual([{
        context: 'datapoint',
        conditions: ['metric.aggregation_temporality == AGGREGATION_TEMPORALITY_DELTA'],
        statements: ['set(datapoint.start_time_unix_nano, 0)', 'set(datapoint.time_unix_nano, UnixNano(Now()))'],
      }]);
    });
  }

  it('labels every Codex series with deployment_environment (from env) for the $env variable', () => {
    const text = main().processors?.['transform/normalize_metrics'].metric_statements.join('\n');
    expect(text).toContain('set(datapoint.attributes["deployment.environment"], resource.attributes["deployment.environment"])');
  });
});

describe('two-tier layout and SIEM examples', () => {
  it('the agent load-balances logs by conversation id and metrics by stream to the gateway tier', () => {
    const agent = loadCollectorConfig('collector/agent.yaml');
    const lbs = Object.entries(agent.exporters ?? {}).filter(([id]) => componentType(id) === 'load_balancing');
    const logs = lbs.find(([id]) => agent.service.pipelines.logs?.exporters?.includes(id));
    const metrics = lbs.find(([id]) => agent.service.pipelines.metrics?.exporters?.includes(id));
    expect(logs?.[1]).toMatchObject({ routing_key: 'attributes', routing_attributes: ['conversation.id'] });
    expect(metrics?.[1]).toMatchObject({ routing_key: 'streamID' });
    for (const [, lb] of lbs) {
      expect(lb.resolver.dns.hostname).toBeTruthy();
      // At the exporter's top level: under protocol.otlp each per-gateway sub-exporter would
      // open the same file_storage client.
      expect(lb.sending_queue.storage).toMatch(/^file_storage/);
      expect(lb.protocol.otlp.sending_queue).toBeUndefined();
    }
  });

  it('the gateway normalises, scrubs and routes like the main config, and keeps audit lossless', () => {
    const gateway = loadCollectorConfig('collector/gateway.yaml', SECRETS);
    const paths = pathsToExporters(gateway, 'logs');
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      expect(path.processors, path.exporter).toEqual(expect.arrayContaining(['transform/normalize_logs', 'redaction/secrets', 'transform/secrets']));
    }
    for (const path of paths.filter((p) => p.pipelines.includes('logs/audit'))) {
      expect(persistentQueueProblems(gateway, path.exporter)).toEqual([]);
    }
  });

  for (const file of SIEM_EXAMPLES) {
    it(`${file}: adds one SIEM exporter to logs/audit with a persistent queue, keeps Loki and the file`, () => {
      const base = main();
      const merged = loadCollectorConfig('collector/config.yaml', SECRETS, file);
      const added = Object.keys(merged.exporters ?? {}).filter((id) => !(id in (base.exporters ?? {})));
      expect(added).toHaveLength(1);
      const siem = added[0]!;
      // The new exporter is fed from logs/audit (directly, or through a connector into a
      // pipeline of its own, for exporter-specific shaping), after the same processors.
      const auditExporters = merged.service.pipelines['logs/audit']?.exporters ?? [];
      expect(auditExporters.slice(0, -1)).toEqual(base.service.pipelines['logs/audit']?.exporters);
      const toSiem = pathsToExporters(merged, 'logs').filter((p) => p.exporter === siem);
      expect(toSiem).toHaveLength(1);
      expect(toSiem[0]!.pipelines.slice(0, 2)).toEqual(['logs/in', 'logs/audit']);
      if (componentType(siem) === 'elasticsearch') {
        // Its own per-request `retry` (no retry_on_failure key exists for it).
        expect(merged.exporters?.[siem].retry).toMatchObject({ enabled: true });
        expect(merged.exporters?.[siem].retry_on_failure).toBeUndefined();
        expect(merged.exporters?.[siem].mapping).toBeUndefined();
      } else {
        expect(persistentQueueProblems(merged, siem)).toEqual([]);
      }
      // Everything else in the main config stays as it was.
      for (const [name, p] of Object.entries(base.service.pipelines)) {
        if (name !== 'logs/audit') expect(merged.service.pipelines[name], name).toEqual(p);
      }
    });
  }

  it('SIEM exporters verify TLS (no insecure flags)', () => {
    for (const file of SIEM_EXAMPLES) expect(readText(file), file).not.toMatch(/insecure(_skip_verify)?:\s*true/);
  });
});

function hours(duration: string): number {
  const m = /^(\d+)(h|m|s)$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  const n = Number(m[1]);
  return m[2] === 'h' ? n : m[2] === 'm' ? n / 60 : n / 3600;
}

describe('collector config: traces, span-derived count, Loki limits, old decisions', () => {
  it('traces reach Tempo scrubbed, through a persistent queue that never gives up', () => {
    const config = main();
    const paths = pathsToExporters(config, 'traces');
    const tempo = paths.filter((p) => p.exporter === 'otlp_grpc/tempo');
    // Two paths: tool spans, all kept; the other spans, sampled (see the sampling test below).
    expect(tempo.map((p) => p.processors)).toEqual([
      ['memory_limiter', 'redaction/secrets', 'filter/tool_spans_only'],
      ['memory_limiter', 'redaction/secrets', 'filter/non_tool_spans', 'probabilistic_sampler/non_tool_spans'],
    ]);
    expect(persistentQueueProblems(config, 'otlp_grpc/tempo')).toEqual([]);
    expect(config.exporters?.['otlp_grpc/tempo'].endpoint).toBe('tempo:4317');
  });

  it('turns aborted tool spans into audit records (spanaudit) and counts those into a Prometheus series', () => {
    for (const file of ['collector/config.yaml', 'collector/gateway.yaml']) {
      const config = loadCollectorConfig(file, SECRETS);
      expect(config.service.pipelines.traces?.exporters, file).toContain('spanaudit');
      expect(config.service.pipelines['logs/in']?.receivers, file).toContain('spanaudit');
      const count = config.connectors?.['count/aborted_tool_calls'];
      // On the derived records: a real Codex span carries `aborted` twice and OTTL reads the first.
      expect(count.logs['codex_otel.tool_call.aborted'].conditions, file)
        .toEqual(['log.attributes["event.name"] == "codex.tool_decision" and log.attributes["codex_otel.derived_from"] == "span"']);
      expect(config.service.pipelines['logs/in']?.exporters, file).toContain('count/aborted_tool_calls');
      expect(config.service.pipelines.metrics?.receivers, file).toContain('count/aborted_tool_calls');
    }
    // A span reaches Tempo, and through its derived record Loki, the SIEM file and Prometheus.
    expect(pathsToExporters(main(), 'traces').map((p) => p.exporter).sort())
      .toEqual(['file/siem', 'otlp_grpc/tempo', 'otlp_grpc/tempo', 'otlp_http/loki_audit', 'otlp_http/loki_general', 'prometheus']);
  });

  for (const file of ['collector/config.yaml', 'collector/gateway.yaml']) {
    it(`${file}: samples only non-tool spans, only on the way to Tempo, at CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE (default 100)`, () => {
      const raw = readYaml(file) as any;
      expect(raw.processors['probabilistic_sampler/non_tool_spans']).toMatchObject({
        mode: 'hash_seed', sampling_percentage: '${env:CODEX_OTEL_TRACE_SAMPLING_PERCENTAGE:-100}', fail_closed: false,
      });
      const config = loadCollectorConfig(file, SECRETS);
      // A tool span (call_id and tool_name, as spanaudit selects) is dropped by exactly one of the two filters.
      const tool = 'attributes["call_id"] != nil and attributes["tool_name"] != nil';
      expect(config.processors?.['filter/tool_spans_only'].traces.span).toEqual([`not (${tool})`]);
      expect(config.processors?.['filter/non_tool_spans'].traces.span).toEqual([tool]);
      // spanaudit (the audit records and the aborted count) is fed before the split: every span.
      for (const path of pathsToExporters(config, 'traces').filter((p) => p.exporter !== 'otlp_grpc/tempo')) {
        for (const id of ['filter/tool_spans_only', 'filter/non_tool_spans', 'probabilistic_sampler/non_tool_spans']) expect(path.processors, path.exporter).not.toContain(id);
      }
    });
  }

  it('every path to Loki (and only to Loki) applies transform/loki_limits; the SIEM file gets records as sent', () => {
    for (const [files, siem] of [[['collector/config.yaml', SECRETS], 'file/siem'], [['collector/gateway.yaml', SECRETS], 'kafka/siem']] as const) {
      const paths = pathsToExporters(loadCollectorConfig(...files), 'logs');
      for (const p of paths) {
        const toLoki = p.exporter.startsWith('otlp_http/loki');
        expect(p.processors.includes('transform/loki_limits'), `${files[0]} -> ${p.exporter}`).toBe(toLoki);
      }
      expect(paths.some((p) => p.exporter === siem)).toBe(true);
    }
  });

  it('rewrites the four old decision spellings (contract §8), keeping the original', () => {
    const text = main().processors?.['transform/normalize_logs'].log_statements.join('\n');
    for (const [old, now] of [['approvedforsession', 'approved_for_session'], ['approvedexecpolicyamendment', 'approved_with_amendment'],
      ['networkpolicyamendment', 'approved_with_network_policy_allow'], ['timedout', 'timed_out']]) {
      expect(text).toContain(`set(log.attributes["decision"], "${now}") where log.attributes["decision"] == "${old}"`);
      expect(text).toMatch(new RegExp(`set\\(log\\.attributes\\["decision\\.original"\\], log\\.attributes\\["decision"\\]\\) where .*"${old}"`));
    }
  });

  it('every address and path the native stack changes is an env variable with the compose value as default', () => {
    const text = readText('collector/config.yaml');
    for (const v of ['CODEX_OTEL_OTLP_GRPC_ENDPOINT:-0.0.0.0:4317', 'CODEX_OTEL_OTLP_HTTP_ENDPOINT:-0.0.0.0:4318', 'LOKI_OTLP_ENDPOINT:-http://loki:3100/otlp',
      'TEMPO_OTLP_GRPC_ENDPOINT:-tempo:4317', 'CODEX_OTEL_QUEUE_DIR:-/var/lib/otelcol/queue', 'CODEX_OTEL_AUDIT_DIR:-/var/log/codex-audit']) {
      expect(text).toContain(`\${env:${v}}`);
    }
  });
});
