/**
 * The graph behind a tensor as plain data (tensors, ops and the edges between them), with the
 * text each one is labelled with. `toDot` and `toSvg` draw it.
 */
import type { Node } from './node.js';
import { describeValue } from './describe-value.js';
import { Tensor } from './tensor.js';

/**
 * Names for tensors, e.g. a module's parameters: `model.namedParameters()`, a `Map`, or an
 * object such as `{ input: x, loss }` (as torchviz's `make_dot(y, params=dict(...))`).
 */
export type TensorNames = Iterable<readonly [string, Tensor]> | Readonly<Record<string, Tensor>>;

/** What to show on each tensor besides its name, shape and dtype. */
export interface GraphLabelOptions {
  /** Show the values (the first few of a large tensor). */
  values?: boolean;
  /** Show `.grad` where backward stored one. */
  grads?: boolean;
  /** How many elements to show before eliding (default 6). */
  maxElements?: number;
  /** Labels for tensors; they take precedence over `tensor.name`. */
  names?: TensorNames;
}

/** How to draw the graph: what the labels show, and which way data flows. */
export interface GraphDrawOptions extends GraphLabelOptions {
  /** 'TB': inputs at the top, the output at the bottom (default); 'LR': left to right. */
  rankdir?: 'TB' | 'LR';
}

/** A tensor or an op of the graph, with its label lines. */
export interface GraphVertex {
  id: string;
  kind: 'tensor' | 'op';
  lines: string[];
  /** For tensors: a leaf that requires grad (a parameter), a constant, or an op's result. */
  role: 'parameter' | 'constant' | 'result' | 'op';
}

/** The fill colour of each role, shared by the DOT and SVG drawings. */
export const ROLE_FILL: Readonly<Record<GraphVertex['role'], string>> = {
  parameter: '#dbeafe',
  constant: '#f3f4f6',
  result: '#ffffff',
  op: '#fef3c7',
};

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
 * The first elements of `values` as text, eliding the rest; `total` is the tensor's size when
 * `values` holds only its first elements.
 *
 * @example
 * summarize([1, 2.5, 3], 2);    // '[1, 2.5, … (3)]'
 * summarize([1, 2], 2, 50176);  // '[1, 2, … (50176)]'
 */
export function summarize(values: ArrayLike<number>, maxElements: number, total = values.length): string {
  const shown = Array.from({ length: Math.min(values.length, maxElements) }, (_, i) => formatNumber(values[i]));
  const more = total > shown.length ? `, … (${total})` : '';
  return `[${shown.join(', ')}${more}]`;
}

function formatParam(p: unknown): string {
  if (p === undefined) return 'undefined';
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
 * An op's label: its name and its non-tensor arguments. Trailing `undefined` and `false`
 * arguments are the defaults (`axis`, `keepdim`) and are left out.
 *
 * @example
 * const node = tensor([[1, 2]], { requiresGrad: true }).sum(1).gradFn;
 * if (node !== null) opLabel(node); // 'sum(1)' (keepdim false is the default)
 */
export function opLabel(node: Node): string {
  const params = shownParams(node);
  return params.length > 0 ? `${node.name}(${params.join(', ')})` : node.name;
}

/** The op's arguments as text, without the trailing defaults. */
function shownParams(node: Node): string[] {
  const params = [...node.params];
  while (params.length > 0 && (params[params.length - 1] === undefined || params[params.length - 1] === false)) {
    params.pop();
  }
  return params.map(formatParam);
}

/** The longest label an op gets on one line. */
const OP_LINE_WIDTH = 30;

/** An op's label on one line when it fits, else its name over its arguments, wrapped. */
function opLines(node: Node): string[] {
  const label = opLabel(node);
  return label.length <= OP_LINE_WIDTH ? [label] : [node.name, ...wrapText(shownParams(node).join(', '), OP_LINE_WIDTH)];
}

/**
 * `text` broken at spaces into lines of at most `width` characters (a longer word stays whole).
 *
 * @example
 * wrapText('conv2d(stride=[1,1] padding=[1,1])', 20); // ['conv2d(stride=[1,1]', 'padding=[1,1])']
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The first `count` elements in row-major order, read in place (no copy of a large tensor). */
function firstElements(t: Tensor, count: number): number[] {
  const n = Math.min(count, t.size);
  const index = new Array<number>(t.ndim).fill(0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(t.data.get(...index));
    for (let d = t.ndim - 1; d >= 0 && ++index[d] === t.shape[d]; d--) index[d] = 0; // odometer
  }
  return out;
}

function elements(t: Tensor, max: number): string {
  return summarize(firstElements(t, max), max, t.size);
}

function tensorLines(t: Tensor, name: string | undefined, opts: GraphLabelOptions): string[] {
  const max = opts.maxElements ?? 6;
  const lines = [`${name ?? ''}${name !== undefined ? ' ' : ''}[${t.shape.join(',')}] ${t.dtype}`];
  if (opts.values) lines.push(`data ${elements(t, max)}`);
  if (opts.grads && t.grad !== null) lines.push(`grad ${elements(t.grad, max)}`);
  return lines;
}

function nameMap(names: TensorNames | undefined): Map<Tensor, string> {
  const map = new Map<Tensor, string>();
  if (names === undefined) return map;
  if (typeof names !== 'object' || names === null) {
    throw new TypeError(`names: expected [name, tensor] pairs or an object of tensors, got ${describeValue(names)}`);
  }
  const pairs: Iterable<readonly [unknown, unknown]> = Symbol.iterator in names ? names : Object.entries(names);
  for (const pair of pairs) {
    const [name, t] = Array.isArray(pair) ? pair : [undefined, undefined];
    if (typeof name !== 'string' || !(t instanceof Tensor)) {
      throw new TypeError(`names: expected [name, tensor] pairs, got a pair of ${describeValue(name)} and ${describeValue(t)}`);
    }
    map.set(t, name);
  }
  return map;
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
  if (!(root instanceof Tensor)) throw new TypeError(`graphOf: expected a Tensor, got ${describeValue(root)}`);
  const names = nameMap(opts.names);
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
      vertices.push({ id: opId, kind: 'op', lines: opLines(node), role: 'op' });
      for (const input of node.inputs) edges.push([ids.get(input) ?? '', opId]);
      edges.push([opId, id]);
    }
    const role = node !== null ? 'result' : t.requiresGrad ? 'parameter' : 'constant';
    vertices.push({ id, kind: 'tensor', lines: tensorLines(t, names.get(t) ?? t.name, opts), role });
  }
  return { vertices, edges };
}
