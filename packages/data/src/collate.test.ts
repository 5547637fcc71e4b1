import { describe, expect, it } from 'vitest';
import { array } from '@tsgrad/ndarray';
import { defaultCollate } from './collate.js';

describe('defaultCollate', () => {
  it('stacks tuples field by field into one array per field', () => {
    const [x, y] = defaultCollate([
      [array([[1, 2]]), 3],
      [array([[4, 5]]), 6],
    ]);
    expect(x.shape).toEqual([2, 1, 2]);
    expect(x.dtype).toBe('float32');
    expect(x.toArray()).toEqual([[[1, 2]], [[4, 5]]]);
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([3, 6]);
  });

  it('keeps non-integer numbers as float64, as PyTorch', () => {
    const v = defaultCollate([0.5, 1.25]);
    expect(v.dtype).toBe('float64');
    expect(v.toArray()).toEqual([0.5, 1.25]);
  });

  it('copies strided views correctly', () => {
    const m = array([[1, 2], [3, 4]]).transpose(0, 1); // [[1, 3], [2, 4]]
    expect(defaultCollate([m, m]).toArray()).toEqual([[[1, 3], [2, 4]], [[1, 3], [2, 4]]]);
  });

  it('names the sample whose shape differs', () => {
    expect(() => defaultCollate([array([1, 2]), array([1, 2, 3])])).toThrow(
      'defaultCollate: stack expects each sample to be equal size and dtype, but sample 0 is [2] float32 and sample 1 is [3] float32',
    );
    expect(() => defaultCollate([])).toThrow('cannot collate an empty list');
  });
});
