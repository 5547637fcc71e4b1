/**
 * The graph behind a tensor drawn as SVG, laid out here (no Graphviz needed): a layered layout,
 * top to bottom (or left to right), in four steps.
 *
 * 1. Ranks: each vertex one rank after its furthest input, then as late as its consumers allow,
 *    so a side chain (a bias reshaped before an add) sits beside the op that uses it.
 * 2. Waypoints: an edge that skips ranks gets a point in each rank between, placed like a box,
 *    so it runs round the boxes there instead of through them.
 * 3. Order within a rank: one sweep down (by the inputs) and one up (by the consumers, in
 *    argument order) keep edges from crossing.
 * 4. Positions: each box as close as the order allows to its first input (the data path) or to
 *    the op that reads it; the spine from the output back through first inputs never gives way,
 *    so a network's main chain runs straight with its weights beside it.
 */
import { graphOf, ROLE_FILL, type GraphDrawOptions, type GraphVertex } from './graph.js';
import type { Tensor } from './tensor.js';

const CHAR_WIDTH = 7.2; // 12px monospace
const LINE_HEIGHT = 16;
const PAD = 8;
const RANK_GAP = { TB: 28, LR: 48 }; // between ranks: room for the edges' bends
const ORDER_GAP = { TB: 24, LR: 16 }; // between neighbours in a rank
const MARGIN = 16;

