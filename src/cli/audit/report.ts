/**
 * Pure aggregation of normalised log records into the audit report. `AuditAggregator` takes records
 * one at a time (so a stream of any size fits in memory bounded by the number of distinct keys and
 * denials); `buildAuditReport` is the same over an in-memory list.
 *
 * Values are kept as sent: `source` `Config` and `config` are different rows. An attribute that is
 * absent is `null` in the report, never `""`.
 */
import type { AuditRecord, PlainValue } from './otlp-json.js';

export interface DecisionRow { tool_name: string | null; decision: string | null; source: string | null; count: number }

export interface DenialRow {
  timestamp: string | null;
  conversation_id: string | null;
  user_email: string | null;
  tool_name: string | null;
  call_id: string | null;
  decision: string | null;
  source: string | null;
}

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
  /** Valid metrics or traces lines, skipped. */
  other_signal_lines: number;
}

export interface AuditReport {
  /** Log records counted (after --since/--until). */
  events: number;
  /** Distinct `conversation.id` values among them. */
  conversations: number;
  decisions: DecisionRow[];
  denials: DenialRow[];
  risky_conversations: RiskyConversation[];
  tool_failures: ToolFailureRow[];
  mcp_servers: McpServerRow[];
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
  otherSignalLines?: number;
  malformedLines?: number;
  malformed?: Array<{ file: string; line: number; reason: string }>;
}

export const DENIAL_DECISIONS: ReadonlySet<string> = new Set(['denied', 'abort', 'timedout']);

const TOOL_DECISION = 'codex.tool_decision';
const TOOL_RESULT = 'codex.tool_result';
const CONVERSATION_STARTS = 'codex.conversation_starts';
const USER_PROMPT = 'codex.user_prompt';

interface ToolStats { calls: number; failures: number }
interface McpStats { calls: number; failures: number; tools: Map<string | null, number>; conversations: Set<string> }

export class AuditAggregator {
  private events = 0;
  private filteredOut = 0;
  private readonly conversations = new Set<string>();
  private readonly decisions = new Map<string, DecisionRow>();
  private readonly denials: Array<{ time: number | null; row: DenialRow }> = [];
  private readonly risky = new Map<string, { time: number | null; row: RiskyConversation }>();
  private readonly tools = new Map<string | null, ToolStats>();
  private readonly mcp = new Map<string, McpStats>();
  private readonly names = new Map<string | null, number>();
  private prompts = 0;
  private promptLengthTotal = 0;
  private promptLengthCount = 0;
  private first: number | null = null;
  private last: number | null = null;
  private anonymous = 0;

  constructor(private readonly filter: AuditFilter = {}) {}

  add(record: AuditRecord): void {
    if (!this.accepts(record.time)) {
      this.filteredOut++;
      return;
    }
    this.events++;
    const attrs = record.attributes;
    if (record.time !== null) {
      if (this.first === null || record.time < this.first) this.first = record.time;
      if (this.last === null || record.time > this.last) this.last = record.time;
    }
    const conversation = text(attrs['conversation.id']);
    if (conversation !== null) this.conversations.add(conversation);
    this.names.set(record.name, (this.names.get(record.name) ?? 0) + 1);
    switch (record.name) {
      case TOOL_DECISION: this.addDecision(record, conversation); break;
      case TOOL_RESULT: this.addToolResult(record); break;
      case CONVERSATION_STARTS: this.addConversationStart(record, conversation); break;
      case USER_PROMPT: this.addPrompt(record); break;
      default: break;
    }
  }

  report(read: AuditReadSummary = {}): AuditReport {
    return {
      events: this.events,
      conversations: this.conversations.size,
      decisions: [...this.decisions.values()].sort((a, b) =>
        b.count - a.count || compare(a.tool_name, b.tool_name) || compare(a.decision, b.decision) || compare(a.source, b.source)),
      denials: this.denials.slice().sort((a, b) =>
        compareTime(a.time, b.time) || compare(a.row.conversation_id, b.row.conversation_id) || compare(a.row.call_id, b.row.call_id))
        .map((d) => d.row),
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
      malformed_examples: (read.malformed ?? []).map((m) => ({ location: `${m.file}:${m.line}`, reason: m.reason })),
      input: {
        files: read.files ?? [],
        errors: read.errors ?? [],
        lines: read.lines ?? 0,
        log_lines: read.logLines ?? 0,
        other_signal_lines: read.otherSignalLines ?? 0,
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

  private addDecision(record: AuditRecord, conversation: string | null): void {
    const attrs = record.attributes;
    const tool_name = text(attrs['tool_name']);
    const decision = text(attrs['decision']);
    const source = text(attrs['source']);
    const key = JSON.stringify([tool_name, decision, source]);
    const row = this.decisions.get(key);
    if (row) row.count++;
    else this.decisions.set(key, { tool_name, decision, source, count: 1 });
    if (decision !== null && DENIAL_DECISIONS.has(decision.toLowerCase())) {
      this.denials.push({
        time: record.time,
        row: {
          timestamp: iso(record.time),
          conversation_id: conversation,
          user_email: text(attrs['user.email']),
          tool_name,
          call_id: text(attrs['call_id']),
          decision,
          source,
        },
      });
    }
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
export function buildAuditReport(records: Iterable<AuditRecord>, options: { filter?: AuditFilter; read?: AuditReadSummary } = {}): AuditReport {
  const aggregator = new AuditAggregator(options.filter);
  for (const record of records) aggregator.add(record);
  return aggregator.report(options.read);
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

function iso(millis: number | null): string | null {
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
