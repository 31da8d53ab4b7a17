/**
 * The HTML report in a real headless browser: Debian's chromium driven by playwright-core. The page
 * must render with no console error, fetch nothing, run no script, show hostile attribute values as
 * text, and show the same numbers as `--format json` of the same input.
 * In CI (CI=true) a missing chromium fails this test instead of skipping it (.ci/run installs it).
 * `CODEX_OTEL_UPDATE_SCREENSHOT=1` also writes the screenshot to docs/img/audit-report.png.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { AuditReport } from '../../../src/cli/audit/report.js';
import { CODEX_SAMPLE, CONV_A, CONV_B, recordingIo, tempDir } from './helpers.js';
import { common, sdkLogsJson, sdkTracesJson } from './sdk-otlp.js';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = process.env['CI'] === 'true';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/img/audit-report.png');
const HOSTILE_TOOL = '<img src=x onerror="alert(1)">';
const HOSTILE_USER = '"><script>alert(2)</script>';
const NULL_TEXT = '–';

let browser: Browser | undefined;
afterAll(async () => { await browser?.close(); });

/** The hand-made Collector sample, plus spans and records made by the SDK in the same hours. */
async function dataset(): Promise<string> {
  const dir = tempDir();
  mkdirSync(join(dir, 'siem'));
  copyFileSync(CODEX_SAMPLE, join(dir, 'siem', 'codex-audit.jsonl'));
  const at = (iso: string) => Date.parse(iso);
  writeFileSync(join(dir, 'traces.jsonl'), `${await sdkTracesJson([
    // The sample's call_A6 (abort, User) as its span too: counted once.
    { name: 'exec_command', attributes: { call_id: 'call_A6', tool_name: 'shell', aborted: true, 'conversation.id': CONV_A }, start: at('2025-09-30T10:05:59Z'), end: at('2025-09-30T10:06:00Z') },
    // A TUI-style denial with no decision record at all.
    { name: 'exec_command', attributes: { call_id: 'call_B9', tool_name: 'exec_command', aborted: true, 'conversation.id': CONV_B }, start: at('2025-09-30T11:04:00Z'), end: at('2025-09-30T11:05:00Z') },
  ])}\n`);
  writeFileSync(join(dir, 'hostile.jsonl'), `${await sdkLogsJson([
    { attributes: { 'event.name': 'codex.tool_decision', tool_name: HOSTILE_TOOL, call_id: 'call_H1', decision: 'denied', source: 'User', ...common('conv-hostile', 'codex-tui', HOSTILE_USER, at('2025-09-30T12:02:00Z')) } },
    { attributes: { 'event.name': 'codex.tool_result', tool_name: HOSTILE_TOOL, call_id: 'call_H2', duration_ms: '3', success: 'false', output_truncated: false, arguments: '{}', output: '', mcp_server: '=evil', mcp_server_origin: '', ...common('conv-hostile', 'codex-tui', HOSTILE_USER, at('2025-09-30T12:02:30Z')) } },
  ])}\n`);
  return dir;
}

