/**
 * Clamping: every element of x held inside [min, max] (PyTorch's `clamp`, alias `clip`).
 *
 * The derivative does not exist on a bound; PyTorch takes 1 there (the element passes, so a
 * value sitting on the bound still learns), and gives the bound's gradient only to elements
 * strictly outside it. With min > max every element is max, which then takes every gradient.
 */
import { where as whereArray, type NDArray } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { describeValue } from '../describe-value.js';
import { scalarFor, Tensor } from '../tensor.js';

/** Which bounds a clamp has; its inputs are x, then those bounds in this order. */
type Bounds = 'min' | 'max' | 'both';

/** a && b for bool masks: b where a holds, else a (false). */
function both(a: NDArray, b: NDArray): NDArray {
  return whereArray(a, b, a);
}

/** a || b for bool masks: a where a holds (true), else b. */
function either(a: NDArray, b: NDArray): NDArray {
  return whereArray(a, a, b);
}

/** min(max(x, lo), hi) (inputs: x, then lo and/or hi as `bounds` says). */
export const clampOp = defineOp({
  name: 'clamp',
  forward: ([x, a, b], bounds: Bounds) =>
    bounds === 'min' ? x.maximum(a) : bounds === 'max' ? x.minimum(a) : x.maximum(a).minimum(b),
  backward: (g, { inputs: [x, a, b], params: [bounds], needs }) => {
    const pass = (mask: NDArray): NDArray => whereArray(mask, g, 0);
    // NaN fails every comparison, so a NaN element passes no gradient anywhere.
    if (bounds === 'min') return [needs[0] ? pass(x.ge(a)) : null, needs[1] ? pass(x.lt(a)) : null];
    if (bounds === 'max') return [needs[0] ? pass(x.le(a)) : null, needs[1] ? pass(x.gt(a)) : null];
    return [
      needs[0] ? pass(both(x.ge(a), x.le(b))) : null,
      needs[1] ? pass(both(x.lt(a), a.lt(b))) : null, // lo: the elements below it, unless lo > hi
      needs[2] ? pass(either(x.gt(b), b.lt(a))) : null, // hi: those above it, and all when hi < lo
    ];
  },
});

/**
 * x with every element held inside [min, max]; either bound may be left out (`null` or
 * `undefined`), and each may be a number or a tensor that broadcasts against x. On a bound the
 * gradient passes to x, as PyTorch. `Tensor.clamp` and `Tensor.clip` call this.
 *
 * @example
 * const x = tensor([-2, 0.5, 3], { requiresGrad: true });
 * clamp(x, -1, 1).toArray(); // [-1, 0.5, 1]
 * clamp(x, 0).toArray();     // [0, 0.5, 3]
 */
export function clamp(x: Tensor, min?: Tensor | number | null, max?: Tensor | number | null): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`clamp: input must be a Tensor, got ${describeValue(x)}`);
  const bound = (name: string, v: Tensor | number | null | undefined): Tensor | null => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return scalarFor(x, v);
    if (v instanceof Tensor) return v;
    throw new TypeError(`clamp: ${name} must be a number or a Tensor, got ${describeValue(v)}`);
  };
  const lo = bound('min', min);
  const hi = bound('max', max);
  if (lo !== null && hi !== null) return clampOp([x, lo, hi], 'both');
  if (lo !== null) return clampOp([x, lo], 'min');
  if (hi !== null) return clampOp([x, hi], 'max');
  throw new Error("clamp: At least one of 'min' or 'max' must not be None");
}
