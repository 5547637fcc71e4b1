import { describe, expect, it } from 'vitest';
import { arange, array, cat, ones, stack, zeros } from './index.js';

describe('cat', () => {
  it('joins along dim 0 and along a negative dim', () => {
    const a = arange(6).reshape([2, 3]);
    const b = arange(6, 9).reshape([1, 3]);
    expect(cat([a, b]).toArray()).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    expect(cat([a, a.neg()], -1).toArray()).toEqual([[0, 1, 2, 0, -1, -2], [3, 4, 5, -3, -4, -5]]);
  });

  it('reads non-contiguous and expanded inputs and returns a new contiguous array', () => {
    const t = arange(6).reshape([2, 3]).transpose(0, 1); // [[0, 3], [1, 4], [2, 5]]
    const e = array([[7], [8], [9]]).expand([3, 2]);
    const y = cat([t, e], 1);
    expect(y.isContiguous()).toBe(true);
    expect(y.toArray()).toEqual([[0, 3, 7, 7], [1, 4, 8, 8], [2, 5, 9, 9]]);
    expect(cat([t]).toArray()).toEqual(t.toArray()); // one input: a copy
  });

  it('accepts inputs of size 0 along the dim', () => {
    expect(cat([zeros([0, 2]), ones([1, 2]), zeros([0, 2])]).toArray()).toEqual([[1, 1]]);
    expect(cat([zeros([2, 0]), zeros([2, 0])], 1).shape).toEqual([2, 0]);
  });

  it('keeps a shared dtype and promotes a mixed one', () => {
    expect(cat([array([true]), array([false])]).dtype).toBe('bool');
    expect(cat([array([1], { dtype: 'int32' }), array([true])]).toArray()).toEqual([1, 1]);
    const y = cat([array([1.5], { dtype: 'float64' }), array([2], { dtype: 'int32' })]);
    expect([y.dtype, y.toArray()]).toEqual(['float64', [1.5, 2]]);
  });

  it('names the mismatch', () => {
    expect(() => cat([])).toThrow('cat: expected a non-empty list of arrays');
    expect(() => cat([zeros([2, 3]), zeros([2, 4])])).toThrow(
      'cat: sizes must match except in dim 0: expected size 3 but got size 4 in dim 1 of entry 1 (shapes [2,3] and [2,4])',
    );
    expect(() => cat([zeros([2, 3]), zeros([3])])).toThrow('cat: arrays must have the same number of dimensions: got 2 and 1 (entry 1)');
    expect(() => cat([zeros([2]), zeros([2])], 1)).toThrow('dim 1 out of range for a 1-d array (expected -1..0)');
    expect(() => cat([array(1), array(2)])).toThrow('cat: zero-dimensional arrays cannot be concatenated');
    // a plain-JavaScript caller passing a nested array
    expect(() => Reflect.apply(cat, undefined, [[zeros([2]), [1, 2]]])).toThrow('cat: entry 1 is not an NDArray (got 1,2)');
  });
});

describe('stack', () => {
  it('adds a new dim at the front, in the middle or at the end', () => {
    const a = array([[1, 2], [3, 4]]);
    const b = array([[5, 6], [7, 8]]);
    expect(stack([a, b]).toArray()).toEqual([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(stack([a, b], 1).toArray()).toEqual([[[1, 2], [5, 6]], [[3, 4], [7, 8]]]);
    expect(stack([a, b], -1).toArray()).toEqual([[[1, 5], [2, 6]], [[3, 7], [4, 8]]]);
  });

  it('stacks 0-d arrays into a vector', () => {
    expect(stack([array(1), array(2), array(3)]).toArray()).toEqual([1, 2, 3]);
  });

  it('names the mismatch', () => {
    expect(() => stack([zeros([2, 3]), zeros([3, 2])])).toThrow(
      'stack: expects each array to be equal size, but got [2,3] at entry 0 and [3,2] at entry 1',
    );
    expect(() => stack([zeros([2]), zeros([2])], 2)).toThrow('dim 2 out of range for a 2-d array (expected -2..1)');
    expect(() => stack([])).toThrow('stack: expected a non-empty list of arrays');
  });
});
