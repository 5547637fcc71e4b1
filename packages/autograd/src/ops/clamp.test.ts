// clamp's values and gradients against PyTorch are in the op sweep (opinfo.test.ts); here, the API.
import { describe, expect, it } from 'vitest';
import { array } from '@tsgrad/ndarray';
import { clamp, tensor } from '../index.js';

describe('clamp', () => {
  it('takes min, max or both, as numbers or tensors; clip is the same', () => {
    const x = tensor([-2, 0.5, 3]);
    expect(x.clamp(-1, 1).toArray()).toEqual([-1, 0.5, 1]);
    expect(x.clamp(0).toArray()).toEqual([0, 0.5, 3]);
    expect(x.clamp(null, 1).toArray()).toEqual([-2, 0.5, 1]);
    expect(x.clip(tensor([0, 0, 0]), tensor([1, 1, 2])).toArray()).toEqual([0, 0.5, 2]);
  });

  it('keeps an integer tensor integer for integer bounds, as PyTorch', () => {
    const i = tensor([-5, 2, 9], { dtype: 'int32' });
    expect(i.clamp(0, 4).dtype).toBe('int32');
    expect(i.clamp(0, 4).toArray()).toEqual([0, 2, 4]);
  });

  it('lets the gradient pass on a bound and stops it outside', () => {
    const x = tensor([-2, -1, 0, 1, 2], { dtype: 'float64', requiresGrad: true });
    x.clamp(-1, 1).sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 1, 1, 1, 0]);
  });

  it('names a missing bound and a bad argument', () => {
    expect(() => tensor([1]).clamp()).toThrow("clamp: At least one of 'min' or 'max' must not be None");
    const notTensor: number = JSON.parse('null') ?? array([1]);
    expect(() => clamp(tensor([1]), notTensor)).toThrow('clamp: min must be a number or a Tensor, got an NDArray; wrap it: fromNDArray(a)');
  });
});
