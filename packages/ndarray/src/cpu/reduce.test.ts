import { describe, expect, it } from 'vitest';
import { array, randn } from '../creation.js';
import type { NDArray } from '../ndarray.js';
import { Generator } from '../random.js';
import { keptShape, reduce, reduceNaive } from './reduce.js';

// The fast sum adds four interleaved partial sums in float64; the naive one adds in order.
// Both round once to the output dtype, so they agree to float64 rounding (1e-12 relative).
function checkSum(x: NDArray, axes: number[]): void {
  const size = keptShape(x.shape, axes).reduce((p, d) => p * d, 1);
  const fast = new Float64Array(size);
  const naive = new Float64Array(size);
  reduce('sum', x, axes, fast);
  reduceNaive('sum', x, axes, naive);
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(naive[i])) expect(fast[i]).toBe(naive[i]);
    else expect(Math.abs(fast[i] - naive[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(naive[i])));
  }
}

const g = new Generator(11);

describe('sum against the naive kernel', () => {
  it('a bias gradient: [N,C,H,W] to [C,1,1], rows of every length mod 4', () => {
    for (const hw of [[5, 5], [2, 3], [1, 1], [3, 1], [26, 26]]) {
      checkSum(randn([3, 4, hw[0], hw[1]], { generator: g, dtype: 'float64' }), [0, 2, 3]);
    }
  });

  it('all axes of a contiguous array, a permuted view and a strided slice', () => {
    const x = randn([7, 5, 3], { generator: g, dtype: 'float64' });
    checkSum(x, [0, 1, 2]);
    checkSum(x.permute([2, 0, 1]), [1, 2]);
    checkSum(x.slice(0, 1, 7, 2), [0, 1]);
    checkSum(randn([1003], { generator: g }), [0]);
  });

  it('infinities and NaN propagate as in an in-order sum', () => {
    checkSum(array([[1, Infinity, 2, 3, 4], [Infinity, 1, -Infinity, 0, 0], [NaN, 1, 2, 3, 4]]), [1]);
  });

  it('gives the exact sums of small integers', () => {
    const out = new Float32Array(2);
    reduce('sum', array([[1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14]]).transpose(0, 1).contiguous().transpose(0, 1), [1], out);
    expect(Array.from(out)).toEqual([28, 77]);
  });
});
