/**
 * A small static SVG line chart of per-group LR traces, for hover markdown (as a data URI: hovers
 * cannot run scripts, and the image must not depend on the network). The interactive plot lives
 * in the client's webview; this one only has to be legible at hover size.
 */
import { formatNumber } from '../core/rules/helpers';
import { PALETTE } from './protocol';

export interface ChartSeries {
  label: string;
  values: ArrayLike<number>;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  xLabel?: string;
  /** Points per series after down-sampling (min/max per bucket keeps peaks and troughs). */
  maxPoints?: number;
}

/** Whether to plot on a log axis: the groups' peaks differ by more than 20×. */
export function useLogScale(series: ChartSeries[]): boolean {
  const peaks = series.map((s) => maxOf(s.values)).filter((v) => v > 0);
  if (peaks.length < 2) return false;
  return Math.max(...peaks) / Math.min(...peaks) > 20;
}

export function renderChartSvg(series: ChartSeries[], options: ChartOptions = {}): string {
  const W = options.width ?? 440;
  const legendRows = Math.ceil(series.length / 2);
  const plotH = options.height ?? 120;
  const H = plotH + 34 + legendRows * 16;
  const left = 58;
  const right = 12;
  const top = 10;
  const plotW = W - left - right;
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const log = useLogScale(series);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) continue;
      if (log && v <= 0) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (!log) lo = Math.min(0, lo);
  if (hi === lo) hi = lo === 0 ? 1 : lo * 1.1;
  const yOf = (v: number): number => {
    const t = log ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1) : (v - lo) / (hi - lo);
    return top + plotH - t * plotH;
  };
  const xOf = (i: number): number => left + (n <= 1 ? 0 : (i / (n - 1)) * plotW);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  // Grid and y ticks.
  const ticks = log ? logTicks(lo, hi) : linearTicks(lo, hi);
  for (const t of ticks) {
    const y = yOf(t).toFixed(1);
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#374151">${escapeXml(shortNumber(t))}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#9ca3af"/>`);
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#9ca3af"/>`);
  for (const t of linearTicks(0, Math.max(1, n - 1), 5)) {
    const x = xOf(t).toFixed(1);
    parts.push(`<text x="${x}" y="${top + plotH + 12}" text-anchor="middle" fill="#374151">${Math.round(t)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 25}" text-anchor="middle" fill="#111827">${escapeXml(options.xLabel ?? 'step')}${log ? ' (log lr axis)' : ''}</text>`);
  series.forEach((s, k) => {
    const pts = downsample(s.values, options.maxPoints ?? 400)
      .map(([i, v]) => `${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}`)
      .join(' ');
    const color = PALETTE[k % PALETTE.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${pts}"/>`);
    const lx = left + (k % 2) * (plotW / 2);
    const ly = top + plotH + 38 + Math.floor(k / 2) * 16;
    parts.push(`<rect x="${lx}" y="${ly - 7}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly + 2}" fill="#111827">${escapeXml(s.label.length > 36 ? `${s.label.slice(0, 35)}…` : s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** [index, value] pairs: every point when few, else the first, min, max and last of each bucket. */
export function downsample(values: ArrayLike<number>, maxPoints: number): Array<[number, number]> {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => [i, values[i]] as [number, number]);
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const out: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const s = Math.floor((b * n) / buckets);
    const e = Math.floor(((b + 1) * n) / buckets);
    let minI = s;
    let maxI = s;
    for (let i = s; i < e; i++) {
      if (values[i] < values[minI]) minI = i;
      if (values[i] > values[maxI]) maxI = i;
    }
    const idx = [...new Set([s, minI, maxI, e - 1])].sort((a, c) => a - c);
    for (const i of idx) out.push([i, values[i]]);
  }
  return out;
}

function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > m) m = values[i];
  return m;
}

function linearTicks(lo: number, hi: number, count = 4): number[] {
  const span = hi - lo;
  if (span <= 0) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(10 ** e);
  return out.length ? out : [lo, hi];
}

/** A compact rendering for axis labels and tables: `1e-4`, `0.003`, `2.5e-05`. */
export function shortNumber(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e4) return String(Number(v.toPrecision(4)));
  return formatNumber(Number(v.toPrecision(4)));
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}
