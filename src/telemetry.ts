import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import { defaultConfig } from './config/defaults.js';
import type { OtelConfig } from './config/types.js';
import { createInternalErrorReporter, ensureDiagLogger, type InternalErrorReporter } from './diagnostics.js';
import { resolveAuthEnv, EmitContext, type ContentPolicy, type ToolResultSequence } from './events/context.js';
import { createContentPolicy } from './events/content.js';
import { resolveCatalog, sessionTagKey, type EmitTarget, type ResolvedCatalog } from './events/emitter.js';
import type { SessionInfo } from './events/inputs.js';
import { createPipeline, type DeliveryOptions, type Pipeline, type ShutdownResult } from './export/pipeline.js';
import type { DeliveryStatsSnapshot } from './export/delivery/stats.js';
import { createInstruments, type Instruments } from './metrics/instruments.js';
import { TagCache } from './metrics/sanitize.js';
import { createIdentityPolicy, type IdentityPolicy } from './redact/index.js';
import { Session } from './session.js';
import { PACKAGE_VERSION } from './version.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { parentFromEnvironment, SessionSpans } from './traces/index.js';

export interface TelemetryOptions {
  /** Client id: `service.name` and the `originator` attribute. Default `codex_cli_rs`. */
  originator?: string;
  /** Version of the instrumented application (`app.version`, `service.version`). */
  appVersion?: string;
  /** Environment read for the auth-env group and the terminal type; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Send OpenTelemetry's diagnostics (SDK errors) to stderr when the host has registered no diag logger
   * (default true). A logger the host has registered is never replaced. Every instance also publishes its
   * own problems on the `codex-otel:diagnostics` channel of `node:diagnostics_channel`.
   */
  diagnostics?: boolean;
  /** Extra exporters beside the configured ones (file output, tests). */
  logExporters?: LogRecordExporter[];
  metricExporters?: PushMetricExporter[];
  /** Span exporters beside the configured `trace_exporter`; any of them turns spans on. */
  spanExporters?: SpanExporter[];
  /** Delivery tuning beyond config.toml: export timeout, retry policy, spool override (tests, embedding hosts). */
  delivery?: DeliveryOptions;
}

/** The instrumentation: start sessions, flush, shut down. Create one per process. */
export class Telemetry {
  private readonly shapes: ResolvedCatalog;
  private readonly instruments: Instruments;
  // Tag values are scrubbed like log fields (once per distinct value): a tag never carries what a log would redact.
  private readonly tagCache = new TagCache(undefined, (value) => this.contentPolicy.scrub(value, { redactions: 0 }));
  private readonly identity: IdentityPolicy;
  private readonly contentPolicy: ContentPolicy;
  /** Sessions with a span open: shutdown ends them, or they would never be exported. */
  private readonly openSpans = new Set<SessionSpans>();
  private readonly toolResultSequence: ToolResultSequence = { next: 1 };
  private readonly report: InternalErrorReporter;
  readonly originator: string;
  readonly appVersion: string;

  /** @internal use createTelemetry */
  constructor(readonly config: OtelConfig, private readonly pipeline: Pipeline, private readonly options: TelemetryOptions, contentPolicy?: ContentPolicy) {
    this.originator = options.originator ?? 'codex_cli_rs';
    this.appVersion = options.appVersion ?? PACKAGE_VERSION;
    this.report = createInternalErrorReporter(this.originator);
    this.instruments = createInstruments(pipeline.aggregator);
    pipeline.onDropped((count, reason, signal) => this.instruments.dropped.add(count, { reason, signal }));
    this.contentPolicy = contentPolicy ?? createContentPolicy(config);
    this.shapes = resolveCatalog(this.instruments, this.contentPolicy);
    this.identity = safeIdentityPolicy(config.extensions.identity, this.report);
  }

  /** True when at least one exporter receives what is recorded. */
  get exporting(): boolean {
    return this.pipeline.exporting;
  }

  /** True when spans are recorded (a trace exporter is configured); false is the no-op path. */
  get tracing(): boolean {
    return this.pipeline.tracer !== undefined;
  }

  startSession(info: SessionInfo): Session {
    try {
      return this.buildSession(info);
    } catch (error) {
      // A hostile `info` (throwing getter, Proxy) must not reach the caller: start with defaults instead.
      this.report('starting a session', error);
      return this.buildSession({} as SessionInfo);
    }
  }

