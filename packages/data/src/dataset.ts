import type { NDArray } from '@tsgrad/ndarray';

/**
 * A batch as the default collate builds it from samples of type `T`: a number or an array
 * becomes one stacked `NDArray`, a tuple becomes a tuple of stacked arrays (field by field).
 */
export type Collated<T> = T extends NDArray | number
  ? NDArray
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Collated<T[K]> }
    : never;

/**
 * A map-style dataset: a length and random access by index, as PyTorch's `Dataset`.
 *
 * `getBatch` is an optional fast path: given the indices of one batch it returns exactly what
 * `defaultCollate(indices.map(i => get(i)))` would, but written straight into one typed array per
 * field, without building a sample object per index. `DataLoader` uses it when present.
 *
 * @example
 * ```ts
 * import type { Dataset } from '@tsgrad/data';
 * const squares: Dataset<number> = { length: 4, get: (i) => i * i };
 * squares.get(3); // 9
 * ```
 */
export interface Dataset<T> {
  readonly length: number;
  /** The sample at `index` (0 <= index < length). */
  get(index: number): T;
  /** Optional fast path: the batch that collating `get` of each index would give, built directly. */
  getBatch?(indices: Int32Array): Collated<T>;
}

/** Throws a RangeError unless `index` is an integer in `[0, length)`; names the dataset. */
export function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what}: index ${index} is out of range for a dataset of length ${length}`);
  }
}