/** A vertex's box, or (vertex null) a waypoint where an edge crosses a rank. */
interface Box {
  vertex: GraphVertex | null;
  rank: number;
  order: number;
  width: number;
  height: number;
  x: number;
  y: number;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * Ranks: first one more than the furthest input (vertices come inputs first); then, from the
 * output back, each vertex moves down to just before its nearest consumer.
 */
function assignRanks(boxes: Box[], inputsOf: Map<Box, Box[]>, consumersOf: Map<Box, Box[]>): void {
  for (const box of boxes) {
    box.rank = (inputsOf.get(box) ?? []).reduce((r, input) => Math.max(r, input.rank + 1), 0);
  }
  for (let i = boxes.length - 1; i >= 0; i--) {
    const consumers = consumersOf.get(boxes[i]) ?? [];
    if (consumers.length > 0) boxes[i].rank = Math.min(...consumers.map((c) => c.rank)) - 1;
  }
}

/** Sorts each rank by `key` and numbers its boxes 0, 1, ...; a box without a key keeps its place. */
function sortRanks(ranks: Box[][], order: Iterable<number>, key: (box: Box) => number | undefined): void {
  for (const r of order) {
    const keyed = ranks[r].map((box) => ({ box, k: key(box) ?? box.order }));
    keyed.sort((a, b) => a.k - b.k);
    keyed.forEach(({ box }, i) => (box.order = i));
    ranks[r] = keyed.map(({ box }) => box);
  }
}

function mean(values: number[]): number | undefined {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** Down by the inputs' mean position, then up by the consumers' (an input's slot breaks ties). */
function orderRanks(ranks: Box[][], inputsOf: Map<Box, Box[]>, consumersOf: Map<Box, Box[]>): void {
  const down = ranks.map((_, r) => r);
  sortRanks(ranks, down, (box) => mean((inputsOf.get(box) ?? []).map((b) => b.order)));
  sortRanks(ranks, down.reverse(), (box) =>
    mean(
      (consumersOf.get(box) ?? []).map((c) => {
        const slots = inputsOf.get(c) ?? [];
        return c.order + (slots.indexOf(box) + 1) / (slots.length + 1);
      }),
    ),
  );
}

/**
 * Centres for boxes of `sizes` in this order, at least `gap` apart, as close to `want` as that
 * allows (least squares, each box counting `weight` times). With `y_i = x_i - offset_i` the
 * spacing becomes "y never decreases", which pooling adjacent violators solves exactly: merge
 * neighbours that are out of order into one block at their weighted mean.
 */
function spread(sizes: readonly number[], want: readonly number[], weight: readonly number[], gap: number): number[] {
  const offsets: number[] = [];
  sizes.forEach((size, i) => offsets.push(i === 0 ? 0 : offsets[i - 1] + sizes[i - 1] / 2 + gap + size / 2));
  const blocks: { sum: number; weight: number; count: number }[] = [];
  want.forEach((w, i) => {
    blocks.push({ sum: (w - offsets[i]) * weight[i], weight: weight[i], count: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.weight <= b.sum / b.weight) break;
      a.sum += b.sum;
      a.weight += b.weight;
      a.count += b.count;
      blocks.pop();
    }
  });
  const centres: number[] = [];
  for (const { sum, weight: w, count } of blocks) {
    for (let k = 0; k < count; k++) centres.push(sum / w + offsets[centres.length]);
  }
  return centres;
}

/**
 * Places the ranks one after another along the flow, and each rank's boxes side by side across
 * it: first packed; then each box moves under its first input (down the ranks), each source
 * next to the op that reads it (up), and the boxes under their inputs again (down), so the
 * main chain runs straight with the weights beside it. Returns the picture's size.
 */
function place(ranks: Box[][], inputsOf: Map<Box, Box[]>, consumersOf: Map<Box, Box[]>, rankdir: 'TB' | 'LR'): { width: number; height: number } {
  const tb = rankdir === 'TB';
  const along = (b: Box): number => (tb ? b.height : b.width);
  const across = (b: Box): number => (tb ? b.width : b.height);
  const centre = new Map<Box, number>();
  // The spine: the output and, back from it, each first input. Where boxes compete for room the
  // spine never gives way (so it cannot drift), a side chain gives way to it, and a lone source
  // (a weight, a constant) to both.
  const spine = new Set<Box>();
  for (let b = ranks.flat().find((x) => !consumersOf.has(x)); b !== undefined; b = inputsOf.get(b)?.[0]) spine.add(b);
  const weight = (b: Box): number => (spine.has(b) ? 1e6 : inputsOf.has(b) ? 1e3 : 1);
  const settle = (rank: Box[], want: (b: Box) => number | undefined): void => {
    const wanted = rank.map((b) => want(b) ?? centre.get(b) ?? 0);
    const xs = spread(rank.map(across), wanted, rank.map(weight), ORDER_GAP[rankdir]);
    rank.forEach((b, i) => centre.set(b, xs[i]));
  };
  for (const rank of ranks) settle(rank, () => 0);
  // Under its first input: the data path is argument 0 (conv2d(x, w), add(y, bias)), so the
  // main chain runs straight and the weights hang beside it.
  const fromInputs = (b: Box): number | undefined => {
    const first = inputsOf.get(b)?.[0];
    return first === undefined ? undefined : centre.get(first);
  };
  // Over a consumer it is the first input of (the inverse of `fromInputs`), else towards its slot.
  const fromConsumers = (b: Box): number | undefined =>
    mean(
      (consumersOf.get(b) ?? []).map((c) => {
        const slots = inputsOf.get(c) ?? [];
        const k = slots.indexOf(b);
        return (centre.get(c) ?? 0) + (k === 0 ? 0 : ((k + 1) / (slots.length + 1) - 0.5) * across(c));
      }),
    );
  for (const rank of ranks) settle(rank, fromInputs);
  // Up: everything moves towards the op that reads it, so a side chain comes in beside the
  // main chain; down again: the main chain straightens under its first inputs.
  for (const rank of [...ranks].reverse()) settle(rank, fromConsumers);
  for (const rank of ranks) settle(rank, fromInputs);

  const boxes = ranks.flat();
  const low = Math.min(...boxes.map((b) => (centre.get(b) ?? 0) - across(b) / 2));
  const high = Math.max(...boxes.map((b) => (centre.get(b) ?? 0) + across(b) / 2));
  let a = MARGIN;
  for (const rank of ranks) {
    const depth = rank.reduce((d, b) => Math.max(d, along(b)), 0);
    for (const box of rank) {
      if (box.vertex === null) [box.width, box.height] = tb ? [0, depth] : [depth, 0]; // straight through
      const c = Math.round(2 * (MARGIN + (centre.get(box) ?? 0) - across(box) / 2 - low)) / 2; // half pixels
      const offset = a + (depth - along(box)) / 2;
      if (tb) [box.x, box.y] = [c, offset];
      else [box.x, box.y] = [offset, c];
    }
    a += depth + RANK_GAP[rankdir];
  }
  const alongSize = Math.ceil(a - RANK_GAP[rankdir] + MARGIN);
  const acrossSize = Math.ceil(high - low + 2 * MARGIN);
  return tb ? { width: acrossSize, height: alongSize } : { width: alongSize, height: acrossSize };
}

function drawVertex(box: Box, vertex: GraphVertex): string {
  const { x, y, width, height } = box;
  const op = vertex.kind === 'op';
  const rx = op ? Math.min(height / 2, 14) : 3; // ops are pills, tensors boxes
  const stroke = op ? '#92400e' : '#374151';
  const shape = `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="${rx}" fill="${ROLE_FILL[vertex.role]}" stroke="${stroke}"/>`;
  const text = vertex.lines
    .map((line, i) => {
      const ty = y + PAD + (i + 0.75) * LINE_HEIGHT - 2;
      return `<text x="${x + width / 2}" y="${ty}" text-anchor="middle">${escapeXml(line)}</text>`;
    })
    .join('');
  return `<g id="${vertex.id}">${shape}${text}</g>`;
}

/**
 * An edge along `route` (its source, the waypoints, its target), entering slot `slot` of
 * `slots` on the target's near side, so an op's arguments stay apart.
 */
function drawEdge(route: readonly Box[], slot: number, slots: number, rankdir: 'TB' | 'LR'): string {
  const tb = rankdir === 'TB';
  const p = (x: number, y: number): string => `${Math.round(x * 100) / 100},${Math.round(y * 100) / 100}`;
  const exit = (b: Box): [number, number] => (tb ? [b.x + b.width / 2, b.y + b.height] : [b.x + b.width, b.y + b.height / 2]);
  const entry = (b: Box, t: number): [number, number] => (tb ? [b.x + b.width * t, b.y] : [b.x, b.y + b.height * t]);
  let [x1, y1] = exit(route[0]);
  let d = `M${p(x1, y1)}`;
  for (let i = 1; i < route.length; i++) {
    const last = i === route.length - 1;
    const [x2, y2] = entry(route[i], last ? (slot + 1) / (slots + 1) : 0.5);
    const [c1, c2] = tb ? [p(x1, (y1 + y2) / 2), p(x2, (y1 + y2) / 2)] : [p((x1 + x2) / 2, y1), p((x1 + x2) / 2, y2)];
    d += ` C${c1} ${c2} ${p(x2, y2)}`;
    if (!last) {
      [x1, y1] = exit(route[i]);
      d += ` L${p(x1, y1)}`;
    }
  }
  return `<path d="${d}" fill="none" stroke="#6b7280" marker-end="url(#arrow)"/>`;
}

/** Each box's inputs and consumers, in the order the edges list them (an op's argument order). */
function adjacency(pairs: readonly (readonly [Box, Box])[]): { inputsOf: Map<Box, Box[]>; consumersOf: Map<Box, Box[]> } {
  const inputsOf = new Map<Box, Box[]>();
  const consumersOf = new Map<Box, Box[]>();
  for (const [a, b] of pairs) {
    inputsOf.set(b, [...(inputsOf.get(b) ?? []), a]);
    consumersOf.set(a, [...(consumersOf.get(a) ?? []), b]);
  }
  return { inputsOf, consumersOf };
}

/**
 * An SVG picture of the graph that produced `t`: tensors as boxes (name, shape, dtype and
 * optionally values and gradients), ops as pills; parameters blue, constants grey. Data flows
 * top to bottom (`rankdir: 'LR'`: left to right).
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { tmpdir } from 'node:os';
 * const w = tensor([1, 2], { requiresGrad: true });
 * const loss = w.square().sum();
 * loss.backward();
 * writeFileSync(join(tmpdir(), 'graph.svg'), toSvg(loss, { grads: true, names: { w, loss } }));
 */
export function toSvg(t: Tensor, opts: GraphDrawOptions = {}): string {
  const rankdir = opts.rankdir ?? 'TB';
  const { vertices, edges } = graphOf(t, opts);
  const boxes = vertices.map((vertex, i): Box => {
    const chars = Math.max(...vertex.lines.map((l) => l.length));
    const extra = vertex.kind === 'op' ? 2 * PAD : 0; // room for the pill's rounded ends
    const width = Math.ceil(chars * CHAR_WIDTH + 2 * PAD + extra);
    const height = vertex.lines.length * LINE_HEIGHT + 2 * PAD - 4;
    return { vertex, rank: 0, order: i, width, height, x: 0, y: 0 };
  });
  const byId = new Map(vertices.map((v, i) => [v.id, boxes[i]]));
  const links: [Box, Box][] = [];
  for (const [from, to] of edges) {
    const a = byId.get(from);
    const b = byId.get(to);
    if (a !== undefined && b !== undefined) links.push([a, b]);
  }
  const direct = adjacency(links);
  assignRanks(boxes, direct.inputsOf, direct.consumersOf);
  // An edge that skips ranks (a tensor used again much later) runs through a waypoint in each
  // rank between, which the layout moves like a box, so the edge goes round the boxes there.
  const routes = links.map(([a, b]) => {
    const route = [a];
    for (let r = a.rank + 1; r < b.rank; r++) {
      route.push({ vertex: null, rank: r, order: boxes.length, width: 0, height: 0, x: 0, y: 0 });
    }
    route.push(b);
    return route;
  });
  const all = [...boxes, ...routes.flatMap((route) => route.slice(1, -1))];
  const { inputsOf, consumersOf } = adjacency(routes.flatMap((route) => route.slice(1).map((b, i) => [route[i], b] as const)));
  const ranks: Box[][] = [];
  for (const box of all) (ranks[box.rank] ??= []).push(box);
  orderRanks(ranks, inputsOf, consumersOf);
  const { width, height } = place(ranks, inputsOf, consumersOf, rankdir);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">' +
      '<path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
    '<style>text { font: 12px monospace; fill: #111827; }</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  const filled = new Map<Box, number>(); // edges arrive in argument order: x.mul(x) fills two slots
  for (const route of routes) {
    const target = route[route.length - 1];
    const slot = filled.get(target) ?? 0;
    filled.set(target, slot + 1);
    parts.push(drawEdge(route, slot, inputsOf.get(target)?.length ?? 1, rankdir));
  }
  boxes.forEach((box, i) => parts.push(drawVertex(box, vertices[i])));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