  private buildSession(info: SessionInfo): Session {
    const env = this.options.env ?? process.env;
    const common: Array<[string, string]> = [
      ['conversation.id', stringOr(info?.conversationId, 'unknown')],
      ['app.version', this.appVersion],
    ];
    if (typeof info?.authMode === 'string') common.push(['auth_mode', info.authMode]);
    common.push(['originator', this.originator]);
    const accountId = this.identity.accountId(info?.accountId);
    if (accountId !== undefined) common.push(['user.account_id', accountId]);
    const email = this.identity.email(info?.email);
    if (email !== undefined) common.push(['user.email', email]);
    const model = stringOr(info?.model, 'unknown');
    common.push(['terminal.type', stringOr(info?.terminalType, detectTerminal(env))]);
    common.push(['model', model]);
    common.push(['slug', stringOr(info?.slug, model)]);

    // Session values go on every record: scrubbed once here, with the free-text rules.
    const scratch = { redactions: 0 };
    for (const entry of common) entry[1] = this.contentPolicy.scrub(entry[1], scratch);

    const sessionTags: Attributes = {};
    if (typeof info?.authMode === 'string') sessionTags['auth_mode'] = this.tagCache.get(info.authMode);
    sessionTags['session_source'] = this.tagCache.get(info?.sessionSource ?? 'cli');
    sessionTags['originator'] = this.tagCache.get(this.originator);
    sessionTags['model'] = this.tagCache.get(model);
    sessionTags['app.version'] = this.tagCache.get(this.appVersion);

    const target: EmitTarget = {
      logger: this.pipeline.logger,
      context: new EmitContext(resolveAuthEnv(info?.authEnv, env), this.contentPolicy, this.toolResultSequence),
      commonAttributes: common,
      sessionTags: Object.freeze(sessionTags),
      sessionTagKey: sessionTagKey(sessionTags),
      tagCache: this.tagCache,
      redactionCounter: this.instruments.redactions,
      templates: new Map(),
      lifecycle: this.pipeline,
      recordSize: this.pipeline.recordSize,
      report: this.report,
    };
    const conversationId = common[0]![1];
    const spans = this.pipeline.tracer
      ? new SessionSpans({ tracer: this.pipeline.tracer, conversationId, model, tracestate: this.config.tracestate ?? {}, parent: parentFromEnvironment(env), open: this.openSpans, report: this.report, common })
      : undefined;
    return new Session(target, this.shapes, this.instruments, conversationId, spans);
  }

  /** Exports everything pending now; resolves when done (or failed). Never rejects. */
  async forceFlush(): Promise<void> {
    try {
      await this.pipeline.forceFlush();
    } catch (error) {
      this.report('flushing', error);
    }
  }

  /** What happened to log records so far: exported, spooled, replayed, retries, dropped by reason. */
  deliveryStats(): DeliveryStatsSnapshot {
    return this.pipeline.stats();
  }

  /** Flushes and closes within the configured bound (default 2 s). Idempotent: every caller gets one promise. */
  shutdown(): Promise<ShutdownResult> {
    for (const spans of [...this.openSpans]) {
      try {
        spans.endAll();
      } catch (error) {
        this.report('ending open spans', error);
      }
    }
    return this.pipeline.shutdown();
  }
}

/**
 * Builds the instrumentation for a loaded config. With `exporter = "none"` (or no `[otel]` table) everything
 * still works and nothing is sent: no socket is opened.
 */
export function createTelemetry(config: OtelConfig = defaultConfig(), options: TelemetryOptions = {}): Telemetry {
  if (options.diagnostics !== false) ensureDiagLogger();
  const originator = options.originator ?? 'codex_cli_rs';
  // One content policy for log records and spans: spans are scrubbed on the export path with the same rules.
  const contentPolicy = createContentPolicy(config);
  const pipeline = createPipeline(config, {
    originator,
    appVersion: options.appVersion ?? PACKAGE_VERSION,
    environment: config.environment,
  }, {
    ...(options.logExporters ? { logExporters: options.logExporters } : {}),
    ...(options.metricExporters ? { metricExporters: options.metricExporters } : {}),
    ...(options.spanExporters ? { spanExporters: options.spanExporters } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    spanScrub: contentPolicy,
  });
  return new Telemetry(config, pipeline, { ...options, originator }, contentPolicy);
}

/** A config built by hand may ask for hashing without a salt: then the identity is dropped, never sent in clear. */
function safeIdentityPolicy(identity: OtelConfig['extensions']['identity'], report: InternalErrorReporter): IdentityPolicy {
  try {
    return createIdentityPolicy({ email: identity.email, accountId: identity.accountId, ...(identity.salt ? { salt: identity.salt } : {}) });
  } catch (error) {
    report('reading the identity settings', error);
    const drop = (mode: string) => (mode === 'hash' ? 'drop' : mode) as 'keep' | 'drop';
    return createIdentityPolicy({ email: drop(identity.email), accountId: drop(identity.accountId) });
  }
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** The terminal's user-agent token (`iTerm.app/3.5`, `vscode/1.90`, …), as Codex derives it. */
export function detectTerminal(env: NodeJS.ProcessEnv): string {
  const program = env['TERM_PROGRAM'];
  if (program) return env['TERM_PROGRAM_VERSION'] ? `${program}/${env['TERM_PROGRAM_VERSION']}` : program;
  if (env['WT_SESSION']) return 'WindowsTerminal';
  if (env['TERM']) return env['TERM'];
  return 'unknown';
}