async function runCli(...argv: string[]) {
  const io = recordingIo();
  const code = await main(['audit', ...argv], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

interface Screen {
  cards: Record<string, string>;
  tables: Record<string, string[][]>;
  headers: Record<string, string[]>;
  empty: string[];
  bars: Record<string, Array<{ series: string; label: string; value: string }>>;
  activeElements: number;
  title: string;
}

/** The few DOM members read below (the project's typecheck has no DOM library). */
interface El {
  innerText: string;
  id: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El> & { length: number };
}

/** What a person sees: card values, table cells (innerText), chart bars. Runs in the page. */
function readScreen(): Screen {
  const document = (globalThis as unknown as { document: El & { title: string } }).document;
  const text = (e: El) => e.innerText.trim();
  const cards: Record<string, string> = {};
  for (const card of document.querySelectorAll('[data-metric]')) cards[card.getAttribute('data-metric')!] = text(card.querySelector('.value')!);
  const tables: Record<string, string[][]> = {};
  const headers: Record<string, string[]> = {};
  for (const table of document.querySelectorAll('table[data-section]')) {
    const name = table.getAttribute('data-section')!;
    headers[name] = [...table.querySelectorAll('thead th')].map(text);
    tables[name] = [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map(text));
  }
  const empty = [...document.querySelectorAll('p.none[data-section]')].map((p) => p.getAttribute('data-section')!);
  const bars: Screen['bars'] = {};
  for (const svg of document.querySelectorAll('svg.chart')) {
    bars[svg.id] = [...svg.querySelectorAll('rect.bar')].map((r) => ({ series: r.getAttribute('data-series')!, label: r.getAttribute('data-label')!, value: r.getAttribute('data-value')! }));
  }
  return { cards, tables, headers, empty, bars, activeElements: document.querySelectorAll('script, img, iframe, object, embed, link, form').length, title: document.title };
}

const cell = (value: string | number | null) => (value === null ? NULL_TEXT : String(value));

/** The rows each table must show, built from the JSON report (not from the formatter). */
function expectedTables(report: AuditReport): Record<string, string[][]> {
  const rows = (list: Array<Array<string | number | null>>) => list.map((r) => r.map(cell));
  return {
    clients: rows(report.clients.map((c) => [c.originator, c.events, c.conversations, c.decisions, c.denials])),
    decisions: rows(report.decisions.map((d) => [d.tool_name, d.decision, d.source, d.count])),
    denials: rows(report.denials.map((d) => [d.timestamp, d.conversation_id, d.user_email, d.tool_name, d.call_id, d.decision, d.source, d.originator, d.label, d.evidence])),
    by_user: rows(report.by_user.map((u) => [u.user_email, u.decisions, u.denials])),
    by_tool: rows(report.by_tool.map((t) => [t.tool_name, t.decisions, t.denials])),
    timeline: rows(report.timeline.buckets.map((b) => [b.start, b.decisions, b.denials])),
    risky_conversations: rows(report.risky_conversations.map((r) => [r.conversation_id, r.sandbox_policy, r.approval_policy, r.model, r.timestamp, r.user_email])),
    tool_failures: rows(report.tool_failures.map((t) => [t.tool_name, t.count, t.calls])),
    mcp_servers: rows(report.mcp_servers.map((m) => [m.server, m.calls, m.failures, m.conversations_configured])),
    mcp_tools: rows(report.mcp_servers.flatMap((m) => m.tools.map((t) => [m.server, t.tool_name, t.count]))),
    events_by_name: rows(report.events_by_name.map((e) => [e.name, e.count])),
  };
}

describe('audit --format html in a real browser', () => {
  it.skipIf(!HAVE_CHROMIUM && !IN_CI)('renders without console errors or requests, and shows the numbers of --format json', async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium (apt-get install -y chromium)`);
    const dir = await dataset();
    const json = await runCli('--format', 'json', dir);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as AuditReport;
    // The dataset exercises every section.
    expect(report.denials.map((d) => d.evidence)).toEqual(expect.arrayContaining(['decision', 'span', 'decision+span']));
    expect(report.tool_failures.length).toBeGreaterThan(0);
    expect(report.mcp_servers.length).toBeGreaterThan(0);
    expect(report.risky_conversations.length).toBeGreaterThan(0);

    const page = join(tempDir(), 'report.html');
    const html = await runCli('--format', 'html', '--output', page, dir);
    expect(html).toMatchObject({ code: 0, out: `audit: html report written to ${page}`, err: '' });
    const source = readFileSync(page, 'utf8');
    expect(source).not.toMatch(/<script|https?:\/\//i);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    tab.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`); });
    tab.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    tab.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(page).href;
    const response = await tab.goto(url, { waitUntil: 'load' });
    expect(response?.ok()).toBe(true);
    const screen = await tab.evaluate(readScreen);

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(screen.title).toBe('Codex audit report');
    expect(screen.activeElements).toBe(0);

    expect(screen.cards).toEqual({
      events: String(report.events),
      conversations: String(report.conversations),
      decisions: String(report.decisions.reduce((n, d) => n + d.count, 0)),
      denials: String(report.denials.length),
      risky_conversations: String(report.risky_conversations.length),
      tool_failures: String(report.tool_failures.reduce((n, t) => n + t.count, 0)),
      mcp_servers: String(report.mcp_servers.length),
      clients: String(report.clients.length),
    });
    const expected = expectedTables(report);
    for (const [name, rows] of Object.entries(expected)) {
      if (rows.length === 0) expect(screen.empty, name).toContain(name);
      else expect(screen.tables[name], name).toEqual(rows);
    }
    expect(screen.headers['denials']).toEqual(['timestamp', 'conversation_id', 'user_email', 'tool_name', 'call_id', 'decision', 'source', 'originator', 'label', 'evidence']);
    const summary = Object.fromEntries((screen.tables['summary'] ?? []).map(([k, v]) => [k, v]));
    expect(summary).toMatchObject({ events: String(report.events), denials: String(report.denials.length), ignored_records: String(report.ignored_records), spans: String(report.spans) });

    // Charts: every bar stands for the number in the JSON.
    const series = (id: string, name: string) => screen.bars[id]!.filter((b) => b.series === name).map((b) => [b.label, Number(b.value)]);
    expect(series('chart-timeline', 'decisions')).toEqual(report.timeline.buckets.map((b) => [b.start, b.decisions]));
    expect(series('chart-timeline', 'denials')).toEqual(report.timeline.buckets.map((b) => [b.start, b.denials]));
    expect(series('chart-by-user', 'denials')).toEqual(report.by_user.slice(0, 20).map((u) => [u.user_email ?? NULL_TEXT, u.denials]));
    expect(series('chart-by-tool', 'decisions')).toEqual(report.by_tool.slice(0, 20).map((t) => [t.tool_name ?? NULL_TEXT, t.decisions]));
    expect(series('chart-tool-failures', 'failures')).toEqual(report.tool_failures.slice(0, 20).map((t) => [t.tool_name ?? NULL_TEXT, t.count]));

    // Hostile values are shown as text, exactly.
    expect(screen.tables['by_tool']!.map((r) => r[0])).toContain(HOSTILE_TOOL);
    expect(screen.tables['by_user']!.map((r) => r[0])).toContain(HOSTILE_USER);
    expect(screen.tables['mcp_servers']!.map((r) => r[0])).toContain('=evil');

    const shot = join(tempDir(), 'audit-report.png');
    await tab.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    if (process.env['CODEX_OTEL_UPDATE_SCREENSHOT'] === '1') {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await tab.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1700 } });
    }
  }, 180_000);
});
