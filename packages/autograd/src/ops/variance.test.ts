// var's and std's values and gradients against PyTorch are in the op sweep (opinfo.test.ts); here, the API.
import { describe, expect, it } from 'vitest';
import { tensor } from '../index.js';

describe('var and std', () => {
  it('use correction 1 by default; unbiased: false and correction: 0 are the population form', () => {
    const x = tensor([2, 4, 4, 4, 5, 5, 7, 9], { dtype: 'float64' });
    expect(x.var().item()).toBeCloseTo(32 / 7, 12);
    expect(x.std(undefined, { unbiased: false }).item()).toBe(2);
    expect(x.var(0, { correction: 0 }).item()).toBe(4);
    expect(tensor([[1, 2], [3, 5]]).var(1, { keepdim: true, correction: 0 }).toArray()).toEqual([[0.25], [1]]);
  });

  it('give a constant input a zero std gradient (PyTorch), not 0·∞', () => {
    const x = tensor([3, 3, 3], { dtype: 'float64', requiresGrad: true });
    x.std().backward();
    expect(x.grad?.toArray()).toEqual([0, 0, 0]);
  });

  it('name bad options and integer input', () => {
    expect(() => tensor([1, 2]).var(0, { correction: 1, unbiased: true })).toThrow(
      'var: pass correction or unbiased, not both (got correction 1, unbiased true)');
    expect(() => tensor([1, 2]).std(0, { correction: -1 })).toThrow('std: correction must be a finite number >= 0, got -1');
    expect(() => tensor([1, 2], { dtype: 'int32' }).var()).toThrow('var: std and var only support floating point and complex dtypes, got int32');
  });
});
