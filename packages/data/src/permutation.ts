import type { Generator } from '@tsgrad/ndarray';

/**
 * A uniformly random permutation of `0..n-1` (Fisher–Yates), drawn from `generator`:
 * the same generator state always gives the same permutation.
 *
 * @example
 * ```ts
 * import { Generator } from '@tsgrad/ndarray';
 * import { randomPermutation } from '@tsgrad/data';
 * randomPermutation(5, new Generator(0)); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function randomPermutation(n: number, generator: Generator): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.nextInt(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
