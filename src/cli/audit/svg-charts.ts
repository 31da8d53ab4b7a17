/**
 * Inline SVG bar charts for the HTML report: no script, no external resource. Every label and value
 * goes through `escapeHtml`; each bar carries its value in `data-value` and a `<title>` tooltip, so a
 * test (or a person hovering) reads the exact number the bar stands for.
 */
import { escapeHtml } from './html-escape.js';

export interface Series {
  name: string;
  /** CSS class that colours the bars. */
  className: string;
}

export interface BarGroup {
  /** The group's key (`data-label`): a name, or a bucket's RFC 3339 start. */
  label: string;
  /** What the axis shows, when shorter than the label. */
  display?: string;
  values: number[];
}

const BAR = 14;
const GAP = 6;
const LABEL_WIDTH = 220;
const PLOT_WIDTH = 460;
const VALUE_WIDTH = 60;

/** Horizontal grouped bars: one group per row (a user, a tool), one bar per series. */
export function horizontalBars(id: string, title: string, series: readonly Series[], groups: readonly BarGroup[]): string {
  const max = Math.max(1, ...groups.flatMap((g) => g.values));
  const groupHeight = series.length * BAR + GAP;
  const height = Math.max(groupHeight, groups.length * groupHeight) + 24;
  const width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
  const parts: string[] = [];
  groups.forEach((group, g) => {
    const y0 = g * groupHeight;
    parts.push(`<text class="label" x="${LABEL_WIDTH - 8}" y="${y0 + (series.length * BAR) / 2 + 4}" text-anchor="end">${escapeHtml(clip(group.label))}</text>`);
    series.forEach((s, i) => {
      const value = group.values[i] ?? 0;
      const w = (value / max) * PLOT_WIDTH;
      const y = y0 + i * BAR;
      parts.push(`<rect class="bar ${s.className}" data-series="${escapeHtml(s.name)}" data-label="${escapeHtml(group.label)}" data-value="${value}" x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${BAR - 2}"><title>${escapeHtml(`${group.label}: ${value} ${s.name}`)}</title></rect>`);
      parts.push(`<text class="value" x="${(LABEL_WIDTH + w + 4).toFixed(1)}" y="${y + BAR - 4}">${value}</text>`);
    });
  });
  parts.push(legend(series, 0, height - 12));
  return svg(id, title, width, height, parts);
}

/** Vertical grouped bars over time: one group per bucket, labelled by its start. */
export function timeBars(id: string, title: string, series: readonly Series[], groups: readonly BarGroup[]): string {
  const max = Math.max(1, ...groups.flatMap((g) => g.values));
  const plotHeight = 180;
  const top = 26;
  const left = 40;
  const groupWidth = Math.max(series.length * 6 + 4, Math.min(72, Math.floor(1000 / Math.max(groups.length, 1))));
  const barWidth = Math.max(2, (groupWidth - 6) / series.length);
  const width = Math.max(400, left + groups.length * groupWidth + 10);
  const height = top + plotHeight + 64;
  const parts: string[] = [legend(series, left, 12)];
  parts.push(`<line class="axis" x1="${left}" y1="${top + plotHeight}" x2="${width - 5}" y2="${top + plotHeight}"/>`);
  parts.push(`<text class="tick" x="${left - 4}" y="${top + 4}" text-anchor="end">${max}</text>`);
  parts.push(`<text class="tick" x="${left - 4}" y="${top + plotHeight}" text-anchor="end">0</text>`);
  const labelEvery = Math.max(1, Math.ceil(groups.length / 12));
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + 2;
    series.forEach((s, i) => {
      const value = group.values[i] ?? 0;
      const h = (value / max) * plotHeight;
      parts.push(`<rect class="bar ${s.className}" data-series="${escapeHtml(s.name)}" data-label="${escapeHtml(group.label)}" data-value="${value}" x="${(x0 + i * barWidth).toFixed(1)}" y="${(top + plotHeight - h).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(`${group.label}: ${value} ${s.name}`)}</title></rect>`);
    });
    if (g % labelEvery === 0) {
      const x = x0 + groupWidth / 2;
      const y = top + plotHeight + 12;
      parts.push(`<text class="tick" x="${x.toFixed(1)}" y="${y}" transform="rotate(35 ${x.toFixed(1)} ${y})">${escapeHtml(group.display ?? group.label)}</text>`);
    }
  });
  return svg(id, title, width, height, parts);
}

function legend(series: readonly Series[], x: number, y: number): string {
  return series.map((s, i) => {
    const at = x + i * 110;
    return `<rect class="${s.className}" x="${at}" y="${y - 9}" width="10" height="10"/><text class="legend" x="${at + 14}" y="${y}">${escapeHtml(s.name)}</text>`;
  }).join('');
}

function svg(id: string, title: string, width: number, height: number, parts: string[]): string {
  return `<svg class="chart" id="${escapeHtml(id)}" role="img" aria-label="${escapeHtml(title)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

function clip(text: string): string {
  const chars = [...text];
  return chars.length > 32 ? `${chars.slice(0, 31).join('')}…` : text;
}
