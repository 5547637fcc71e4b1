/**
 * The graph behind a tensor drawn as SVG, laid out here (no Graphviz needed): a simple layered
 * layout, left to right. Each vertex goes in the column after its furthest input; within a
 * column, vertices are ordered by the mean row of their inputs, which keeps most edges short
 * and uncrossed for the chain-like graphs of a network.
 */
import { graphOf, type GraphLabelOptions, type GraphVertex } from './graph.js';
import type { Tensor } from './tensor.js';

const CHAR_WIDTH = 7.2; // 12px monospace
const LINE_HEIGHT = 16;
const PAD = 8;
const COLUMN_GAP = 48;
const ROW_GAP = 16;
const MARGIN = 16;

interface Box {
  vertex: GraphVertex;
  column: number;
  width: number;
  height: number;
  x: number;
  y: number;
  order: number;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * Columns: one more than the furthest input; a vertex without inputs (a parameter, a constant)
 * goes just before its first consumer, so its edge stays short.
 */
function assignColumns(boxes: Map<string, Box>, inputsOf: Map<string, string[]>, edges: [string, string][]): void {
  for (const box of boxes.values()) {
    const inputs = inputsOf.get(box.vertex.id) ?? [];
    box.column = inputs.reduce((c, id) => Math.max(c, (boxes.get(id)?.column ?? -1) + 1), 0);
  }
  for (const box of boxes.values()) {
    if ((inputsOf.get(box.vertex.id) ?? []).length > 0) continue;
    const consumers = edges.filter(([from]) => from === box.vertex.id).map(([, to]) => boxes.get(to)?.column ?? 1);
    if (consumers.length > 0) box.column = Math.min(...consumers) - 1;
  }
}

/** Within each column, orders by the mean position of the inputs, then places the boxes. */
function place(columns: Box[][], inputsOf: Map<string, string[]>, boxes: Map<string, Box>): { width: number; height: number } {
  let x = MARGIN;
  const heights: number[] = [];
  for (const column of columns) {
    for (const box of column) {
      const inputs = (inputsOf.get(box.vertex.id) ?? []).map((id) => boxes.get(id)?.order ?? 0);
      box.order = inputs.length > 0 ? inputs.reduce((a, b) => a + b, 0) / inputs.length : box.order;
    }
    column.sort((a, b) => a.order - b.order);
    column.forEach((box, i) => (box.order = i));
    const width = column.reduce((w, b) => Math.max(w, b.width), 0);
    let y = 0;
    for (const box of column) {
      box.x = x + (width - box.width) / 2;
      box.y = y;
      y += box.height + ROW_GAP;
    }
    heights.push(y - ROW_GAP);
    x += width + COLUMN_GAP;
  }
  const height = Math.max(...heights);
  // Centre each column vertically.
  columns.forEach((column, c) => column.forEach((box) => (box.y += MARGIN + (height - heights[c]) / 2)));
  return { width: x - COLUMN_GAP + MARGIN, height: height + 2 * MARGIN };
}

function drawVertex(box: Box): string {
  const fill = { parameter: '#dbeafe', constant: '#f3f4f6', result: '#ffffff', op: '#fef3c7' }[box.vertex.role];
  const { x, y, width, height } = box;
  const shape =
    box.vertex.kind === 'op'
      ? `<ellipse cx="${x + width / 2}" cy="${y + height / 2}" rx="${width / 2}" ry="${height / 2}" fill="${fill}" stroke="#92400e"/>`
      : `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="3" fill="${fill}" stroke="#374151"/>`;
  const text = box.vertex.lines
    .map((line, i) => {
      const ty = y + PAD + (i + 0.75) * LINE_HEIGHT - 2;
      return `<text x="${x + width / 2}" y="${ty}" text-anchor="middle">${escapeXml(line)}</text>`;
    })
    .join('');
  return `<g id="${box.vertex.id}">${shape}${text}</g>`;
}

function drawEdge(from: Box, to: Box): string {
  const x1 = from.x + from.width;
  const y1 = from.y + from.height / 2;
  const x2 = to.x;
  const y2 = to.y + to.height / 2;
  const bend = (x2 - x1) / 2;
  return `<path d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" fill="none" stroke="#6b7280" marker-end="url(#arrow)"/>`;
}

/**
 * An SVG picture of the graph that produced `t`: tensors as boxes (shape, dtype and optionally
 * values and gradients), ops as ellipses; parameters blue, constants grey.
 *
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * const loss = w.square().sum();
 * loss.backward();
 * writeFileSync('graph.svg', toSvg(loss, { grads: true }));
 */
export function toSvg(t: Tensor, opts: GraphLabelOptions = {}): string {
  const { vertices, edges } = graphOf(t, opts);
  const inputsOf = new Map<string, string[]>();
  for (const [from, to] of edges) inputsOf.set(to, [...(inputsOf.get(to) ?? []), from]);
  const boxes = new Map<string, Box>();
  vertices.forEach((vertex, i) => {
    const chars = Math.max(...vertex.lines.map((l) => l.length));
    const extra = vertex.kind === 'op' ? 2 * PAD : 0; // room for the ellipse's curve
    const width = Math.ceil(chars * CHAR_WIDTH + 2 * PAD + extra);
    const height = vertex.lines.length * LINE_HEIGHT + 2 * PAD - 4;
    boxes.set(vertex.id, { vertex, column: 0, width, height, x: 0, y: 0, order: i });
  });
  assignColumns(boxes, inputsOf, edges);
  const columns: Box[][] = [];
  for (const box of boxes.values()) (columns[box.column] ??= []).push(box);
  const { width, height } = place(columns, inputsOf, boxes);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">' +
      '<path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
    '<style>text { font: 12px monospace; fill: #111827; }</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const [from, to] of edges) {
    const a = boxes.get(from);
    const b = boxes.get(to);
    if (a !== undefined && b !== undefined) parts.push(drawEdge(a, b));
  }
  for (const box of boxes.values()) parts.push(drawVertex(box));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
