/**
 * Ops built from other ops. They need no backward of their own: the engine differentiates
 * the primitives they are made of.
 */
import type { Tensor } from './tensor.js';
import { normalizeAxes } from './shape.js';

/**
 * The mean over `axis` (all axes when omitted): a sum divided by the number of elements summed.
 *
 * @example
 * mean(tensor([[1, 2], [3, 4]]), 1).toArray(); // [1.5, 3.5]
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepdim = false): Tensor {
  // A 0-d tensor's one element counts once (its dim 0 is the element itself, as PyTorch).
  const count = x.ndim === 0 ? 1 : normalizeAxes(axis, x.ndim).reduce((n, d) => n * x.shape[d], 1);
  return x.sum(axis, keepdim).div(count);
}

/**
 * softmax along `dim`: exp(x - max) / Σ exp(x - max). Subtracting the max keeps exp from
 * overflowing; it is detached because softmax does not change when a constant is subtracted.
 *
 * @example
 * softmax(tensor([0, Math.log(3)]), 0).toArray(); // [0.25, 0.75]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  const e = x.sub(x.detach().max(dim, true)).exp();
  return e.div(e.sum(dim, true));
}
