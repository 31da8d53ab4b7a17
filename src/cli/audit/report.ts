/**
 * Pure aggregation of normalised log records and spans into the audit report. `AuditAggregator`
 * takes them one at a time (memory grows with distinct keys, conversations, denials and record ids,
 * not with the input); `buildAuditReport` is the same over in-memory lists.
 *
 * Only `codex.*` events count (Codex's DEBUG records have no `event.name`); clients are grouped by
 * `originator`; records are de-duplicated by `codex_otel.record_id`; denials come from decisions and
 * aborted tool spans, joined on `call_id` (denials.ts). Decisions are shown in their current
 * spelling, other values as sent (`source` `Config` and `config` are different rows). An attribute
 * that is absent is `null` in the report, never `""`.
 */
import { currentDecision, isDenial } from './decisions.js';
import { DenialJoin, type ConversationIdentity, type DenialRow, type DenialSighting } from './denials.js';
import type { AuditRecord, AuditSpan, PlainValue } from './otlp-json.js';
import { buildTimeline, type Timeline } from './timeline.js';

export type { DenialRow } from './denials.js';
export type { Timeline } from './timeline.js';

export interface DecisionRow { tool_name: string | null; decision: string | null; source: string | null; count: number }

/** Per client (`originator`: `codex-tui`, `codex_exec`, …; not `service.name`). */
export interface ClientRow {
  originator: string | null;
  events: number;
  conversations: number;
  decisions: number;
  denials: number;
}

export interface UserRow { user_email: string | null; decisions: number; denials: number }
export interface ToolRow { tool_name: string | null; decisions: number; denials: number }

export interface RiskyConversation {
  conversation_id: string | null;
  sandbox_policy: string | null;
  approval_policy: string | null;
  model: string | null;
  timestamp: string | null;
  user_email: string | null;
}

export interface ToolFailureRow {
  tool_name: string | null;
  /** `codex.tool_result` with `success` = `"false"` (or boolean false). */
  count: number;
  /** Every `codex.tool_result` of that tool. */
  calls: number;
}

export interface McpServerRow {
  server: string;
  /** `codex.tool_result` events with this `mcp_server`. */
  calls: number;
  failures: number;
  tools: Array<{ tool_name: string | null; count: number }>;
  /** Distinct conversations whose `codex.conversation_starts` lists the server in `mcp_servers`. */
  conversations_configured: number;
}

export interface MalformedExample { location: string; reason: string }

export interface AuditInputSummary {
  files: string[];
  /** Files or arguments that could not be read, with the reason. */
  errors: string[];
  lines: number;
  log_lines: number;
  trace_lines: number;
  /** Valid metrics lines, skipped. */
  other_signal_lines: number;
  /** Files read as one whole JSON document rather than JSON lines. */
  documents: number;
}

export interface AuditReport {
  /** `codex.*` events counted (after --since/--until and de-duplication). */
  events: number;
  /** Distinct `conversation.id` values among them. */
  conversations: number;
  decisions: DecisionRow[];
  denials: DenialRow[];
  risky_conversations: RiskyConversation[];
  tool_failures: ToolFailureRow[];
  mcp_servers: McpServerRow[];
  clients: ClientRow[];
  by_user: UserRow[];
  by_tool: ToolRow[];
  timeline: Timeline;
  /** Log records without a `codex.*` `event.name` (Codex's DEBUG records): read, never counted. */
  ignored_records: number;
  /** Log records whose `codex_otel.record_id` was already counted (at-least-once delivery). */
  duplicate_records: number;
  /** Spans read (in the window). */
  spans: number;
  /** Tool spans with `aborted = true` (de-duplicated by trace and span id). */
  aborted_tool_spans: number;
  events_by_name: Array<{ name: string | null; count: number }>;
  prompts: { count: number; total_length: number; average_length: number | null };
  time_range: { first: string | null; last: string | null };
  filter: { since: string | null; until: string | null };
  /** Records read but left out by the filter (including records with no time when a filter is set). */
  filtered_out: number;
  malformed_lines: number;
  malformed_examples: MalformedExample[];
  input: AuditInputSummary;
}

export interface AuditFilter {
  /** Epoch ms, inclusive. */
  since?: number | null;
  /** Epoch ms, exclusive. */
  until?: number | null;
}

/** What the reader knows and the records do not: passed through to the report. */
export interface AuditReadSummary {
  files?: string[];
  errors?: string[];
  lines?: number;
  logLines?: number;
  traceLines?: number;
  otherSignalLines?: number;
  documents?: number;
  malformedLines?: number;
  malformed?: Array<{ file: string; line: number; reason: string }>;
}

