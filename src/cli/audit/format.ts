/**
 * The audit report as text: `json` (the report object), `table` (aligned sections for people),
 * `csv` (one RFC 4180 table per section, each introduced by a `# <section>` line, sections separated
 * by an empty line; `section` selects one section and prints it without the `#` line; cells
 * neutralised against spreadsheet formula injection) or `html` (one self-contained page).
 * Every form is made from the same sections, so they show the same numbers.
 */
import { renderHtmlReport } from './html.js';
import type { AuditReport } from './report.js';

export const AUDIT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

export type Cell = string | number | null;

export interface Section {
  name: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Summary-style key/value list: no header row in the table form. */
  keyValue?: boolean;
}

export const AUDIT_SECTIONS = [
  'summary', 'clients', 'decisions', 'denials', 'by_user', 'by_tool', 'timeline', 'risky_conversations', 'tool_failures',
  'mcp_servers', 'mcp_tools', 'events_by_name', 'malformed_lines',
] as const;
export type AuditSection = (typeof AUDIT_SECTIONS)[number];

export interface FormatOptions {
  /** Only this section (table and csv). */
  section?: AuditSection;
}

export function formatAuditReport(report: AuditReport, format: AuditFormat, options: FormatOptions = {}): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  if (format === 'html') return renderHtmlReport(report, auditSections(report));
  const sections = auditSections(report).filter((s) => options.section === undefined || s.name === options.section);
  if (format === 'csv') {
    if (options.section !== undefined) return sections.map((s) => csvTable(s)).join('\n');
    return sections.map((s) => `# ${s.name}\n${csvTable(s)}`).join('\n\n');
  }
  return sections.map(tableSection).join('\n\n');
}

/** The report cut into named tables; the same for the table and csv forms. */
export function auditSections(report: AuditReport): Section[] {
  return [
    {
      name: 'summary',
      title: 'Summary',
      columns: ['metric', 'value'],
      keyValue: true,
      rows: [
        ['events', report.events],
        ['conversations', report.conversations],
        ['denials', report.denials.length],
        ['ignored_records', report.ignored_records],
        ['duplicate_records', report.duplicate_records],
        ['spans', report.spans],
        ['aborted_tool_spans', report.aborted_tool_spans],
        ['first_event', report.time_range.first],
        ['last_event', report.time_range.last],
        ['since', report.filter.since],
        ['until', report.filter.until],
        ['filtered_out', report.filtered_out],
        ['prompts', report.prompts.count],
        ['prompt_length_total', report.prompts.total_length],
        ['prompt_length_average', report.prompts.average_length],
        ['files', report.input.files.length],
        ['lines', report.input.lines],
        ['log_lines', report.input.log_lines],
        ['trace_lines', report.input.trace_lines],
        ['other_signal_lines', report.input.other_signal_lines],
        ['documents', report.input.documents],
        ['malformed_lines', report.malformed_lines],
        ['errors', report.input.errors.length],
      ],
    },
    {
      name: 'clients',
      title: 'Clients by originator',
      columns: ['originator', 'events', 'conversations', 'decisions', 'denials'],
      rows: report.clients.map((c) => [c.originator, c.events, c.conversations, c.decisions, c.denials]),
    },
    {
      name: 'decisions',
      title: 'Decisions by tool × decision × source',
      columns: ['tool_name', 'decision', 'source', 'count'],
      rows: report.decisions.map((d) => [d.tool_name, d.decision, d.source, d.count]),
    },
    {
      name: 'denials',
      title: 'Denials (decisions denied, abort, timed_out, denied_*; aborted tool spans), one per call_id',
      columns: ['timestamp', 'conversation_id', 'user_email', 'tool_name', 'call_id', 'decision', 'source', 'originator', 'label', 'evidence'],
      rows: report.denials.map((d) => [d.timestamp, d.conversation_id, d.user_email, d.tool_name, d.call_id, d.decision, d.source, d.originator, d.label, d.evidence]),
    },
    {
      name: 'by_user',
      title: 'Decisions and denials by user',
      columns: ['user_email', 'decisions', 'denials'],
      rows: report.by_user.map((u) => [u.user_email, u.decisions, u.denials]),
    },
    {
      name: 'by_tool',
      title: 'Decisions and denials by tool',
      columns: ['tool_name', 'decisions', 'denials'],
      rows: report.by_tool.map((t) => [t.tool_name, t.decisions, t.denials]),
    },
    {
      name: 'timeline',
      title: `Decisions and denials over time (per ${report.timeline.bucket}, UTC)`,
      columns: ['start', 'decisions', 'denials'],
      rows: report.timeline.buckets.map((b) => [b.start, b.decisions, b.denials]),
    },
    {
      name: 'risky_conversations',
      title: 'Risky conversations (sandbox_policy = danger-full-access or approval_policy = never)',
      columns: ['conversation_id', 'sandbox_policy', 'approval_policy', 'model', 'timestamp', 'user_email'],
      rows: report.risky_conversations.map((r) => [r.conversation_id, r.sandbox_policy, r.approval_policy, r.model, r.timestamp, r.user_email]),
    },
    {
      name: 'tool_failures',
      title: 'Tool failures by tool',
      columns: ['tool_name', 'count', 'calls'],
      rows: report.tool_failures.map((t) => [t.tool_name, t.count, t.calls]),
    },
    {
      name: 'mcp_servers',
      title: 'MCP servers',
      columns: ['server', 'calls', 'failures', 'conversations_configured'],
      rows: report.mcp_servers.map((m) => [m.server, m.calls, m.failures, m.conversations_configured]),
    },
    {
      name: 'mcp_tools',
      title: 'MCP tools by server',
      columns: ['server', 'tool_name', 'count'],
      rows: report.mcp_servers.flatMap((m) => m.tools.map((t) => [m.server, t.tool_name, t.count])),
    },
    {
      name: 'events_by_name',
      title: 'Events by name',
      columns: ['event_name', 'count'],
      rows: report.events_by_name.map((e) => [e.name, e.count]),
    },
    {
      name: 'malformed_lines',
      title: report.malformed_lines > report.malformed_examples.length
        ? `Malformed lines (${report.malformed_lines}; first ${report.malformed_examples.length} shown)`
        : `Malformed lines (${report.malformed_lines})`,
      columns: ['location', 'reason'],
      rows: report.malformed_examples.map((m) => [m.location, m.reason]),
    },
  ];
}

