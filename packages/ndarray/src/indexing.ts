/**
 * Indexing at the array level: argument checks with PyTorch's messages, then the backend.
 */
import { sameBackend } from './device.js';
import type { NDArray } from './ndarray.js';
import { formatShape, normalizeDim } from './shape.js';

/**
 * Throws unless `index` is int32. Its values are checked by the backend's kernel as it reads
 * them (an `IndexOutOfRangeError`), so no host read happens here.
 */
function checkIndex(op: string, index: NDArray): void {
  if (index.dtype !== 'int32') {
    throw new TypeError(`${op}: dtype mismatch: index must be int32, got ${index.dtype}`);
  }
}

/**
 * `out[i][j] = x[index[i][j]][j]` along `dim` (and likewise in any rank); the result has
 * `index`'s shape, which may not exceed `x`'s in the other dims.
 *
 * @example
 * gather(array([[1, 2], [3, 4]]), 1, array([[0, 0], [1, 0]], { dtype: 'int32' })).toArray(); // [[1, 1], [4, 3]]
 */
export function gather(x: NDArray, dim: number, index: NDArray): NDArray {
  const d = normalizeDim(dim, x.ndim);
  checkSameRank('gather', x, index);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) {
      throw new Error(
        `gather: size of index ${formatShape(index.shape)} does not match input ${formatShape(x.shape)} at dim ${i} (expected <= ${x.shape[i]})`,
      );
    }
  }
  checkIndex('gather', index);
  return sameBackend('gather', [x, index]).gather(x, d, index);
}

/**
 * A copy of `x` with `src[p]` added at `p` with `p[dim]` replaced by `index[p]`, for every
 * position `p` of `index` (the backward of gather).
 *
 * @example
 * scatterAdd(zeros([2, 2]), 1, array([[1], [1]], { dtype: 'int32' }), ones([2, 1])).toArray(); // [[0, 1], [0, 1]]
 */
export function scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
  const d = normalizeDim(dim, x.ndim);
  checkSameRank('scatterAdd', x, index);
  checkSameRank('scatterAdd', src, index);
  if (src.dtype !== x.dtype) {
    throw new TypeError(`scatterAdd: dtype mismatch: src is ${src.dtype}, self is ${x.dtype}`);
  }
  for (let i = 0; i < x.ndim; i++) {
    if ((i !== d && index.shape[i] > x.shape[i]) || index.shape[i] > src.shape[i]) {
      throw new Error(
        `scatterAdd: index ${formatShape(index.shape)} is larger than self ${formatShape(x.shape)} or src ${formatShape(src.shape)} at dim ${i}`,
      );
    }
  }
  checkIndex('scatterAdd', index);
  return sameBackend('scatterAdd', [x, index, src]).scatterAdd(x, d, index, src);
}

/**
 * The entries `index` (a 1-d or 0-d int32 array) of `x` along `dim`.
 *
 * @example
 * indexSelect(array([[1, 2], [3, 4]]), 0, array([1, 1], { dtype: 'int32' })).toArray(); // [[3, 4], [3, 4]]
 */
export function indexSelect(x: NDArray, dim: number, index: NDArray): NDArray {
  const d = normalizeDim(dim, x.ndim);
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 1-d, got shape ${formatShape(index.shape)}`);
  if (x.ndim === 0) throw new Error('indexSelect: cannot index a 0-d array');
  checkIndex('indexSelect', index);
  return sameBackend('indexSelect', [x, index]).indexSelect(x, d, index);
}

/**
 * Constant padding with PyTorch `F.pad` ordering: `pads` holds `[before, after]` pairs starting
 * from the last dim (`[left, right, top, bottom, ...]`); negative amounts crop.
 *
 * @example
 * pad(ones([1, 2]), [1, 0, 0, 1], 0).toArray(); // [[0, 1, 1], [0, 0, 0]]
 */
export function pad(x: NDArray, pads: readonly number[], value = 0): NDArray {
  if (pads.length % 2 !== 0) throw new Error(`pad: padding length must be even, got ${pads.length} ([${pads.join(',')}])`);
  if (pads.length / 2 > x.ndim) {
    throw new Error(`pad: padding [${pads.join(',')}] covers ${pads.length / 2} dims but the array has ${x.ndim}`);
  }
  const perDim: [number, number][] = x.shape.map(() => [0, 0]);
  for (let i = 0; i < pads.length / 2; i++) {
    const before = pads[2 * i];
    const after = pads[2 * i + 1];
    if (!Number.isInteger(before) || !Number.isInteger(after)) throw new Error(`pad: amounts must be integers, got [${pads.join(',')}]`);
    perDim[x.ndim - 1 - i] = [before, after];
  }
  for (let d = 0; d < x.ndim; d++) {
    const size = x.shape[d] + perDim[d][0] + perDim[d][1];
    if (size < 0) {
      throw new Error(`pad: padding [${perDim[d].join(',')}] of dim ${d} (size ${x.shape[d]}) gives a negative size ${size}`);
    }
  }
  return sameBackend('pad', [x]).pad(x, perDim, value);
}

function checkSameRank(op: string, x: NDArray, index: NDArray): void {
  if (index.ndim !== x.ndim) {
    throw new Error(`${op}: index ${formatShape(index.shape)} must have as many dims as the input ${formatShape(x.shape)}`);
  }
}
