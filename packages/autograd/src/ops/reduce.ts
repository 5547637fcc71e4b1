/**
 * Reductions. A reduction's backward spreads the output's gradient back over the reduced axes:
 * first reshaped to the keepdim shape (reduced axes of size 1), then broadcast or routed.
 */
import { zeros, type NDArray, type Shape } from '@tsgrad/ndarray';
import { defineOp, defineSavingOp } from '../define-op.js';
import { normalizeAxes } from '../shape.js';

/** Axes to reduce over: one, several, or all when omitted. */
export type Axis = number | readonly number[] | undefined;

/**
 * The shape of a reduction with `keepdim`: every reduced axis becomes 1.
 *
 * @example
 * keptShape([2, 3, 4], 1); // [2, 1, 4]
 */
export function keptShape(shape: Shape, axis: Axis): number[] {
  const axes = normalizeAxes(axis, shape.length);
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The gradient of a reduction's output, reshaped so it broadcasts against the input. */
function gradKept(g: NDArray, x: NDArray, axis: Axis): NDArray {
  return g.reshape(keptShape(x.shape, axis));
}

/** sum over `axis`; every input element gets the gradient of the sum it went into. */
export const sum = defineOp({
  name: 'sum',
  forward: ([x], axis: Axis, keepdim: boolean) => x.sum(axis, keepdim),
  backward: (g, { inputs: [x], params: [axis] }) => [gradKept(g, x, axis).expand(x.shape)],
});

/** logsumexp over `axis`; d/dx = softmax(x) along the reduced axes. */
export const logsumexp = defineOp({
  name: 'logsumexp',
  forward: ([x], axis: Axis, keepdim: boolean) => x.logsumexp(axis, keepdim),
  backward: (g, { inputs: [x], out, params: [axis] }) => [
    x.sub(gradKept(out, x, axis)).exp().mul(gradKept(g, x, axis)),
  ],
});

/**
 * The gradient of max/min over whole axes: spread evenly among the elements equal to the
 * result (PyTorch's rule for `max()` and `amax`), so ties share it.
 */
function evenAmongTies(g: NDArray, x: NDArray, out: NDArray, axis: Axis): NDArray {
  const ties = x.eq(gradKept(out, x, axis)).astype(g.dtype);
  return ties.div(ties.sum(axis, true)).mul(gradKept(g, x, axis));
}

/** max over `axis` (all axes when omitted); ties share the gradient evenly. */
export const amax = defineOp({
  name: 'max',
  forward: ([x], axis: Axis, keepdim: boolean) => x.max(axis, keepdim),
  backward: (g, { inputs: [x], out, params: [axis] }) => [evenAmongTies(g, x, out, axis)],
});

/** min over `axis` (all axes when omitted); ties share the gradient evenly. */
export const amin = defineOp({
  name: 'min',
  forward: ([x], axis: Axis, keepdim: boolean) => x.min(axis, keepdim),
  backward: (g, { inputs: [x], out, params: [axis] }) => [evenAmongTies(g, x, out, axis)],
});

/** Routes the gradient of `max(dim)` / `min(dim)` to the index the forward returned. */
function toIndices(g: NDArray, x: NDArray, dim: number, keepdim: boolean, indices: NDArray): NDArray {
  if (x.ndim === 0) return g; // a 0-d tensor's max along dim 0 is its one element
  const gk = keepdim ? g : g.unsqueeze(dim);
  const ik = keepdim ? indices : indices.unsqueeze(dim);
  return zeros(x.shape, g.dtype).scatterAdd(dim, ik, gk);
}

/** max along one dim, with the indices; the gradient goes to the returned index only. */
export const maxDim = defineSavingOp({
  name: 'max',
  forward: ([x], dim: number, keepdim: boolean) => {
    const { values, indices } = x.maxWithIndices(dim, keepdim);
    return { out: values, saved: indices };
  },
  backward: (g, { inputs: [x], params: [dim, keepdim], saved }) => [toIndices(g, x, dim, keepdim, saved)],
});

/** min along one dim, with the indices; the gradient goes to the returned index only. */
export const minDim = defineSavingOp({
  name: 'min',
  forward: ([x], dim: number, keepdim: boolean) => {
    const { values, indices } = x.minWithIndices(dim, keepdim);
    return { out: values, saved: indices };
  },
  backward: (g, { inputs: [x], params: [dim, keepdim], saved }) => [toIndices(g, x, dim, keepdim, saved)],
});
