import { describe, expect, it } from 'vitest';
import { Tensor } from '@tsgrad/autograd';
import { zeros } from '@tsgrad/ndarray';
import { Parameter } from './parameter.js';

describe('Parameter', () => {
  it('is a leaf tensor that requires grad by default', () => {
    const p = new Parameter(zeros([2, 3]));
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(new Parameter(zeros([1]), false).requiresGrad).toBe(false);
  });

  it('prints as PyTorch, above the tensor', () => {
    const text = String(new Parameter(zeros([2])));
    expect(text.split('\n')[0]).toBe('Parameter containing:');
    expect(text.split('\n').slice(1).join('\n')).toBe(String(new Tensor(zeros([2]), { requiresGrad: true })));
  });
});
