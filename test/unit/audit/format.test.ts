import { describe, expect, it } from 'vitest';
import { AUDIT_SECTIONS, csvField, formatAuditReport, tableCell } from '../../../src/cli/audit/format.js';
import { buildAuditReport, type AuditReport } from '../../../src/cli/audit/report.js';
import { CODEX_SAMPLE, CONV_C, readAll } from './helpers.js';

async function sample(): Promise<AuditReport> {
  const { records, stats } = await readAll(CODEX_SAMPLE);
  return buildAuditReport(records, { read: { files: [CODEX_SAMPLE], lines: stats.lines, logLines: stats.logLines, otherSignalLines: stats.otherSignalLines } });
}

/** Parses RFC 4180 text (quoted fields with "" escapes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  row.push(field);
  rows.push(row);
  return rows;
}

const DENIALS_TITLE = 'Denials (decisions denied, abort, timed_out, denied_*; aborted tool spans), one per call_id';

describe('json', () => {
  it('prints the documented shape, the required keys first', async () => {
    const report = await sample();
    const parsed = JSON.parse(formatAuditReport(report, 'json')) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 7)).toEqual(['events', 'conversations', 'decisions', 'denials', 'risky_conversations', 'tool_failures', 'mcp_servers']);
    expect(Object.keys(parsed).slice(7, 15)).toEqual(['clients', 'by_user', 'by_tool', 'timeline', 'ignored_records', 'duplicate_records', 'spans', 'aborted_tool_spans']);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(report)));
    expect(parsed['events']).toBe(28);
    expect(Object.keys((parsed['decisions'] as object[])[0]!)).toEqual(['tool_name', 'decision', 'source', 'count']);
    expect(Object.keys((parsed['denials'] as object[])[0]!)).toEqual(['timestamp', 'conversation_id', 'user_email', 'tool_name', 'call_id', 'decision', 'source', 'originator', 'label', 'evidence']);
    expect(Object.keys((parsed['risky_conversations'] as object[])[0]!).slice(0, 4)).toEqual(['conversation_id', 'sandbox_policy', 'approval_policy', 'model']);
    expect(Object.keys((parsed['tool_failures'] as object[])[0]!).slice(0, 2)).toEqual(['tool_name', 'count']);
  });
});

describe('table', () => {
  it('prints every section with a title and aligned columns', async () => {
    const text = formatAuditReport(await sample(), 'table');
    const lines = text.split('\n');
    for (const title of ['Summary', 'Decisions by tool × decision × source', DENIALS_TITLE, 'Tool failures by tool', 'MCP servers', 'Events by name']) {
      expect(lines).toContain(title);
    }
    const header = lines.findIndex((l) => l.startsWith('  tool_name') && l.includes('decision'));
    expect(lines.slice(header, header + 4)).toEqual([
      '  tool_name     decision              source             count',
      '  ------------  --------------------  -----------------  -----',
      '  shell         approved              Config                 3',
      '  apply_patch   denied                User                   1',
    ]);
    expect(text).toContain(`  2025-09-30T12:01:00.000Z  ${CONV_C}  -                  read_file    call_C1  denied     AutomatedReviewer  codex_cli_rs  denied     decision`);
    expect(text).toMatch(/^ {2}events {17}28$/m);
  });

  it('says (none) for an empty section and prints one section when asked', async () => {
    const empty = formatAuditReport(buildAuditReport([]), 'table', { section: 'denials' });
    expect(empty).toBe(`${DENIALS_TITLE}\n  (none)`);
  });

  it('escapes control characters so data cannot break lines or drive the terminal', () => {
    expect(tableCell('a\nb\tc\u001b[31mred')).toBe('a\\nb\\tc\\u001b[31mred');
    expect(tableCell(null)).toBe('-');
    expect(tableCell(3)).toBe('3');
  });
});

describe('csv', () => {
  it('quotes every text field per RFC 4180, numbers bare', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(24.5)).toBe('24.5');
  });

  it('prints one table per section, each after a "# name" line, separated by an empty line', async () => {
    const text = formatAuditReport(await sample(), 'csv');
    const blocks = text.split('\n\n');
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(AUDIT_SECTIONS.map((s) => `# ${s}`));
    const decisions = parseCsv(blocks[AUDIT_SECTIONS.indexOf('decisions')]!.split('\n').slice(1).join('\n'));
    expect(decisions[0]).toEqual(['tool_name', 'decision', 'source', 'count']);
    expect(decisions[1]).toEqual(['shell', 'approved', 'Config', '3']);
    expect(decisions).toHaveLength(10);
  });

  it('prints a single section without the # line, ready for a spreadsheet', async () => {
    const text = formatAuditReport(await sample(), 'csv', { section: 'denials' });
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['timestamp', 'conversation_id', 'user_email', 'tool_name', 'call_id', 'decision', 'source', 'originator', 'label', 'evidence']);
    expect(rows).toHaveLength(6);
    expect(rows[5]).toEqual(['2025-09-30T12:01:00.000Z', CONV_C, '', 'read_file', 'call_C1', 'denied', 'AutomatedReviewer', 'codex_cli_rs', 'denied', 'decision']);
  });

  it('round-trips awkward values', () => {
    const report = buildAuditReport([{
      name: 'codex.tool_decision', time: 0, resource: {}, scope: null, location: { file: 'm', line: 1 },
      attributes: { tool_name: 'mcp,"quoted"\nname', decision: 'denied', source: 'User' },
    }]);
    const rows = parseCsv(formatAuditReport(report, 'csv', { section: 'decisions' }));
    expect(rows[1]).toEqual(['mcp,"quoted"\nname', 'denied', 'User', '1']);
  });

  it('lists MCP tools as server, tool, count rows', async () => {
    const rows = parseCsv(formatAuditReport(await sample(), 'csv', { section: 'mcp_tools' }));
    expect(rows).toEqual([['server', 'tool_name', 'count'], ['github', 'create_issue', '1'], ['github', 'search_code', '1'], ['filesystem', 'read_file', '1']]);
  });
});
