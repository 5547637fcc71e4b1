/**
 * A small line chart on a canvas (no library): the points, axes with their ranges, and a text
 * summary in `aria-label` and `data-first`/`data-last`/`data-values` for screen readers and tests.
 */

export interface ChartOptions {
  /** The y range to show at least (it grows to fit the points). */
  yMin?: number;
  yMax?: number;
  colour: string;
  label: string;
  /** Digits shown on the y axis and in the summary. */
  digits?: number;
}

/**
 * Draws `points` ([x, y] pairs, x increasing) into `canvas`.
 *
 * @example
 * drawChart(canvas, [[10, 2.3], [20, 2.1]], { colour: '#2563eb', label: 'loss' });
 */
export function drawChart(canvas: HTMLCanvasElement, points: readonly (readonly [number, number])[], opts: ChartOptions): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  const digits = opts.digits ?? 2;
  const left = 44;
  const bottom = 20;
  const top = 8;
  const right = 8;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#6b7280';
  ctx.strokeStyle = '#d1d5db';
  ctx.strokeRect(left, top, width - left - right, height - top - bottom);
  if (points.length === 0) {
    canvas.setAttribute('aria-label', `${opts.label}: no data yet`);
    for (const key of ['first', 'last', 'count', 'values']) delete canvas.dataset[key]; // a new run: nothing of the last one
    return;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(x0 + 1, ...xs);
  const y0 = Math.min(opts.yMin ?? Infinity, ...ys);
  const y1 = Math.max(opts.yMax ?? -Infinity, ...ys, y0 + 1e-6);
  const px = (x: number): number => left + ((x - x0) / (x1 - x0)) * (width - left - right);
  const py = (y: number): number => top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom);
  ctx.fillText(y1.toFixed(digits), 2, top + 10);
  ctx.fillText(y0.toFixed(digits), 2, height - bottom);
  ctx.fillText(`step ${x0}`, left, height - 4);
  const end = `step ${x1}`;
  ctx.fillText(end, width - right - ctx.measureText(end).width, height - 4);
  ctx.strokeStyle = opts.colour;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
  ctx.stroke();
  if (points.length === 1) ctx.fillRect(px(xs[0]) - 2, py(ys[0]) - 2, 4, 4);
  const first = ys[0].toFixed(digits);
  const last = ys[ys.length - 1].toFixed(digits);
  canvas.setAttribute('aria-label', `${opts.label}: ${first} at step ${x0}, ${last} at step ${xs[xs.length - 1]}`);
  canvas.dataset.first = String(ys[0]);
  canvas.dataset.last = String(ys[ys.length - 1]);
  canvas.dataset.count = String(points.length);
  canvas.dataset.values = ys.join(' '); // every y, in full precision: tests compare runs with these
}