const TOOL_DECISION = 'codex.tool_decision';
const TOOL_RESULT = 'codex.tool_result';
const CONVERSATION_STARTS = 'codex.conversation_starts';
const USER_PROMPT = 'codex.user_prompt';
const EVENT_PREFIX = 'codex.';
const RECORD_ID = 'codex_otel.record_id';
const DERIVED_FROM = 'codex_otel.derived_from';
const HOUR = 3_600_000;

interface ToolStats { calls: number; failures: number }
interface McpStats { calls: number; failures: number; tools: Map<string | null, number>; conversations: Set<string> }
interface ClientStats { events: number; conversations: Set<string>; decisions: number }

export class AuditAggregator {
  private events = 0;
  private ignored = 0;
  private duplicates = 0;
  private spans = 0;
  private abortedToolSpans = 0;
  private filteredOut = 0;
  private readonly recordIds = new Set<string>();
  private readonly spanIds = new Set<string>();
  private readonly conversations = new Set<string>();
  private readonly identities = new Map<string, ConversationIdentity>();
  private readonly clients = new Map<string | null, ClientStats>();
  private readonly decisions = new Map<string, DecisionRow>();
  private readonly decisionsByUser = new Map<string | null, number>();
  private readonly decisionsByTool = new Map<string | null, number>();
  /** Decisions per hour (epoch hour → count): the timeline is cut from these. */
  private readonly decisionHours = new Map<number, number>();
  private readonly denials = new DenialJoin();
  private readonly risky = new Map<string, { time: number | null; row: RiskyConversation }>();
  private readonly tools = new Map<string | null, ToolStats>();
  private readonly mcp = new Map<string, McpStats>();
  private readonly names = new Map<string, number>();
  private prompts = 0;
  private promptLengthTotal = 0;
  private promptLengthCount = 0;
  private first: number | null = null;
  private last: number | null = null;
  private anonymous = 0;

  constructor(private readonly filter: AuditFilter = {}) {}

  add(record: AuditRecord): void {
    const id = text(record.attributes[RECORD_ID]);
    if (id !== null) {
      if (this.recordIds.has(id)) {
        this.duplicates++;
        return;
      }
      this.recordIds.add(id);
    }
    if (!this.accepts(record.time)) {
      this.filteredOut++;
      return;
    }
    if (record.name === null || !record.name.startsWith(EVENT_PREFIX)) {
      this.ignored++;
      return;
    }
    this.events++;
    const attrs = record.attributes;
    this.seeTime(record.time);
    const conversation = text(attrs['conversation.id']);
    const originator = text(attrs['originator']);
    const user = text(attrs['user.email']);
    if (conversation !== null) {
      this.conversations.add(conversation);
      const known = this.identities.get(conversation);
      if (!known) this.identities.set(conversation, { user, originator });
      else {
        known.user ??= user;
        known.originator ??= originator;
      }
    }
    const client = this.clientStats(originator);
    client.events++;
    if (conversation !== null) client.conversations.add(conversation);
    this.names.set(record.name, (this.names.get(record.name) ?? 0) + 1);
    switch (record.name) {
      case TOOL_DECISION: this.addDecision(record, conversation, originator, user); break;
      case TOOL_RESULT: this.addToolResult(record); break;
      case CONVERSATION_STARTS: this.addConversationStart(record, conversation); break;
      case USER_PROMPT: this.addPrompt(record); break;
      default: break;
    }
  }

  /**
   * A span: only aborted tool spans matter (a denial the TUI sends no event for). Only those are
   * remembered (de-duplicated by trace and span id), so memory grows with denials, not with spans.
   */
  addSpan(span: AuditSpan): void {
    const time = span.end ?? span.start;
    if (!this.accepts(time)) {
      this.filteredOut++;
      return;
    }
    this.spans++;
    const attrs = span.attributes;
    const callId = text(attrs['call_id']);
    const tool = text(attrs['tool_name']);
    // A tool span has both (as our collector connector selects them by default).
    if (!isTrue(attrs['aborted']) || callId === null || tool === null) return;
    if (span.traceId !== null && span.spanId !== null) {
      const key = `${span.traceId}/${span.spanId}`;
      if (this.spanIds.has(key)) return;
      this.spanIds.add(key);
    }
    this.abortedToolSpans++;
    this.denials.add({
      evidence: 'span',
      time,
      conversation: text(attrs['conversation.id']),
      user: text(attrs['user.email']),
      originator: text(attrs['originator']),
      tool,
      callId,
      decision: 'abort',
      source: 'User',
    });
  }