// ---- csv ----

function csvTable(section: Section): string {
  return [section.columns, ...section.rows].map((row) => row.map(csvField).join(',')).join('\n');
}

/** A text cell a spreadsheet would run as a formula (OWASP CSV injection): = + - @ tab CR first. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field. Numbers (counts) are written bare. Text follows OWASP's CSV-injection guidance: a
 * value starting with = + - @ tab or CR gets a leading `'` so spreadsheets show it as text, and every
 * text field is double-quoted with its quotes doubled (RFC 4180), so a separator inside a value can
 * never start a new cell. Null → empty.
 */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return `"${text.replaceAll('"', '""')}"`;
}

// ---- table ----

function tableSection(section: Section): string {
  const lines = [section.title];
  if (section.rows.length === 0) {
    lines.push('  (none)');
    return lines.join('\n');
  }
  const rows = section.rows.map((row) => row.map(tableCell));
  const numeric = section.columns.map((_, i) =>
    section.rows.some((row) => typeof row[i] === 'number') && section.rows.every((row) => typeof row[i] === 'number' || row[i] === null));
  const sized = section.keyValue ? rows : [section.columns, ...rows];
  const widths = section.columns.map((_, i) => Math.max(...sized.map((row) => width(row[i] ?? ''))));
  const all = section.keyValue ? rows : [section.columns, widths.map((w) => '-'.repeat(w)), ...rows];
  for (const row of all) {
    const cells = row.map((cell, i) => {
      const pad = ' '.repeat((widths[i] ?? 0) - width(cell));
      return numeric[i] && !section.keyValue ? pad + cell : cell + pad;
    });
    lines.push(`  ${cells.join('  ')}`.trimEnd());
  }
  return lines.join('\n');
}

/**
 * A cell for a terminal: null → `-`; control characters (newlines, ESC of ANSI sequences sent in an
 * attribute) are shown escaped, so data can neither break the alignment nor drive the terminal.
 */
export function tableCell(cell: Cell): string {
  if (cell === null) return '-';
  return String(cell).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    switch (c) {
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
