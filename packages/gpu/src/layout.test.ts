import { describe, expect, it } from 'vitest';
import { coalesce, slabs } from './layout.js';

describe('coalesce', () => {
  it('merges dims that are contiguous for every operand and drops size-1 dims', () => {
    expect(coalesce([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
    expect(coalesce([2, 1, 3], [[3, 99, 1], [0, 5, 0]])).toEqual({ shape: [6], strides: [[1], [0]] });
    // a broadcast operand (stride 0 in dim 0) keeps dim 0 apart
    expect(coalesce([2, 3, 4], [[12, 4, 1], [0, 4, 1]])).toEqual({ shape: [2, 12], strides: [[12, 1], [0, 1]] });
    // a transpose stays 2-d
    expect(coalesce([3, 2], [[1, 3]])).toEqual({ shape: [3, 2], strides: [[1, 3]] });
  });
});

describe('slabs', () => {
  it('one slab for up to three dims, grid x fastest, padded with size-1 dims', () => {
    const s = [...slabs([2, 3], [{ strides: [3, 1], offset: 5 }])];
    expect(s).toEqual([{ grid: [3, 2, 1], outStart: 0, lead: [], offsets: [5], strides: [[0, 3, 1]] }]);
  });

  it('dims above three become slabs, each with its offsets and output start', () => {
    const s = [...slabs([2, 2, 1, 1, 3], [{ strides: [100, 10, 0, 0, 1], offset: 1 }])];
    expect(s.map((x) => [x.lead, x.offsets[0], x.outStart])).toEqual([[[0, 0], 1, 0], [[0, 1], 11, 3], [[1, 0], 101, 6], [[1, 1], 111, 9]]);
    expect(s[0].grid).toEqual([3, 1, 1]);
  });
});
