/**
 * Reductions at the array level: axes, keepdim, dtypes and composites (mean, logsumexp, sumTo).
 */
import type { ReduceOp } from './backend.js';
import { sameBackend } from './device.js';
import { isFloat, type DType, type Shape } from './dtype.js';
import type { NDArray } from './ndarray.js';
import { formatShape, normalizeAxes, normalizeDim, sizeOf } from './shape.js';
import { where } from './elementwise.js';

/** Drops the reduced (size-1) axes of a keepdim result. */
function dropAxes(x: NDArray, axes: readonly number[]): NDArray {
  return x.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * `sum`/`max`/`min` over `axis` (all axes when omitted). Sums of integers and bools are int32,
 * max/min keep the dtype. max/min of an empty axis is an error, as PyTorch.
 *
 * @example
 * reduce('sum', array([[1, 2], [3, 4]]), 1, false).toArray(); // [3, 7]
 */
export function reduce(op: ReduceOp, x: NDArray, axis: number | readonly number[] | undefined, keepdim: boolean): NDArray {
  const axes = normalizeAxes(axis, x.ndim);
  if (op !== 'sum') {
    for (const a of axes) {
      if (x.shape[a] === 0) {
        throw new Error(`${op}: cannot reduce over dim ${a} of size 0 (shape ${formatShape(x.shape)}): the operation has no identity`);
      }
    }
  }
  const dtype: DType = op === 'sum' && !isFloat(x.dtype) ? 'int32' : x.dtype;
  const out = sameBackend(op, [x]).reduce(op, x, axes, dtype);
  return keepdim ? out : dropAxes(out, axes);
}

/**
 * Mean over `axis`; only for float arrays (as PyTorch: cast integers first).
 *
 * @example
 * mean(array([[1, 2], [3, 4]]), 0, false).toArray(); // [2, 3]
 */
export function mean(x: NDArray, axis: number | readonly number[] | undefined, keepdim: boolean): NDArray {
  if (!isFloat(x.dtype)) {
    throw new TypeError(`mean: dtype mismatch: input must be float32 or float64, got ${x.dtype} (use astype('float32'))`);
  }
  const axes = normalizeAxes(axis, x.ndim);
  const count = sizeOf(axes.map((a) => x.shape[a]));
  return reduce('sum', x, axes, keepdim).div(count);
}

/**
 * `log(sum(exp(x)))` over `axis`, stably: `m + log(sum(exp(x - m)))` with `m` the maximum
 * (taken as 0 where it is infinite, so all -inf gives -inf and +inf gives +inf).
 *
 * @example
 * logsumexp(array([0, 0]), undefined, false).item(); // 0.6931...
 */
export function logsumexp(x: NDArray, axis: number | readonly number[] | undefined, keepdim: boolean): NDArray {
  const src = isFloat(x.dtype) ? x : x.astype('float32');
  const axes = normalizeAxes(axis, x.ndim);
  if (src.size === 0) return reduce('sum', src, axes, keepdim).log();
  const m = reduce('max', src, axes, true);
  const shift = where(m.abs().eq(Infinity), 0, m);
  const out = src.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepdim ? out : dropAxes(out, axes);
}

/**
 * Max or min with indices along `axis`; when `axis` is omitted, of the flattened array
 * (then `keepdim` keeps every dim as size 1).
 *
 * @example
 * argReduce('max', array([3, 9, 9]), undefined, false).indices.item(); // 1
 */
export function argReduce(
  op: 'max' | 'min',
  x: NDArray,
  axis: number | undefined,
  keepdim: boolean,
): { values: NDArray; indices: NDArray } {
  const name = op === 'max' ? 'argmax' : 'argmin';
  if (axis === undefined) {
    if (x.size === 0) throw new Error(`${name}: expected a non-empty array, got shape ${formatShape(x.shape)}`);
    const r = sameBackend(`arg${op}`, [x]).argReduce(op, x.reshape([-1]), 0);
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return { values: r.values.reshape(shape), indices: r.indices.reshape(shape) };
  }
  if (x.ndim === 0) {
    normalizeDim(axis, 0);
    return argReduce(op, x, undefined, keepdim);
  }
  const d = normalizeDim(axis, x.ndim);
  if (x.shape[d] === 0) {
    throw new Error(`${name}: cannot reduce over dim ${d} of size 0 (shape ${formatShape(x.shape)})`);
  }
  const r = sameBackend(`arg${op}`, [x]).argReduce(op, x, d);
  return keepdim ? r : { values: dropAxes(r.values, [d]), indices: dropAxes(r.indices, [d]) };
}

/**
 * Sums `x` down to `shape`, which must broadcast to `x.shape`: the leading extra dims and
 * the dims where `shape` has 1 are summed. Returns `x` itself when the shapes already match.
 *
 * @example
 * sumTo(ones([2, 3]), [1, 3]).toArray(); // [[2, 2, 2]]
 */
export function sumTo(x: NDArray, shape: Shape): NDArray {
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  let ok = lead >= 0;
  for (let i = 0; ok && i < x.ndim; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && x.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== x.shape[i]) ok = false;
  }
  if (!ok) throw new Error(`sumTo: shape ${formatShape(shape)} does not broadcast to ${formatShape(x.shape)}`);
  if (axes.length === 0) return x.reshape(shape);
  return reduce('sum', x, axes, true).reshape(shape);
}
