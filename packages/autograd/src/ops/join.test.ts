// cat's and stack's values and gradients against PyTorch are in the op sweep (opinfo.test.ts); here, the API.
import { describe, expect, it } from 'vitest';
import { array } from '@tsgrad/ndarray';
import { cat, stack, tensor, type Tensor } from '../index.js';

describe('cat and stack', () => {
  it('split the gradient back into each input', () => {
    const a = tensor([[1, 2]], { requiresGrad: true });
    const b = tensor([[3, 4], [5, 6]], { requiresGrad: true });
    cat([a, b]).mul(tensor([[1], [2], [3]])).sum().backward();
    expect(a.grad?.toArray()).toEqual([[1, 1]]);
    expect(b.grad?.toArray()).toEqual([[2, 2], [3, 3]]);
    const c = tensor([1, 2], { requiresGrad: true });
    stack([c, c.mul(10)], 1).sum(0).mul(tensor([1, 2])).sum().backward();
    expect(c.grad?.toArray()).toEqual([21, 21]);
  });

  it('name a bad list with PyTorch\'s messages', () => {
    expect(() => cat([])).toThrow('cat: expected a non-empty list of Tensors');
    const notList: Tensor[] = JSON.parse('null') ?? tensor([1]);
    expect(() => cat(notList)).toThrow('cat: expected an array of Tensors, got an object of class Tensor');
    const withArray: Tensor[] = [tensor([1]), JSON.parse('null') ?? array([2])];
    expect(() => stack(withArray)).toThrow('stack: entry 1 must be a Tensor, got an NDArray; wrap it: fromNDArray(a)');
    expect(() => stack([tensor([1, 2]), tensor([1])])).toThrow('stack expects each tensor to be equal size, but got [2] at entry 0 and [1] at entry 1');
    expect(() => cat([tensor([[1, 2]]), tensor([[1]])])).toThrow('cat: sizes must match except in dim 0');
  });
});
