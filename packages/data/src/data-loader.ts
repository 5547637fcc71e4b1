import { Generator, defaultGenerator } from '@tsgrad/ndarray';
import { defaultCollate } from './collate.js';
import type { Collated, Dataset } from './dataset.js';
import { randomPermutation } from './permutation.js';

/** Options of `DataLoader`; the defaults are PyTorch's. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a new random order every epoch (default false: dataset order). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Seed of the loader's own generator; without it a shuffling loader draws one from the default generator. */
  seed?: number;
  /** Use this generator instead (its state advances as epochs are drawn). */
  generator?: Generator;
  /** Builds a batch from samples; default: the dataset's `getBatch` fast path, else `defaultCollate`. */
  collate?: (items: T[]) => B;
}

/**
 * Iterates over a dataset in batches, as PyTorch's `DataLoader` (single process).
 *
 * Each `for ... of` is one epoch. With `shuffle`, the epoch's order is a random permutation drawn
 * from `loader.generator` when the iteration starts, so it is a pure function of the generator's
 * state: save `loader.generator.getState()` before an epoch and `setState` it later to replay that
 * epoch exactly (a new loader with the same `seed` replays epoch 0, 1, 2, ... in the same orders).
 *
 * @example
 * ```ts
 * import { arange } from '@tsgrad/ndarray';
 * import { DataLoader, TensorDataset } from '@tsgrad/data';
 * const ds = new TensorDataset(arange(0, 10).reshape([10, 1]), arange(0, 10));
 * const loader = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 0 });
 * loader.length; // 3 batches: 4, 4 and 2 samples
 * for (const [x, y] of loader) console.log(x.shape, y.toArray());
 * ```
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The generator that draws each epoch's order; `getState`/`setState` it to checkpoint. */
  readonly generator: Generator;
  private readonly fetch: (indices: Int32Array) => B;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    checkDataset(dataset);
    const { batchSize = 1, shuffle = false, dropLast = false } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(`DataLoader: batchSize should be a positive integer value, but got batchSize=${batchSize}`);
    }
    if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0)) {
      throw new Error(`DataLoader: seed must be a non-negative safe integer, but got seed=${options.seed}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    // Only a shuffling loader without a seed draws one from the default generator, so a plain
    // loader never shifts the default generator's stream (e.g. the next layer's initial weights).
    const seed = options.seed ?? (shuffle && !options.generator ? defaultGenerator().nextInt(2 ** 31 - 1) : 0);
    this.generator = options.generator ?? new Generator(seed);
    this.fetch = batchFetcher(dataset, options.collate);
  }

  /** The number of batches per epoch (`ceil(n / batchSize)`, or `floor` with `dropLast`). */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** This epoch's sample order: a fresh permutation with `shuffle`, else `0..n-1`. */
  epochOrder(): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return randomPermutation(n, this.generator);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }

  /** One epoch: draws the order (shuffled or not), then yields each collated batch. */
  *[Symbol.iterator](): Iterator<B> {
    const order = this.epochOrder();
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      yield this.fetch(order.subarray(start, Math.min(start + this.batchSize, order.length)));
    }
  }
}

/** Throws a TypeError naming what was passed unless it has a Dataset's length and get(index). */
function checkDataset(dataset: unknown): void {
  let got: string | null;
  if (dataset === null || dataset === undefined) got = String(dataset);
  else if (Array.isArray(dataset)) got = `an array (${dataset.length} elements)`;
  else if (typeof dataset !== 'object') got = `${typeof dataset} ${String(dataset)}`;
  else if (!('get' in dataset) || typeof dataset.get !== 'function') got = 'an object without get(index)';
  else if (!('length' in dataset) || !Number.isInteger(dataset.length) || !(Number(dataset.length) >= 0)) {
    got = `an object whose length is ${'length' in dataset ? String(dataset.length) : 'missing'}`;
  } else got = null;
  if (got !== null) {
    const hint = Array.isArray(dataset) ? '; for arrays, new TensorDataset(...)' : '';
    throw new TypeError(`DataLoader: dataset must be a Dataset, got ${got} (a Dataset needs a length (a non-negative integer) and get(index)${hint})`);
  }
}

/**
 * How the loader turns a batch's indices into a batch: `collate` over the samples when given,
 * else the dataset's `getBatch` fast path, else `defaultCollate` over the samples. Without
 * `collate`, `B` is `Collated<T>` (the constructor's default), which both fallbacks return.
 */
function batchFetcher<T, B>(dataset: Dataset<T>, collate?: (items: T[]) => B): (indices: Int32Array) => B;
function batchFetcher<T>(dataset: Dataset<T>, collate?: (items: T[]) => unknown): (indices: Int32Array) => unknown {
  const samples = (indices: Int32Array): T[] => Array.from(indices, (i) => dataset.get(i));
  if (collate) return (indices) => collate(samples(indices));
  const getBatch = dataset.getBatch?.bind(dataset);
  if (getBatch) return getBatch;
  return (indices) => defaultCollate(samples(indices));
}
