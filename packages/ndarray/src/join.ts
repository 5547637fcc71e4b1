/**
 * Joining arrays: `cat` along an existing dim, `stack` along a new one (PyTorch's `torch.cat`
 * and `torch.stack`). The checks live here; the copy is the backend's `cat` kernel.
 */
import { sameBackend } from './device.js';
import { resultType, type DType } from './dtype.js';
import { NDArray } from './ndarray.js';
import { formatShape, normalizeDim } from './shape.js';

function checkList(name: string, xs: readonly NDArray[]): void {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error(`${name}: expected a non-empty list of arrays`);
  xs.forEach((x, i) => {
    if (!(x instanceof NDArray)) throw new TypeError(`${name}: entry ${i} is not an NDArray (got ${String(x)})`);
  });
}

/**
 * Joins `xs` along `dim`; they must agree in every other dim. The result dtype is the common
 * one (int32 and float32 give float32, as PyTorch promotes).
 *
 * @example
 * import { array, cat } from '@tsgrad/ndarray';
 * cat([array([[1, 2]]), array([[3, 4], [5, 6]])]).toArray(); // [[1, 2], [3, 4], [5, 6]]
 * cat([array([[1], [2]]), array([[3], [4]])], 1).toArray();  // [[1, 3], [2, 4]]
 */
export function cat(xs: readonly NDArray[], dim = 0): NDArray {
  checkList('cat', xs);
  const first = xs[0];
  if (first.ndim === 0) throw new Error('cat: zero-dimensional arrays cannot be concatenated (unsqueeze them, or use stack)');
  const d = normalizeDim(dim, first.ndim);
  let dtype: DType = first.dtype;
  xs.forEach((x, i) => {
    if (x.ndim !== first.ndim) {
      throw new Error(`cat: arrays must have the same number of dimensions: got ${first.ndim} and ${x.ndim} (entry ${i})`);
    }
    for (let k = 0; k < x.ndim; k++) {
      if (k !== d && x.shape[k] !== first.shape[k]) {
        throw new Error(
          `cat: sizes must match except in dim ${d}: expected size ${first.shape[k]} but got size ${x.shape[k]} in dim ${k} ` +
            `of entry ${i} (shapes ${formatShape(first.shape)} and ${formatShape(x.shape)})`,
        );
      }
    }
    if (x.dtype !== dtype) dtype = resultType(dtype, x.dtype);
  });
  return sameBackend('cat', xs).cat(xs, d, dtype);
}

/**
 * Joins `xs`, which must all have the same shape, along a new dim `dim` (`-1` is the new last dim).
 *
 * @example
 * import { array, stack } from '@tsgrad/ndarray';
 * stack([array([1, 2]), array([3, 4])]).toArray();     // [[1, 2], [3, 4]]
 * stack([array([1, 2]), array([3, 4])], -1).toArray(); // [[1, 3], [2, 4]]
 */
export function stack(xs: readonly NDArray[], dim = 0): NDArray {
  checkList('stack', xs);
  const shape = xs[0].shape;
  xs.forEach((x, i) => {
    if (x.ndim !== shape.length || x.shape.some((s, k) => s !== shape[k])) {
      throw new Error(`stack: expects each array to be equal size, but got ${formatShape(shape)} at entry 0 and ${formatShape(x.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, shape.length + 1);
  return cat(xs.map((x) => x.unsqueeze(d)), d);
}