  report(read: AuditReadSummary = {}): AuditReport {
    const denials = this.denials.rows((conversation) => this.identities.get(conversation))
      .sort((a, b) => compareTime(a.time, b.time) || compare(a.row.conversation_id, b.row.conversation_id) || compare(a.row.call_id, b.row.call_id));
    const clientDenials = countBy(denials, (d) => d.row.originator);
    const clientKeys = new Set([...this.clients.keys(), ...clientDenials.keys()]);
    const userDenials = countBy(denials, (d) => d.row.user_email);
    const toolDenials = countBy(denials, (d) => d.row.tool_name);
    return {
      events: this.events,
      conversations: this.conversations.size,
      decisions: [...this.decisions.values()].sort((a, b) =>
        b.count - a.count || compare(a.tool_name, b.tool_name) || compare(a.decision, b.decision) || compare(a.source, b.source)),
      denials: denials.map((d) => d.row),
      risky_conversations: [...this.risky.values()].sort((a, b) =>
        compareTime(a.time, b.time) || compare(a.row.conversation_id, b.row.conversation_id)).map((r) => r.row),
      tool_failures: [...this.tools].filter(([, s]) => s.failures > 0)
        .map(([tool_name, s]) => ({ tool_name, count: s.failures, calls: s.calls }))
        .sort((a, b) => b.count - a.count || compare(a.tool_name, b.tool_name)),
      mcp_servers: [...this.mcp].map(([server, s]) => ({
        server,
        calls: s.calls,
        failures: s.failures,
        tools: [...s.tools].map(([tool_name, count]) => ({ tool_name, count }))
          .sort((a, b) => b.count - a.count || compare(a.tool_name, b.tool_name)),
        conversations_configured: s.conversations.size,
      })).sort((a, b) => b.calls - a.calls || b.conversations_configured - a.conversations_configured || compare(a.server, b.server)),
      clients: [...clientKeys].map((originator) => {
        const stats = this.clients.get(originator);
        return {
          originator,
          events: stats?.events ?? 0,
          conversations: stats?.conversations.size ?? 0,
          decisions: stats?.decisions ?? 0,
          denials: clientDenials.get(originator) ?? 0,
        };
      }).sort((a, b) => b.events - a.events || b.denials - a.denials || compare(a.originator, b.originator)),
      by_user: [...new Set([...this.decisionsByUser.keys(), ...userDenials.keys()])]
        .map((user_email) => ({ user_email, decisions: this.decisionsByUser.get(user_email) ?? 0, denials: userDenials.get(user_email) ?? 0 }))
        .sort((a, b) => b.denials - a.denials || b.decisions - a.decisions || compare(a.user_email, b.user_email)),
      by_tool: [...new Set([...this.decisionsByTool.keys(), ...toolDenials.keys()])]
        .map((tool_name) => ({ tool_name, decisions: this.decisionsByTool.get(tool_name) ?? 0, denials: toolDenials.get(tool_name) ?? 0 }))
        .sort((a, b) => b.denials - a.denials || b.decisions - a.decisions || compare(a.tool_name, b.tool_name)),
      timeline: buildTimeline(this.decisionHours, denials.map((d) => d.time)),
      ignored_records: this.ignored,
      duplicate_records: this.duplicates,
      spans: this.spans,
      aborted_tool_spans: this.abortedToolSpans,
      events_by_name: [...this.names].map(([name, count]) => ({ name, count }))
        .sort((a, b) => b.count - a.count || compare(a.name, b.name)),
      prompts: {
        count: this.prompts,
        total_length: this.promptLengthTotal,
        average_length: this.promptLengthCount === 0 ? null : Math.round((this.promptLengthTotal / this.promptLengthCount) * 10) / 10,
      },
      time_range: { first: iso(this.first), last: iso(this.last) },
      filter: { since: iso(this.filter.since ?? null), until: iso(this.filter.until ?? null) },
      filtered_out: this.filteredOut,
      malformed_lines: read.malformedLines ?? 0,
      malformed_examples: (read.malformed ?? []).map((m) => ({ location: m.line > 0 ? `${m.file}:${m.line}` : m.file, reason: m.reason })),
      input: {
        files: read.files ?? [],
        errors: read.errors ?? [],
        lines: read.lines ?? 0,
        log_lines: read.logLines ?? 0,
        trace_lines: read.traceLines ?? 0,
        other_signal_lines: read.otherSignalLines ?? 0,
        documents: read.documents ?? 0,
      },
    };
  }

  private accepts(time: number | null): boolean {
    const { since, until } = this.filter;
    const filtered = (since !== undefined && since !== null) || (until !== undefined && until !== null);
    if (!filtered) return true;
    if (time === null) return false;
    if (since !== undefined && since !== null && time < since) return false;
    if (until !== undefined && until !== null && time >= until) return false;
    return true;
  }

  private seeTime(time: number | null): void {
    if (time === null) return;
    if (this.first === null || time < this.first) this.first = time;
    if (this.last === null || time > this.last) this.last = time;
  }

