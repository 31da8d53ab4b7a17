/**
 * The audit report as one self-contained HTML page: inline CSS, inline SVG charts, no script and
 * nothing fetched (a Content-Security-Policy of `default-src 'none'` says so to the browser). The
 * tables are the same sections as the table and CSV forms, so the numbers are the same; every value
 * from the telemetry is escaped. Tables and bars carry `data-*` attributes naming the report field
 * they show, for tests and for people who scrape the page.
 */
import { PACKAGE_VERSION } from '../../version.js';
import { escapeHtml } from './html-escape.js';
import type { Cell, Section } from './format.js';
import type { AuditReport } from './report.js';
import { horizontalBars, timeBars, type Series } from './svg-charts.js';

const DECISIONS: Series = { name: 'decisions', className: 's-decisions' };
const DENIALS: Series = { name: 'denials', className: 's-denials' };
const FAILURES: Series = { name: 'failures', className: 's-denials' };
const CALLS: Series = { name: 'calls', className: 's-decisions' };
const CHART_ROWS = 20;
const NULL_TEXT = '–';

const STYLE = `
:root{--fg:#1d2430;--muted:#5b6473;--line:#d9dde3;--bg:#f6f7f9;--card:#fff;--blue:#3465a4;--red:#c0392b}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px;background:#1d2430;color:#fff}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c9d1dc}
main{padding:16px 32px 40px;max-width:1400px}
nav{margin:8px 0 16px;display:flex;flex-wrap:wrap;gap:6px 14px}
nav a{color:var(--blue);text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin:16px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.card .value{display:block;font-size:26px;font-weight:600}
.card .name{color:var(--muted)}
.card.alert .value{color:var(--red)}
section{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:14px 18px;margin:16px 0;overflow-x:auto}
section h2{margin:0 0 4px;font-size:17px}
section p.note{margin:0 0 10px;color:var(--muted)}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;white-space:nowrap}
th{background:#eef0f3;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.null{color:var(--muted)}
p.none{color:var(--muted);font-style:italic}
svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}
svg .label,svg .value,svg .tick,svg .legend{font-size:11px;fill:var(--fg)}
svg .axis{stroke:var(--muted)}
.s-decisions{fill:var(--blue)}
.s-denials{fill:var(--red)}
footer{color:var(--muted);padding:0 32px 24px}
`;

