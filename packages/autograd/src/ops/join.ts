/**
 * Joining tensors: `cat` along an existing dim and `stack` along a new one. The backward of a
 * join is a split: each input gets back the slice of the gradient where its values went.
 */
import { cat as catArrays } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { describeValue } from '../describe-value.js';
import { formatShape, normalizeDim, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Joins the inputs along `dim`; each input's gradient is its own narrow slice of `g`. */
export const catOp = defineOp({
  name: 'cat',
  forward: (xs, dim: number) => catArrays(xs, dim),
  backward: (g, { inputs, params: [dim], needs }) => {
    const d = normalizeDim(dim, g.ndim);
    let start = 0;
    return inputs.map((x, i) => {
      const piece = needs[i] ? g.narrow(d, start, x.shape[d]) : null;
      start += x.shape[d];
      return piece;
    });
  },
});

function checkList(name: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${name}: expected an array of Tensors, got ${describeValue(tensors)}`);
  if (tensors.length === 0) throw new Error(`${name}: expected a non-empty list of Tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${name}: entry ${i} must be a Tensor, got ${describeValue(t)}`);
  });
}

/**
 * Joins tensors along `dim` (as `torch.cat`); they must agree in every other dim. Differentiable
 * in every input.
 *
 * @example
 * const a = tensor([[1, 2]], { requiresGrad: true });
 * cat([a, tensor([[3, 4], [5, 6]])]).toArray(); // [[1, 2], [3, 4], [5, 6]]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('cat', tensors);
  return catOp(tensors, dim);
}

/**
 * Joins tensors of one shape along a new dim `dim` (as `torch.stack`; `-1` is the new last dim).
 *
 * @example
 * stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(); // [[1, 3], [2, 4]]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('stack', tensors);
  const shape = tensors[0].shape;
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, shape)) {
      throw new Error(`stack expects each tensor to be equal size, but got ${formatShape(shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, shape.length + 1);
  return catOp(tensors.map((t) => t.unsqueeze(d)), d);
}
