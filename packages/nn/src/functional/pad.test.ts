import { describe, expect, it } from 'vitest';
import { gradcheck, randn, tensor } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { pad } from './pad.js';

describe('pad (PyTorch F.pad)', () => {
  const x = tensor([[[[1, 2, 3], [4, 5, 6]]]]);

  it('pads the last dim first, in every mode', () => {
    expect(pad(x, [1, 0]).data.toArray()).toEqual([[[[0, 1, 2, 3], [0, 4, 5, 6]]]]);
    expect(pad(x, [0, 0, 1, 0], 'constant', 9).data.toArray()).toEqual([[[[9, 9, 9], [1, 2, 3], [4, 5, 6]]]]);
    expect(pad(x, [2, 1], 'reflect').data.toArray()).toEqual([[[[3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5]]]]);
    expect(pad(x, [1, 1, 1, 0], 'replicate').data.toArray()).toEqual([[[[1, 1, 2, 3, 3], [1, 1, 2, 3, 3], [4, 4, 5, 6, 6]]]]);
    expect(pad(x, [1, 2], 'circular').data.toArray()).toEqual([[[[3, 1, 2, 3, 1, 2], [6, 4, 5, 6, 4, 5]]]]);
  });

  it('is differentiable in every mode (float64 gradcheck)', () => {
    for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
      const xx = randn([1, 1, 3, 4], { dtype: 'float64', generator: new Generator(1), requiresGrad: true });
      expect(gradcheck((t) => pad(t, [2, 1, 1, 2], mode), [xx])).toBe(true);
    }
  });

  it('rejects an odd number of widths, too many widths, an unknown mode, and a value outside constant mode', () => {
    const wrap: string = 'wrap';
    // @ts-expect-error: a JavaScript caller (or a typo behind a cast) can pass any string
    expect(() => pad(x, [1, 1], wrap)).toThrow('Unrecognised padding mode wrap (expected one of constant, reflect, replicate, circular)');
    expect(() => pad(x, [1])).toThrow('Padding length must be divisible by 2, got 1 ([1])');
    expect(() => pad(tensor([1, 2]), [1, 1, 1, 1])).toThrow('Padding length too large: 4 values pad 2 dims of a 1-d input');
    expect(() => pad(x, [1, 1], 'reflect', 2)).toThrow('Padding mode "reflect" doesn\'t take in value argument (got 2)');
  });
});
