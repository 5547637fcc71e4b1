/**
 * Variance and standard deviation over axes, with Bessel's correction (PyTorch's `var`, `std`):
 * var = Σ(x - x̄)² / max(0, n - correction), std = √var.
 *
 * Backward: d var/dx = 2(x - x̄) / (n - correction) (the x̄ term sums to zero over the axes),
 * and std's is var's times 1/(2 std), taken as 0 where std is 0 (as PyTorch: a constant input
 * gets a zero gradient, not 0·∞).
 */
import { isFloat, where as whereArray, type NDArray } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { describeValue } from '../describe-value.js';
import { normalizeAxes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { keptShape } from './reduce.js';

/** Options of `var` and `std`, as PyTorch's. */
export interface VarianceOptions {
  /** Subtracted from the count in the divisor (default 1: the unbiased estimate). */
  correction?: number;
  /** PyTorch's older flag: `true` is correction 1, `false` correction 0. */
  unbiased?: boolean;
  /** Keep the reduced axes as size 1 (default false). */
  keepdim?: boolean;
}

/** The divisor of a variance over `axes`: the count minus the correction, never below 0. */
function divisor(x: NDArray, axes: readonly number[], correction: number): number {
  const count = x.ndim === 0 ? 1 : axes.reduce((n, a) => n * x.shape[a], 1);
  return Math.max(0, count - correction);
}

/** The variance's derivative, d var/dx = 2(x - x̄)/divisor, times the gradient `gv` of var. */
function varianceBackward(gv: NDArray, x: NDArray, axes: readonly number[], correction: number): NDArray {
  const centered = x.sub(x.mean(axes, true));
  return gv.reshape(keptShape(x.shape, axes)).mul(centered).mul(2 / divisor(x, axes, correction));
}

function varianceOf(x: NDArray, axes: readonly number[], correction: number, keepdim: boolean): NDArray {
  const centered = x.sub(x.mean(axes, true));
  return centered.square().sum(axes, keepdim).div(divisor(x, axes, correction));
}

/** Variance over `axes` (already normalized). */
export const varOp = defineOp({
  name: 'var',
  forward: ([x], axes: readonly number[], correction: number, keepdim: boolean) => varianceOf(x, axes, correction, keepdim),
  backward: (g, { inputs: [x], params: [axes, correction] }) => [varianceBackward(g, x, axes, correction)],
});

/** Standard deviation over `axes` (already normalized). */
export const stdOp = defineOp({
  name: 'std',
  forward: ([x], axes: readonly number[], correction: number, keepdim: boolean) =>
    varianceOf(x, axes, correction, keepdim).sqrt(),
  backward: (g, { inputs: [x], out, params: [axes, correction] }) => [
    varianceBackward(whereArray(out.eq(0), 0, g.div(out.mul(2))), x, axes, correction),
  ],
});

/**
 * The variance (`'var'`) or standard deviation (`'std'`) of `x` over `axis` (all axes when
 * omitted), with correction 1 unless `opts` says otherwise; n - correction of 0 or less gives
 * NaN or Infinity, as PyTorch. `Tensor.var` and `Tensor.std` call this.
 *
 * @example
 * const x = tensor([[1, 2], [3, 5]]);
 * spread('var', x).item();                                 // 2.9166...
 * spread('std', x, 1, { correction: 0 }).toArray();        // [0.5, 1]
 */
export function spread(kind: 'var' | 'std', x: Tensor, axis?: number | readonly number[], opts: VarianceOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${kind}: input must be a Tensor, got ${describeValue(x)}`);
  if (!isFloat(x.dtype)) throw new TypeError(`${kind}: std and var only support floating point and complex dtypes, got ${x.dtype}`);
  const { correction, unbiased, keepdim = false } = opts;
  if (correction !== undefined && unbiased !== undefined) {
    throw new TypeError(`${kind}: pass correction or unbiased, not both (got correction ${correction}, unbiased ${unbiased})`);
  }
  if (correction !== undefined && !(Number.isFinite(correction) && correction >= 0)) {
    throw new RangeError(`${kind}: correction must be a finite number >= 0, got ${correction}`);
  }
  const axes = normalizeAxes(axis, x.ndim);
  const c = correction ?? (unbiased === false ? 0 : 1);
  return (kind === 'var' ? varOp : stdOp)([x], axes, c, keepdim);
}
