import { escapeXml, num, svgDocument, svgText } from '../svg.js';

/** One line of a chart. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  color?: string;
  dashed?: boolean;
  /** Draw a dot at every point (default: when there are at most 30 points). */
  markers?: boolean;
}

/** A line chart: series of (x, y) points, axes with round ticks, a legend. */
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Logarithmic x axis (for learning rates). */
  xLog?: boolean;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];

/**
 * Round tick values covering `[lo, hi]`: steps of 1, 2 or 5 times a power of ten, about `count` of them.
 *
 * @example
 * niceTicks(0, 97, 5); // [0, 20, 40, 60, 80, 100]
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if ((ticks.at(-1) ?? hi) < hi) ticks.push(Number(((ticks.at(-1) ?? hi) + step).toPrecision(12)));
  return ticks;
}

/** Ticks of a log axis: 1, 2 and 5 times each power of ten within `[lo, hi]`. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = Number((m * 10 ** e).toPrecision(6));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

function label(t: number): string {
  return Math.abs(t) >= 1e4 || (t !== 0 && Math.abs(t) < 1e-3) ? t.toExponential(0) : String(t);
}

/**
 * Draws a line chart as a standalone SVG document.
 *
 * @example
 * const svg = lineChart({ title: 'Accuracy', xLabel: 'epoch', yLabel: '%',
 *   series: [{ name: 'tsgrad', points: [[1, 90], [2, 97]] }] });
 */
export function lineChart(spec: ChartSpec): string {
  const { width = 640, height = 380, xLog = false } = spec;
  const margin = { left: 64, right: 16, top: 40, bottom: 48 };
  const legendH = 18 * spec.series.length + 8;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom - legendH;
  const all = spec.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const body: string[] = [svgText(width / 2, 24, spec.title, { size: 15, anchor: 'middle', weight: 'bold' })];
  if (all.length === 0) {
    body.push(svgText(width / 2, height / 2, 'no data yet', { size: 13, anchor: 'middle', fill: '#888' }));
    return svgDocument(width, height, body);
  }
  const xLo = Math.min(...xs);
  const xHi = Math.max(...xs);
  const xTicks = xLog ? logTicks(xLo, xHi) : niceTicks(xLo, xHi, 6);
  const yTicks = niceTicks(spec.yMin ?? Math.min(...ys), spec.yMax ?? Math.max(...ys), 5);
  const tx = (v: number): number => (xLog ? Math.log10(v) : v);
  const x0 = xLog ? tx(xLo) : Math.min(xLo, xTicks[0] ?? xLo);
  const x1 = xLog ? tx(xHi) : Math.max(xHi, xTicks.at(-1) ?? xHi);
  const y0 = yTicks[0] ?? 0;
  const y1 = yTicks.at(-1) ?? 1;
  const px = (x: number): number => margin.left + (x1 === x0 ? plotW / 2 : ((tx(x) - x0) / (x1 - x0)) * plotW);
  const py = (y: number): number => margin.top + plotH - (y1 === y0 ? plotH / 2 : ((y - y0) / (y1 - y0)) * plotH);

  for (const t of yTicks) {
    body.push(`<line x1="${margin.left}" y1="${num(py(t))}" x2="${margin.left + plotW}" y2="${num(py(t))}" stroke="#e5e5e5"/>`);
    body.push(svgText(margin.left - 6, py(t) + 4, label(t), { size: 11, anchor: 'end', fill: '#555' }));
  }
  for (const t of xTicks) {
    if (!xLog && (t < xLo - 1e-12 || t > x1 + 1e-12) && t !== xTicks[0]) continue;
    body.push(`<line x1="${num(px(t))}" y1="${margin.top + plotH}" x2="${num(px(t))}" y2="${margin.top + plotH + 4}" stroke="#555"/>`);
    body.push(svgText(px(t), margin.top + plotH + 17, label(t), { size: 11, anchor: 'middle', fill: '#555' }));
  }
  body.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#555"/>`);
  body.push(svgText(margin.left + plotW / 2, margin.top + plotH + 36, spec.xLabel, { size: 12, anchor: 'middle' }));
  body.push(svgText(18, margin.top + plotH / 2, spec.yLabel, { size: 12, anchor: 'middle', rotate: -90 }));

  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length] ?? '#000';
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (pts.length > 1) {
      const d = pts.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${num(px(x))},${num(py(y))}`).join(' ');
      body.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${dash}><title>${escapeXml(s.name)}</title></path>`);
    }
    if (s.markers ?? pts.length <= 30) {
      for (const [x, y] of pts) body.push(`<circle cx="${num(px(x))}" cy="${num(py(y))}" r="3" fill="${color}"/>`);
    }
    const ly = height - legendH + 6 + 18 * i;
    body.push(`<line x1="${margin.left}" y1="${ly}" x2="${margin.left + 24}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    body.push(svgText(margin.left + 32, ly + 4, s.name, { size: 12 }));
  });
  return svgDocument(width, height, body);
}
