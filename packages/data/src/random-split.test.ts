import { describe, expect, it } from 'vitest';
import { Generator, randperm } from '@tsgrad/ndarray';
import type { Dataset } from './dataset.js';
import { randomSplit, splitCounts } from './random-split.js';
import { Subset } from './subset.js';
import { randomPermutation } from './permutation.js';

const identity = (n: number): Dataset<number> => ({ length: n, get: (i) => i });

describe('randomPermutation', () => {
  it('is a permutation, fixed by the generator state', () => {
    const p = randomPermutation(1000, new Generator(7));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(randomPermutation(1000, new Generator(7))).toEqual(p);
    expect(randomPermutation(1000, new Generator(8))).not.toEqual(p);
    expect(Array.from(p)).toEqual(randperm(1000, { generator: new Generator(7) }).toArray());
  });

  it('draws each of the 6 orders of 3 items about equally often', () => {
    const g = new Generator(0);
    const counts = new Map<string, number>();
    const draws = 6000;
    for (let k = 0; k < draws; k++) {
      const key = randomPermutation(3, g).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Each count is Binomial(6000, 1/6): mean 1000, sd 28.9; 5 sd is 144.
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(145);
  });
});

describe('Subset', () => {
  it('maps indices and keeps the getBatch fast path', () => {
    const base: Dataset<number> = { length: 10, get: (i) => i * 10, getBatch: () => { throw new Error('unused'); } };
    const s = new Subset(base, [4, 2, 9]);
    expect(s.length).toBe(3);
    expect([s.get(0), s.get(1), s.get(2)]).toEqual([40, 20, 90]);
    expect(typeof s.getBatch).toBe('function');
    expect(new Subset(identity(10), [1]).getBatch).toBeUndefined();
    expect(() => new Subset(base, [10])).toThrow('Subset: index 10 is out of range for a dataset of length 10');
  });
});

describe('randomSplit', () => {
  it('splits into disjoint subsets that cover the dataset, fixed by the seed', () => {
    const [a, b, c] = randomSplit(identity(100), [50, 30, 20], { seed: 1 });
    expect([a.length, b.length, c.length]).toEqual([50, 30, 20]);
    const all = [...a.indices, ...b.indices, ...c.indices].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const again = randomSplit(identity(100), [50, 30, 20], { seed: 1 });
    expect(again[0].indices).toEqual(a.indices);
    expect(randomSplit(identity(100), [50, 30, 20], { seed: 2 })[0].indices).not.toEqual(a.indices);
  });

  it('accepts fractions, dealing the remainder from the first subset on (as PyTorch)', () => {
    expect(splitCounts(10, [0.33, 0.33, 0.34])).toEqual([4, 3, 3]);
    expect(splitCounts(60000, [0.9, 0.1])).toEqual([54000, 6000]);
    expect(splitCounts(7, [0.1, 0.2, 0.7])).toEqual([1, 2, 4]); // floors 0, 1, 4 (7 * 0.7 < 4.9), then +1, +1
  });

  it('rejects lengths that do not add up', () => {
    expect(() => randomSplit(identity(10), [5, 4])).toThrow(
      'randomSplit: sum of input lengths (9) does not equal the length of the input dataset (10)',
    );
  });
});