export function renderHtmlReport(report: AuditReport, sections: readonly Section[]): string {
  const byName = new Map(sections.map((s) => [s.name, s]));
  const table = (name: string) => tableHtml(byName.get(name)!);
  const decisionsTotal = report.decisions.reduce((n, d) => n + d.count, 0);
  const failuresTotal = report.tool_failures.reduce((n, t) => n + t.count, 0);
  const range = report.time_range.first === null
    ? 'no event had a time'
    : `events from ${report.time_range.first} to ${report.time_range.last}`;
  const window = report.filter.since !== null || report.filter.until !== null
    ? ` · window ${report.filter.since ?? '…'} to ${report.filter.until ?? '…'}`
    : '';
  const cards: Array<[string, string, number, boolean]> = [
    ['events', 'codex.* events', report.events, false],
    ['conversations', 'conversations', report.conversations, false],
    ['decisions', 'tool decisions', decisionsTotal, false],
    ['denials', 'denials', report.denials.length, report.denials.length > 0],
    ['risky_conversations', 'risky conversations', report.risky_conversations.length, report.risky_conversations.length > 0],
    ['tool_failures', 'tool failures', failuresTotal, failuresTotal > 0],
    ['mcp_servers', 'MCP servers', report.mcp_servers.length, false],
    ['clients', 'clients (originator)', report.clients.length, false],
  ];
  const links: Array<[string, string]> = [
    ['timeline', 'Over time'], ['clients', 'Clients'], ['by_user', 'By user'], ['by_tool', 'By tool'], ['denials', 'Denials'],
    ['decisions', 'Decisions'], ['risky_conversations', 'Risky conversations'], ['tool_failures', 'Tool failures'],
    ['mcp_servers', 'MCP servers'], ['events_by_name', 'Events'], ['input', 'Input'],
  ];
  const topUsers = report.by_user.slice(0, CHART_ROWS);
  const topTools = report.by_tool.slice(0, CHART_ROWS);
  const topFailures = report.tool_failures.slice(0, CHART_ROWS);
  const body = [
    `<header><h1>Codex audit report</h1><p>${escapeHtml(range)}${escapeHtml(window)} · ${report.input.files.length} file(s) read</p></header>`,
    '<main>',
    `<nav>${links.map(([id, text]) => `<a href="#${id}">${escapeHtml(text)}</a>`).join('')}</nav>`,
    `<div class="cards">${cards.map(([key, name, value, alert]) =>
      `<div class="card${alert ? ' alert' : ''}" data-metric="${key}"><span class="value">${value}</span><span class="name">${escapeHtml(name)}</span></div>`).join('')}</div>`,
    block('timeline', 'Decisions and denials over time', `Per ${report.timeline.bucket} (UTC). Denials count each call once, from decisions and aborted tool spans.`, [
      report.timeline.buckets.length === 0 ? '' : timeBars('chart-timeline', 'Decisions and denials over time', [DECISIONS, DENIALS],
        report.timeline.buckets.map((b) => ({ label: b.start, display: bucketLabel(b.start, report.timeline.bucket), values: [b.decisions, b.denials] }))),
      table('timeline'),
    ]),
    block('clients', 'Clients', 'Grouped by the originator attribute (codex-tui, codex_exec, …), not by service.name.', [table('clients')]),
    block('by_user', 'Decisions and denials by user', 'user.email; a span-only denial takes the user of its conversation.', [
      topUsers.length === 0 ? '' : horizontalBars('chart-by-user', 'Decisions and denials by user', [DECISIONS, DENIALS],
        topUsers.map((u) => ({ label: u.user_email ?? NULL_TEXT, values: [u.decisions, u.denials] }))),
      table('by_user'),
    ]),
    block('by_tool', 'Decisions and denials by tool', '', [
      topTools.length === 0 ? '' : horizontalBars('chart-by-tool', 'Decisions and denials by tool', [DECISIONS, DENIALS],
        topTools.map((t) => ({ label: t.tool_name ?? NULL_TEXT, values: [t.decisions, t.denials] }))),
      table('by_tool'),
    ]),
    block('denials', 'Denials', 'One row per call_id. evidence: decision (codex.tool_decision), span (an aborted tool span, or the record our collector made from one: "denied or interrupted by the user"), or both.', [table('denials')]),
    block('decisions', 'Decisions by tool, decision and source', 'Older decision spellings are shown as the Codex 0.169 ones.', [table('decisions')]),
    block('risky_conversations', 'Risky conversations', 'Started with sandbox_policy = danger-full-access or approval_policy = never.', [table('risky_conversations')]),
    block('tool_failures', 'Tool failures', 'codex.tool_result with success = false, per tool.', [
      topFailures.length === 0 ? '' : horizontalBars('chart-tool-failures', 'Tool failures', [FAILURES, CALLS],
        topFailures.map((t) => ({ label: t.tool_name ?? NULL_TEXT, values: [t.count, t.calls] }))),
      table('tool_failures'),
    ]),
    block('mcp_servers', 'MCP servers', 'Servers called (codex.tool_result mcp_server) or configured at conversation start.', [table('mcp_servers'), table('mcp_tools')]),
    block('events_by_name', 'Events by name', 'Only records whose event.name starts with codex. are events; DEBUG records are counted as ignored.', [table('events_by_name')]),
    block('input', 'Input', report.input.errors.length === 0 ? 'Every file was read.' : `Not read: ${report.input.errors.join('; ')}`, [table('summary'), table('malformed_lines')]),
    '</main>',
    `<footer>codex-otel ${escapeHtml(PACKAGE_VERSION)} audit</footer>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Codex audit report</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
  ].join('\n');
}

/** `2025-09-30` for days and weeks, `09-30 10:00` for hours (UTC). */
function bucketLabel(start: string, bucket: string): string {
  return bucket === 'hour' ? `${start.slice(5, 10)} ${start.slice(11, 16)}` : start.slice(0, 10);
}

function block(id: string, title: string, note: string, parts: string[]): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${note === '' ? '' : `<p class="note">${escapeHtml(note)}</p>`}${parts.join('')}</section>`;
}

function tableHtml(section: Section): string {
  if (section.rows.length === 0) return `<p class="none" data-section="${section.name}">${escapeHtml(section.title)}: none</p>`;
  const head = `<tr>${section.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = section.rows.map((row) => `<tr>${row.map((cell, i) => cellHtml(section.columns[i] ?? '', cell)).join('')}</tr>`).join('');
  return `<table data-section="${section.name}"><caption hidden>${escapeHtml(section.title)}</caption><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function cellHtml(column: string, cell: Cell): string {
  if (cell === null) return `<td class="null" data-column="${escapeHtml(column)}" data-null="">${NULL_TEXT}</td>`;
  if (typeof cell === 'number') return `<td class="num" data-column="${escapeHtml(column)}">${cell}</td>`;
  return `<td data-column="${escapeHtml(column)}">${escapeHtml(cell)}</td>`;
}
