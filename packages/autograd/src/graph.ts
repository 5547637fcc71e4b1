/**
 * The graph behind a tensor as plain data (tensors, ops and the edges between them), with the
 * text each one is labelled with. `toDot` and `toSvg` draw it.
 */
import type { Node } from './node.js';
import type { Tensor } from './tensor.js';

/** What to show on each tensor besides its name, shape and dtype. */
export interface GraphLabelOptions {
  /** Show the values (the first few of a large tensor). */
  values?: boolean;
  /** Show `.grad` where backward stored one. */
  grads?: boolean;
  /** How many elements to show before eliding (default 6). */
  maxElements?: number;
}

/** A tensor or an op of the graph, with its label lines. */
export interface GraphVertex {
  id: string;
  kind: 'tensor' | 'op';
  lines: string[];
  /** For tensors: a leaf that requires grad (a parameter), a constant, or an op's result. */
  role: 'parameter' | 'constant' | 'result' | 'op';
}

/** The whole graph: vertices in topological order (inputs first), edges as `[from, to]` ids. */
export interface Graph {
  vertices: GraphVertex[];
  edges: [string, string][];
}

function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return Number(v.toPrecision(4)).toString();
}

/**
 * The first elements of `values` as text, eliding the rest.
 *
 * @example
 * summarize([1, 2.5, 3], 2); // '[1, 2.5, … (3)]'
 */
export function summarize(values: ArrayLike<number>, maxElements: number): string {
  const shown = Array.from({ length: Math.min(values.length, maxElements) }, (_, i) => formatNumber(values[i]));
  const more = values.length > maxElements ? `, … (${values.length})` : '';
  return `[${shown.join(', ')}${more}]`;
}

function formatParam(p: unknown): string {
  if (p === undefined) return '';
  if (typeof p === 'number' || typeof p === 'boolean' || typeof p === 'string') return String(p);
  if (Array.isArray(p)) return `[${p.map(formatParam).join(',')}]`;
  if (typeof p === 'object' && p !== null) {
    return Object.entries(p)
      .map(([k, v]) => `${k}=${formatParam(v)}`)
      .join(' ');
  }
  return '?';
}

/**
 * An op's label: its name and its non-tensor arguments.
 *
 * @example
 * const node = tensor([[1, 2]], { requiresGrad: true }).sum(1).gradFn;
 * if (node !== null) opLabel(node); // 'sum(1, false)'
 */
export function opLabel(node: Node): string {
  const params = node.params.map(formatParam).filter((s) => s !== '');
  return params.length > 0 ? `${node.name}(${params.join(', ')})` : node.name;
}

function tensorLines(t: Tensor, opts: GraphLabelOptions): string[] {
  const max = opts.maxElements ?? 6;
  const lines = [`${t.name ?? ''}${t.name !== undefined ? ' ' : ''}[${t.shape.join(',')}] ${t.dtype}`];
  if (opts.values) lines.push(`data ${summarize(t.data.toTypedArray(), max)}`);
  if (opts.grads && t.grad !== null) lines.push(`grad ${summarize(t.grad.data.toTypedArray(), max)}`);
  return lines;
}

/**
 * Collects the graph that produced `root`: every tensor (constants included) and every op,
 * in a deterministic topological order.
 *
 * @example
 * const x = tensor([1, 2], { requiresGrad: true });
 * graphOf(x.mul(2).sum()).vertices.length; // 6: x, 2, mul, its result, sum, its result
 */
export function graphOf(root: Tensor, opts: GraphLabelOptions = {}): Graph {
  const ids = new Map<Tensor, string>();
  const vertices: GraphVertex[] = [];
  const edges: [string, string][] = [];
  const stack: { tensor: Tensor; next: number }[] = [{ tensor: root, next: 0 }];
  const seen = new Set<Tensor>([root]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.tensor.gradFn?.inputs ?? [];
    if (top.next < inputs.length) {
      const input = inputs[top.next++];
      if (!seen.has(input)) {
        seen.add(input);
        stack.push({ tensor: input, next: 0 });
      }
      continue;
    }
    stack.pop();
    const t = top.tensor;
    const id = `t${ids.size}`;
    ids.set(t, id);
    const node = t.gradFn;
    if (node !== null) {
      const opId = `op${id.slice(1)}`;
      vertices.push({ id: opId, kind: 'op', lines: [opLabel(node)], role: 'op' });
      for (const input of node.inputs) edges.push([ids.get(input) ?? '', opId]);
      edges.push([opId, id]);
    }
    const role = node !== null ? 'result' : t.requiresGrad ? 'parameter' : 'constant';
    vertices.push({ id, kind: 'tensor', lines: tensorLines(t, opts), role });
  }
  return { vertices, edges };
}
