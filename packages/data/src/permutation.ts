import { randperm, type Generator } from '@tsgrad/ndarray';

/**
 * A uniformly random permutation of `0..n-1` drawn from `generator`, as the flat `Int32Array`
 * of indices that loaders and splits slice: ndarray's `randperm` (Fisher–Yates), so the same
 * generator state always gives the same permutation.
 *
 * @example
 * ```ts
 * import { Generator } from '@tsgrad/ndarray';
 * import { randomPermutation } from '@tsgrad/data';
 * randomPermutation(5, new Generator(0)); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function randomPermutation(n: number, generator: Generator): Int32Array {
  return Int32Array.from(randperm(n, { generator }).toTypedArray());
}
