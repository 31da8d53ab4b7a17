/**
 * "Our library, driven through the same scenario": every event the real binary sent is replayed
 * through the public API (one Session per conversation, one method call per event, in the same
 * order) with the values it carried, and what the library exports is captured by a real OTLP
 * receiver.
 *
 * Why replay rather than a reference agent talking to the mock: Codex's sequence depends on its
 * internals (retry policy, websocket prewarm, the TUI's thread-title conversation, startup phases),
 * which an agent of ours would have to re-implement and would get subtly different; the differences
 * found would then be the agent's, not the library's. Replaying gives each captured event exactly
 * one counterpart, so the comparison is event by event, and it exercises every shape the binary
 * actually sent. The method for a record is chosen by matching its keys against the catalog's
 * shapes; a record no shape can produce is reported as a difference, never skipped.
 */
import { CATALOG, inputField, type EventShape, type ShapeId, type WireType } from '../../src/events/catalog.js';
import { createTelemetry, parseConfigText, type Session, type SessionInfo } from '../../src/index.js';
import type { Attr, ReceivedLogRecord, ReceivedMetric } from '../support/otlp-model.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { eventNameOf } from './compare.js';

const SHAPE_METHODS: Record<ShapeId, (session: Session, input: any) => void> = {
  conversationStarts: (s, i) => s.conversationStarts(i),
  startupPhase: (s, i) => s.startupPhase(i),
  userPrompt: (s, i) => s.userPrompt(i.text),
  apiRequest: (s, i) => s.apiRequest(i),
  sseChunk: (s, i) => s.sseEvent(i),
  sseChunkFailed: (s, i) => s.sseEventFailed(i),
  sseCompleted: (s, i) => s.sseEventCompleted(i),
  sseCompletedFailed: (s, i) => s.sseEventCompletedFailed(i),
  turnTtft: (s, i) => s.turnTtft(i),
  websocketConnect: (s, i) => s.websocketConnect(i),
  websocketRequest: (s, i) => s.websocketRequest(i),
  toolDecision: (s, i) => s.toolDecision(i),
  sandboxOutcome: (s, i) => s.sandboxOutcome(i),
  toolResult: (s, i) => s.toolResult(i),
};

/** The common attributes of contract §1.1: session facts, not event input. */
const COMMON_KEYS = new Set(['event.name', 'event.timestamp', 'conversation.id', 'app.version', 'auth_mode', 'originator',
  'user.account_id', 'user.email', 'terminal.type', 'model', 'slug']);

const valueOf = (attribute: Attr | undefined): unknown => (attribute === undefined || attribute.type === 'empty' ? undefined : attribute.value);

/** The attribute's value as the caller would pass it. */
function asInput(type: WireType, value: unknown): unknown {
  if (type === 'strnum' || type === 'int') return Number(value);
  if (type === 'strbool') return value === 'true';
  return value;
}

/** The catalog shape that emits exactly this record's own keys, or why there is none. */
export function shapeFor(record: ReceivedLogRecord): { id: ShapeId } | { problem: string } {
  const name = eventNameOf(record);
  const own = record.attributes.map((a) => a.key).filter((key) => !COMMON_KEYS.has(key));
  const candidates = (Object.entries(CATALOG) as Array<[ShapeId, EventShape]>).filter(([, shape]) => shape.name === name);
  if (candidates.length === 0) return { problem: `${name}: no event of that name in our catalog` };
  let best: { id: ShapeId; extra: number } | undefined;
  for (const [id, shape] of candidates) {
    const keys = new Set(shape.attributes.map((a) => a.key));
    if (!own.every((key) => keys.has(key))) continue;
    const extra = shape.attributes.filter((a) => !own.includes(a.key)).length;
    if (!best || extra < best.extra) best = { id, extra };
  }
  if (best) return { id: best.id };
  const known = new Set(candidates.flatMap(([, shape]) => shape.attributes.map((a) => a.key)));
  return { problem: `${name}: no shape of our catalog has the keys ${own.filter((k) => !known.has(k)).join(', ')}` };
}

function inputFor(shape: EventShape, record: ReceivedLogRecord): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const spec of shape.attributes) {
    const field = inputField(spec);
    const value = valueOf(record.attributes.find((a) => a.key === spec.key));
    if (field !== undefined && value !== undefined) input[field] = asInput(spec.type, value);
  }
  return input;
}

