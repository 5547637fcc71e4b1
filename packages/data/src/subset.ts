import { checkIndex, type Collated, type Dataset } from './dataset.js';

/**
 * The samples of `dataset` at `indices`, in that order, as PyTorch's `Subset`. Keeps the base
 * dataset's `getBatch` fast path by mapping batch indices through `indices`.
 *
 * @example
 * ```ts
 * import { Subset, type Dataset } from '@tsgrad/data';
 * const tens: Dataset<number> = { length: 5, get: (i) => 10 * i };
 * const odd = new Subset(tens, [1, 3]);
 * odd.length; // 2
 * odd.get(1); // 30
 * ```
 */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: Int32Array;
  readonly getBatch?: (indices: Int32Array) => Collated<T>;

  constructor(dataset: Dataset<T>, indices: Int32Array | readonly number[]) {
    for (const i of indices) checkIndex(i, dataset.length, 'Subset');
    this.dataset = dataset;
    this.indices = Int32Array.from(indices);
    const baseBatch = dataset.getBatch?.bind(dataset);
    if (baseBatch) {
      this.getBatch = (batch) => {
        const mapped = new Int32Array(batch.length);
        for (let k = 0; k < batch.length; k++) {
          checkIndex(batch[k], this.indices.length, 'Subset');
          mapped[k] = this.indices[batch[k]];
        }
        return baseBatch(mapped);
      };
    }
  }

  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** The base dataset's sample at `indices[index]`. */
  get(index: number): T {
    checkIndex(index, this.indices.length, 'Subset');
    return this.dataset.get(this.indices[index]);
  }
}
