import { describe, expect, it } from 'vitest';
import { listFiles, readJson, readYaml } from './support/files.js';

const datasources: Array<{ uid: string; type: string }> = readYaml('dashboards/provisioning/datasources/codex.yaml').datasources;
const DS_UIDS = new Map(datasources.map((d) => [d.uid, d.type]));
const dashboardFiles = listFiles('dashboards/json', ['.json']);
const dashboards = dashboardFiles.map((f) => ({ file: f, json: readJson(f) }));

interface Rect { x: number; y: number; w: number; h: number }
const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Every datasource reference in a dashboard: panels, their targets, template variables. */
function datasourceRefs(dash: any): Array<{ where: string; ref: any }> {
  const out: Array<{ where: string; ref: any }> = [];
  for (const p of dash.panels ?? []) {
    out.push({ where: p.title, ref: p.datasource });
    for (const t of p.targets ?? []) out.push({ where: `${p.title}/${t.refId}`, ref: t.datasource });
  }
  for (const v of dash.templating?.list ?? []) if (v.datasource) out.push({ where: `$${v.name}`, ref: v.datasource });
  return out;
}

describe('Grafana provisioning', () => {
  it('every provisioning YAML and dashboard JSON parses', () => {
    for (const f of listFiles('dashboards', ['.yaml', '.yml'])) expect(() => readYaml(f), f).not.toThrow();
    expect(dashboardFiles.length).toBe(2);
  });

  it('provisions Loki, Prometheus and Tempo with fixed uids', () => {
    expect(Object.fromEntries(DS_UIDS)).toEqual({ 'codex-loki': 'loki', 'codex-prometheus': 'prometheus', 'codex-tempo': 'tempo' });
  });

  it('links logs to traces (Loki derived field) and traces to logs (Tempo) by trace id', () => {
    const ds = readYaml('dashboards/provisioning/datasources/codex.yaml').datasources;
    const loki = ds.find((d: any) => d.uid === 'codex-loki');
    const tempo = ds.find((d: any) => d.uid === 'codex-tempo');
    expect(loki.jsonData.derivedFields[0]).toMatchObject({ datasourceUid: 'codex-tempo', matcherType: 'label', matcherRegex: 'trace_id' });
    expect(tempo.jsonData.tracesToLogsV2).toMatchObject({ datasourceUid: 'codex-loki' });
    expect(tempo.jsonData.tracesToLogsV2.query).toContain('trace_id=');
  });

  it('the dashboards and the alert rules find the "Codex" folder the same way (by title)', () => {
    const provider = readYaml('dashboards/provisioning/dashboards/codex.yaml').providers[0];
    const groups = readYaml('dashboards/provisioning/alerting/codex-audit-alerts.yaml').groups;
    expect(provider.folderUid).toBeUndefined();
    for (const g of groups) expect(g.folder).toBe(provider.folder);
  });

  it('the dashboard provider reads the folder compose mounts the JSON into', () => {
    const provider = readYaml('dashboards/provisioning/dashboards/codex.yaml').providers[0];
    expect(provider.options.path).toBe('/etc/grafana/dashboards/codex');
    expect(provider.allowUiUpdates).toBe(false);
  });

  it('alert rules query only provisioned datasources', () => {
    const groups = readYaml('dashboards/provisioning/alerting/codex-audit-alerts.yaml').groups;
    const uids = groups.flatMap((g: any) => g.rules.flatMap((r: any) => r.data.map((d: any) => d.datasourceUid)));
    for (const uid of uids) expect(uid === '__expr__' || DS_UIDS.has(uid), uid).toBe(true);
    const titles = groups.flatMap((g: any) => g.rules.map((r: any) => r.uid));
    expect(titles).toEqual(['codex-denial-burst', 'codex-danger-full-access']);
  });
});

describe('dashboards', () => {
  it('have the two expected titles and unique uids', () => {
    expect(dashboards.map((d) => d.json.title).sort()).toEqual(['Codex — Security audit', 'Codex — Usage and reliability']);
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  for (const { file, json } of dashboards) {
    describe(file, () => {
      it('refers only to provisioned datasource uids, with the matching type', () => {
        for (const { where, ref } of datasourceRefs(json)) {
          expect(DS_UIDS.has(ref?.uid), `${where}: ${JSON.stringify(ref)}`).toBe(true);
          expect(ref.type, where).toBe(DS_UIDS.get(ref.uid));
        }
      });

      it('has unique panel ids and panels that do not overlap and fit the 24-column grid', () => {
        const panels = json.panels as Array<{ id: number; title: string; gridPos: Rect }>;
        expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
        for (const p of panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        for (let i = 0; i < panels.length; i += 1) {
          for (let j = i + 1; j < panels.length; j += 1) {
            expect(overlaps(panels[i]!.gridPos, panels[j]!.gridPos), `${panels[i]!.title} / ${panels[j]!.title}`).toBe(false);
          }
        }
      });

      it('has template variables for environment, client (originator) and user', () => {
        const vars = json.templating.list.map((v: any) => v.name);
        expect(vars).toEqual(expect.arrayContaining(['env', 'client', 'user']));
        const client = json.templating.list.find((v: any) => v.name === 'client');
        expect(client.definition).toBe('label_values(originator)');
      });

      it('selects clients by originator, never by service.name', () => {
        const exprs = (json.panels as any[]).flatMap((p) => (p.targets ?? []).map((t: any) => String(t.expr)));
        for (const e of exprs.filter((x) => x.includes('codex'))) {
          expect(e, e).toContain('originator=~"$client"');
          expect(e, e).not.toMatch(/service_name=~"\$/);
        }
      });

      it('shows 0, not "No data", on stat panels that count (a LogQL count over no matching line returns no series)', () => {
        const counting = json.panels.filter((p: any) => p.type === 'stat' && p.targets.some((t: any) => /count_over_time|count\(/.test(t.expr ?? '')));
        for (const panel of counting) expect(panel.fieldConfig?.defaults?.noValue, panel.title).toBe('0');
      });

      it('never queries prompt text', () => {
        const exprs = (json.panels as any[]).flatMap((p) => (p.targets ?? []).map((t: any) => String(t.expr)));
        for (const e of exprs) expect(e, e).not.toMatch(/\bprompt\b(?!_length)/);
      });
    });
  }

  it('the security dashboard covers the audit questions', () => {
    const sec = dashboards.find((d) => d.json.uid === 'codex-security-audit')!.json;
    const all = JSON.stringify(sec.panels.map((p: any) => p.targets.map((t: any) => t.expr)));
    for (const needle of ['event_name=\\"codex.tool_decision\\"', 'decision=~\\"denied|denied_.+|abort|timed_out\\"', 'count(sum by (call_id)', 'sum by (source)',
      'sandbox_policy=\\"danger-full-access\\"', 'approval_policy=\\"never\\"', 'event_name=\\"codex.tool_result\\"',
      'mcp_server', 'event_name=\\"codex.sandbox_outcome\\"', 'unwrap prompt_length']) {
      expect(all, needle).toContain(needle);
    }
  });
});