function sessionInfoOf(records: readonly ReceivedLogRecord[], sessionSource: string | undefined): SessionInfo {
  const first = records[0]!;
  const common = (key: string) => valueOf(first.attributes.find((a) => a.key === key)) as string | undefined;
  const withAuthEnv = records.find((r) => r.attributes.some((a) => a.key.startsWith('auth.env_')));
  const env = (key: string) => valueOf(withAuthEnv?.attributes.find((a) => a.key === key));
  const info: SessionInfo = {
    conversationId: common('conversation.id')!,
    model: common('model')!,
    ...(common('slug') !== undefined ? { slug: common('slug') } : {}),
    ...(common('auth_mode') !== undefined ? { authMode: common('auth_mode') } : {}),
    ...(common('user.account_id') !== undefined ? { accountId: common('user.account_id') } : {}),
    ...(common('user.email') !== undefined ? { email: common('user.email') } : {}),
    ...(common('terminal.type') !== undefined ? { terminalType: common('terminal.type') } : {}),
    ...(sessionSource !== undefined ? { sessionSource } : {}),
  };
  if (withAuthEnv) {
    info.authEnv = {
      openaiApiKeyPresent: env('auth.env_openai_api_key_present') === true,
      codexApiKeyPresent: env('auth.env_codex_api_key_present') === true,
      codexApiKeyEnabled: env('auth.env_codex_api_key_enabled') === true,
      refreshTokenUrlOverridePresent: env('auth.env_refresh_token_url_override_present') === true,
      ...(env('auth.env_provider_key_name') !== undefined ? { providerKeyName: env('auth.env_provider_key_name') as string } : {}),
      ...(env('auth.env_provider_key_present') !== undefined ? { providerKeyPresent: env('auth.env_provider_key_present') === true } : {}),
    };
  }
  return info;
}

function tagOf(metric: ReceivedMetric, key: string): string | undefined {
  for (const point of metric.points) {
    const tag = point.attributes.find((a) => a.key === key);
    if (tag?.type === 'string') return tag.value;
  }
  return undefined;
}

export interface ReplayResult {
  logs: ReceivedLogRecord[];
  metrics: ReceivedMetric[];
  /** Captured events our catalog cannot produce. */
  problems: string[];
}

export interface ReplayOptions {
  logUserPrompt?: boolean;
}

/** Replays the capture's events (and its metric-only recordings) through a real Telemetry exporting to a real receiver. */
export async function replayThroughLibrary(
  codexLogs: readonly ReceivedLogRecord[],
  codexMetrics: readonly ReceivedMetric[],
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const events = codexLogs.filter((r) => eventNameOf(r) !== undefined);
  const problems: string[] = [];
  const receiver = await startOtlpReceiver();
  try {
    const exporter = (url: string) => `{ otlp-http = { endpoint = "${url}", protocol = "binary" } }`;
    const toml = `[otel]\nenvironment = "conformance"\nlog_user_prompt = ${options.logUserPrompt === true}\n`
      + `exporter = ${exporter(receiver.logsUrl)}\nmetrics_exporter = ${exporter(receiver.metricsUrl)}\n`;
    const parsed = parseConfigText(toml, { env: {} });
    if (!parsed.config) throw new Error(`replay config invalid: ${JSON.stringify(parsed.errors)}`);
    const first = events[0];
    const common = (key: string) => valueOf(first?.attributes.find((a) => a.key === key)) as string | undefined;
    const telemetry = createTelemetry(parsed.config, {
      originator: common('originator') ?? 'unknown',
      appVersion: common('app.version') ?? '0.0.0',
      env: {},
      diagnostics: false,
    });
    const sessionSource = codexMetrics.map((m) => tagOf(m, 'session_source')).find((s) => s !== undefined);
    const byConversation = new Map<string, ReceivedLogRecord[]>();
    for (const record of events) {
      const id = String(valueOf(record.attributes.find((a) => a.key === 'conversation.id')));
      byConversation.set(id, [...(byConversation.get(id) ?? []), record]);
    }
    const sessions = new Map<string, Session>();
    for (const [id, records] of byConversation) sessions.set(id, telemetry.startSession(sessionInfoOf(records, sessionSource)));

    for (const record of events) {
      const session = sessions.get(String(valueOf(record.attributes.find((a) => a.key === 'conversation.id'))))!;
      const shape = shapeFor(record);
      if ('problem' in shape) {
        problems.push(shape.problem);
        continue;
      }
      SHAPE_METHODS[shape.id](session, inputFor(CATALOG[shape.id], record));
    }

    // Recordings without a log record: websocket events, and each turn's end.
    const anySession = sessions.values().next().value as Session | undefined;
    for (const metric of codexMetrics.filter((m) => m.name === 'codex.websocket.event' && m.kind === 'sum')) {
      for (const point of metric.points) {
        const tag = (key: string) => point.attributes.find((a) => a.key === key)?.value;
        for (let n = 0; n < Number((point as { value: number }).value); n++) {
          anySession?.websocketEvent({ kind: String(tag('kind')), durationMs: 0, success: tag('success') === 'true' });
        }
      }
    }
    const ttfm = codexMetrics.some((m) => m.name === 'codex.turn.ttfm.duration_ms');
    for (const [id, records] of byConversation) {
      const turns = records.filter((r) => eventNameOf(r) === CATALOG.userPrompt.name).length;
      for (let n = 0; n < turns; n++) sessions.get(id)!.turn({ e2eDurationMs: 0, ...(ttfm ? { ttfmDurationMs: 0 } : {}) });
    }

    await telemetry.shutdown();
    return { logs: receiver.logs(), metrics: receiver.metrics(), problems };
  } finally {
    await receiver.close();
  }
}
