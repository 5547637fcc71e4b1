import { array, type NDArray } from '@tsgrad/ndarray';
import { checkIndex, type Dataset } from './dataset.js';

/**
 * A dataset of arrays that share their first dimension: sample `i` is the tuple of row `i` of each
 * array (views, no copy), as PyTorch's `TensorDataset`. Batches are gathered with one
 * `indexSelect` per array.
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { TensorDataset } from '@tsgrad/data';
 * const ds = new TensorDataset(array([[1, 2], [3, 4], [5, 6]]), array([0, 1, 0], { dtype: 'int32' }));
 * ds.length;           // 3
 * ds.get(1)[0].toArray(); // [3, 4]
 * ```
 */
export class TensorDataset implements Dataset<NDArray[]> {
  readonly arrays: readonly NDArray[];
  readonly length: number;

  constructor(...arrays: NDArray[]) {
    if (arrays.length === 0) throw new Error('TensorDataset: needs at least one array');
    for (const [k, a] of arrays.entries()) {
      if (a.ndim === 0) throw new Error(`TensorDataset: array ${k} is 0-d; every array needs a first dimension`);
    }
    const rows = arrays.map((a) => a.shape[0]);
    const mismatch = rows.findIndex((r) => r !== rows[0]);
    if (mismatch > 0) {
      throw new Error(
        `TensorDataset: size mismatch between arrays: array 0 has ${rows[0]} rows, array ${mismatch} has ${rows[mismatch]}`,
      );
    }
    this.arrays = arrays;
    this.length = rows[0];
  }

  /** Row `index` of every array (views, no copy). */
  get(index: number): NDArray[] {
    checkIndex(index, this.length, 'TensorDataset');
    return this.arrays.map((a) => a.narrow(0, index, 1).reshape(a.shape.slice(1)));
  }

  /** The rows `indices` of every array, each gathered into one new array. */
  getBatch(indices: Int32Array): NDArray[] {
    const index = array(indices, { shape: [indices.length], dtype: 'int32' });
    return this.arrays.map((a) => a.indexSelect(0, index));
  }
}
