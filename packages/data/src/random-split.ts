import { Generator, defaultGenerator } from '@tsgrad/ndarray';
import type { Dataset } from './dataset.js';
import { randomPermutation } from './permutation.js';
import { Subset } from './subset.js';

/**
 * Splits `dataset` into non-overlapping random subsets of the given lengths, as PyTorch's
 * `random_split`. `lengths` are counts summing to `dataset.length`, or fractions summing to 1
 * (each gets `floor(fraction * n)`, the remainder is dealt one by one from the first subset on).
 * The split is a pure function of the seed (or the generator's state).
 *
 * @example
 * ```ts
 * import { randomSplit, type Dataset } from '@tsgrad/data';
 * const ds: Dataset<number> = { length: 10, get: (i) => i };
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { seed: 42 });
 * [train.length, val.length]; // [8, 2]
 * ```
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  options: { seed?: number; generator?: Generator } = {},
): Subset<T>[] {
  const n = dataset.length;
  const counts = splitCounts(n, lengths);
  const generator = options.generator ?? (options.seed !== undefined ? new Generator(options.seed) : defaultGenerator());
  const order = randomPermutation(n, generator);
  const subsets: Subset<T>[] = [];
  let start = 0;
  for (const count of counts) {
    subsets.push(new Subset(dataset, order.subarray(start, start + count)));
    start += count;
  }
  return subsets;
}

/**
 * Turns `lengths` (counts, or fractions summing to 1) into counts summing to `n`, as `randomSplit` does.
 *
 * @example
 * ```ts
 * import { splitCounts } from '@tsgrad/data';
 * splitCounts(10, [0.33, 0.33, 0.34]); // [4, 3, 3]
 * ```
 */
export function splitCounts(n: number, lengths: readonly number[]): number[] {
  if (lengths.some((l) => !(l >= 0) || !Number.isFinite(l))) {
    throw new Error(`randomSplit: lengths must be non-negative finite numbers, got [${lengths.join(', ')}]`);
  }
  const total = lengths.reduce((s, l) => s + l, 0);
  // As PyTorch: lengths summing to 1 (within rounding) are fractions.
  if (Math.abs(total - 1) <= 1e-9) {
    const counts = lengths.map((f) => Math.floor(f * n));
    let remainder = n - counts.reduce((s, c) => s + c, 0);
    for (let i = 0; remainder > 0; i = (i + 1) % counts.length, remainder--) counts[i] += 1;
    return counts;
  }
  if (lengths.some((l) => !Number.isInteger(l)) || total !== n) {
    throw new Error(
      `randomSplit: sum of input lengths (${total}) does not equal the length of the input dataset (${n})`,
    );
  }
  return [...lengths];
}
