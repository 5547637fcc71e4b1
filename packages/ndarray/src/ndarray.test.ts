import { describe, expect, it } from 'vitest';
import { arange, array, ones, zeros } from './index.js';

describe('NDArray basics', () => {
  it('creates from nested arrays with inferred shape and dtype', () => {
    const a = array([[1, 2, 3], [4, 5, 6]]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.strides).toEqual([3, 1]);
    expect(a.dtype).toBe('float32');
    expect(array([true, false]).dtype).toBe('bool');
    expect(a.get(1, 2)).toBe(6);
  });

  it('views share storage and never copy', () => {
    const a = arange(6).reshape([2, 3]);
    const t = a.transpose(0, 1);
    expect(t.storage).toBe(a.storage);
    expect(t.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(t.isContiguous()).toBe(false);
    expect(t.reshape([-1]).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('adds with broadcasting', () => {
    expect(array([[1], [2]]).add(array([10, 20])).toArray()).toEqual([[11, 21], [12, 22]]);
    expect(zeros([2, 3]).add(1).sum().item()).toBe(6);
  });

  it('reduces and multiplies matrices', () => {
    const a = array([[1, 2], [3, 4]]);
    expect(a.sum(0).toArray()).toEqual([4, 6]);
    expect(a.matmul(a).toArray()).toEqual([[7, 10], [15, 22]]);
    expect(ones([2, 3]).sumTo([3]).toArray()).toEqual([2, 2, 2]);
  });

  it('prints like PyTorch', () => {
    expect(array([[1, 2], [3, 4]]).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
  });
});