  private addDecision(record: AuditRecord, conversation: string | null, originator: string | null, user: string | null): void {
    const attrs = record.attributes;
    const tool_name = text(attrs['tool_name']);
    const decision = currentDecision(text(attrs['decision']));
    const source = text(attrs['source']);
    const sighting: DenialSighting = {
      evidence: 'decision', time: record.time, conversation, user, originator, tool: tool_name, callId: text(attrs['call_id']), decision, source,
    };
    // Our connector's record made from an aborted span is that span, not a decision anyone took.
    if (text(attrs[DERIVED_FROM]) === 'span') {
      this.denials.add({ ...sighting, evidence: 'span' });
      return;
    }
    const key = JSON.stringify([tool_name, decision, source]);
    const row = this.decisions.get(key);
    if (row) row.count++;
    else this.decisions.set(key, { tool_name, decision, source, count: 1 });
    this.clientStats(originator).decisions++;
    this.decisionsByUser.set(user, (this.decisionsByUser.get(user) ?? 0) + 1);
    this.decisionsByTool.set(tool_name, (this.decisionsByTool.get(tool_name) ?? 0) + 1);
    if (record.time !== null) {
      const hour = Math.floor(record.time / HOUR);
      this.decisionHours.set(hour, (this.decisionHours.get(hour) ?? 0) + 1);
    }
    if (isDenial(decision)) this.denials.add(sighting);
  }

  private clientStats(originator: string | null): ClientStats {
    let stats = this.clients.get(originator);
    if (!stats) {
      stats = { events: 0, conversations: new Set(), decisions: 0 };
      this.clients.set(originator, stats);
    }
    return stats;
  }

  private addToolResult(record: AuditRecord): void {
    const attrs = record.attributes;
    const tool = text(attrs['tool_name']);
    const failed = isFalse(attrs['success']);
    const stats = this.tools.get(tool) ?? { calls: 0, failures: 0 };
    stats.calls++;
    if (failed) stats.failures++;
    this.tools.set(tool, stats);
    const server = text(attrs['mcp_server']);
    if (server === null || server === '') return;
    const mcp = this.mcpStats(server);
    mcp.calls++;
    if (failed) mcp.failures++;
    mcp.tools.set(tool, (mcp.tools.get(tool) ?? 0) + 1);
  }

  private addConversationStart(record: AuditRecord, conversation: string | null): void {
    const attrs = record.attributes;
    // A record without a conversation id still counts once, under a key of its own.
    const key = conversation ?? `\u0000${this.anonymous++}`;
    const servers = text(attrs['mcp_servers']);
    if (servers !== null) {
      for (const server of servers.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        this.mcpStats(server).conversations.add(key);
      }
    }
    const sandbox_policy = text(attrs['sandbox_policy']);
    const approval_policy = text(attrs['approval_policy']);
    const risky = sandbox_policy?.trim().toLowerCase() === 'danger-full-access' || approval_policy?.trim().toLowerCase() === 'never';
    if (!risky || this.risky.has(key)) return;
    this.risky.set(key, {
      time: record.time,
      row: {
        conversation_id: conversation,
        sandbox_policy,
        approval_policy,
        model: text(attrs['model']),
        timestamp: iso(record.time),
        user_email: text(attrs['user.email']),
      },
    });
  }

  private addPrompt(record: AuditRecord): void {
    this.prompts++;
    const length = toNumber(record.attributes['prompt_length']);
    if (length === null) return;
    this.promptLengthTotal += length;
    this.promptLengthCount++;
  }

  private mcpStats(server: string): McpStats {
    let stats = this.mcp.get(server);
    if (!stats) {
      stats = { calls: 0, failures: 0, tools: new Map(), conversations: new Set() };
      this.mcp.set(server, stats);
    }
    return stats;
  }
}

/** The report of an in-memory list of records. */
export function buildAuditReport(records: Iterable<AuditRecord>, options: { filter?: AuditFilter; read?: AuditReadSummary; spans?: Iterable<AuditSpan> } = {}): AuditReport {
  const aggregator = new AuditAggregator(options.filter);
  for (const record of records) aggregator.add(record);
  for (const span of options.spans ?? []) aggregator.addSpan(span);
  return aggregator.report(options.read);
}

function countBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** `aborted` sent as a boolean, or spelled "true" by a sender that stringifies attributes. */
function isTrue(value: PlainValue | undefined): boolean {
  return value === true || value === 'true';
}

/** An attribute as a string: strings as sent, numbers and booleans rendered, anything else null. */
function text(value: PlainValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** `success` = `"false"` (Codex sends a string) or boolean false. */
function isFalse(value: PlainValue | undefined): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

/** A number sent as a number or as a decimal string (Codex's str-num). */
function toNumber(value: PlainValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

export function iso(millis: number | null): string | null {
  if (millis === null) return null;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Nulls sort after every string. */
function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTime(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}
