// Tensor creation, the methods that are not ops, and option handling of the free functions.
import { Generator, randn as ndRandn } from '@tsgrad/ndarray';
import { describe, expect, it } from 'vitest';
import {
  arange,
  avgPool2d,
  conv2d,
  eye,
  fromNDArray,
  full,
  gradcheck,
  maxPool2dWithIndices,
  normal,
  ones,
  onesLike,
  pad,
  padSource,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  uniform,
  where,
  zeros,
  zerosLike,
} from './index.js';

describe('creation', () => {
  it('makes leaves with the requested dtype and requiresGrad', () => {
    const w = zeros([2, 3], { requiresGrad: true });
    expect([w.shape, w.dtype, w.requiresGrad, w.isLeaf]).toEqual([[2, 3], 'float32', true, true]);
    expect(ones([2], { dtype: 'float64' }).toArray()).toEqual([1, 1]);
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(arange(3).toArray()).toEqual([0, 1, 2]);
    expect(arange(0, 1, 0.5, { dtype: 'float64' }).toArray()).toEqual([0, 0.5]);
    expect(eye(2).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(zerosLike(ones([2], { dtype: 'float64' })).dtype).toBe('float64');
    expect(onesLike(zeros([1, 2])).toArray()).toEqual([[1, 1]]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('wraps an NDArray without copying', () => {
    const a = ndRandn([3]);
    const t = fromNDArray(a, { requiresGrad: true });
    expect(t.data).toBe(a);
    expect(t.requiresGrad).toBe(true);
  });

  it('draws the same numbers as ndarray for the same generator state', () => {
    const a = randn([4], { generator: new Generator(5), requiresGrad: true });
    const b = ndRandn([4], { generator: new Generator(5) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.requiresGrad).toBe(true);
    expect(rand([2], { generator: new Generator(1) }).shape).toEqual([2]);
    expect([...uniform([3], -1, 1, { generator: new Generator(1) }).toTypedArray()].every((v) => v >= -1 && v < 1)).toBe(true);
    expect(normal([2], 0, 1, { dtype: 'float64' }).dtype).toBe('float64');
    expect(randint(0, 3, [5]).dtype).toBe('int32');
    expect([...randperm(4).toTypedArray()].sort()).toEqual([0, 1, 2, 3]);
  });

  it('refuses requiresGrad on integer creation', () => {
    expect(() => randint(0, 3, [2], { requiresGrad: true })).toThrow('floating point');
  });
});

describe('Tensor basics', () => {
  it('keeps scalars weak: a number never widens a float32 tensor', () => {
    expect(ones([2]).mul(0.5).dtype).toBe('float32');
    expect(ones([2], { dtype: 'float64' }).add(1).dtype).toBe('float64');
    expect(arange(3).mul(2).dtype).toBe('int32');
    expect(arange(3).mul(0.5).toArray()).toEqual([0, 0.5, 1]);
  });

  it('prints like PyTorch, with the op that made it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.toString()).toBe('tensor([1., 2.], requiresGrad=true)');
    expect(x.mul(2).toString()).toBe('tensor([2., 4.], gradFn=<mul>)');
    expect(tensor([1, 2]).toString()).toBe('tensor([1., 2.])');
  });

  it('returns the max indices without gradient and routes the gradient to them', () => {
    const x = tensor([[1, 5, 5], [7, 0, 2]], { dtype: 'float64', requiresGrad: true });
    const { values, indices } = x.maxWithIndices(1);
    expect(values.toArray()).toEqual([5, 7]);
    expect(indices.toArray()).toEqual([1, 0]);
    expect(indices.requiresGrad).toBe(false);
    values.sum().backward();
    expect(x.grad?.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });

  it('computes no input gradient for a convolution of data', () => {
    const x = ones([1, 1, 3, 3]);
    const w = ones([1, 1, 2, 2], { requiresGrad: true });
    conv2d(x, w).sum().backward();
    expect(w.grad?.toArray()).toEqual([[[[4, 4], [4, 4]]]]);
    expect(x.grad).toBeNull();
  });
});

describe('pooling and padding options', () => {
  it('maxPool2dWithIndices returns PyTorch-style flat indices', () => {
    const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    const { values, indices } = maxPool2dWithIndices(x, { kernel: 2 });
    expect(values.toArray()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(indices.toArray()).toEqual([[[[5, 7], [13, 15]]]]);
  });

  it('avgPool2d defaults the stride to the kernel', () => {
    expect(avgPool2d(ones([1, 1, 4, 4]), { kernel: 2 }).toArray()).toEqual([[[[1, 1], [1, 1]]]]);
  });

  it('computes the source positions of each padding mode', () => {
    expect(padSource('reflect', 4, 2, 1)).toEqual([2, 1, 0, 1, 2, 3, 2]);
    expect(padSource('replicate', 3, 1, 1)).toEqual([0, 0, 1, 2, 2]);
    expect(padSource('circular', 3, 1, 1)).toEqual([2, 0, 1, 2, 0]);
  });

  it('sends the gradient of every copy back to its source', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    const y = pad(x, [2, 1], 'replicate'); // [1, 1, 1, 2, 3, 3]
    expect(y.toArray()).toEqual([[1, 1, 1, 2, 3, 3]]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([[3, 1, 2]]);
  });

  it('names the width and size when a padding mode cannot pad that much', () => {
    const x = zeros([1, 1, 3, 3]);
    expect(() => pad(x, [3, 0], 'reflect')).toThrow('reflect padding widths must be >= 0 and < 3 (the dim\'s size), got 3 for a dim of size 3');
    expect(() => pad(x, [4, 0, 0, 0], 'circular')).toThrow('<= 3');
    expect(() => pad(x, [1, 1, 1], 'replicate')).toThrow('even number of widths');
  });
});

describe('wrong arguments are named where they enter', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const call = (f: (...args: unknown[]) => unknown, ...args: unknown[]): string => {
    try {
      f(...args);
      return 'no error';
    } catch (e) {
      return e instanceof TypeError ? e.message : `not a TypeError: ${String(e)}`;
    }
  };

  it('in an op: which op, which input, and what it got', () => {
    expect(call((o) => Reflect.apply(x.add, x, [o]), undefined)).toBe('add: input 1 must be a Tensor, got undefined');
    expect(call((o) => Reflect.apply(x.matmul, x, [o]), x.data)).toBe(
      'matmul: input 1 must be a Tensor, got an NDArray; wrap it: fromNDArray(a)',
    );
    expect(call((o) => Reflect.apply(x.mul, x, [o]), [1, 2, 3])).toBe(
      'mul: input 1 must be a Tensor, got an array (3 elements); wrap it: tensor([...])',
    );
    expect(call((o) => Reflect.apply(x.gather, x, [0, o]), null)).toBe('gather: input 1 must be a Tensor, got null');
  });

  it('in a tensor: data must be an NDArray', () => {
    expect(call((a) => Reflect.apply(fromNDArray, undefined, [a]), undefined)).toBe('Tensor: data must be an NDArray, got undefined');
    expect(call((a) => Reflect.apply(fromNDArray, undefined, [a]), x)).toBe(
      'Tensor: data must be an NDArray, got a Tensor (use it as it is, or t.detach())',
    );
  });

  it('in pooling: the kernel size is required, as in PyTorch', () => {
    const image = zeros([1, 1, 4, 4]);
    expect(call((o) => Reflect.apply(maxPool2dWithIndices, undefined, [image, o]), undefined)).toBe(
      'maxPool2d: missing the kernel size, e.g. maxPool2d(x, { kernel: 2 })',
    );
    expect(call((o) => Reflect.apply(avgPool2d, undefined, [image, o]), {})).toBe(
      'avgPool2d: missing the kernel size, e.g. avgPool2d(x, { kernel: 2 })',
    );
  });

  it('in gradcheck: eps, atol and rtol must be usable numbers', () => {
    const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((t) => t.square(), [w], { eps: -1 })).toThrow('gradcheck: eps must be a finite number > 0, got -1');
    expect(() => gradcheck((t) => t.square(), [w], { eps: 0 })).toThrow('gradcheck: eps must be a finite number > 0, got 0');
    expect(() => gradcheck((t) => t.square(), [w], { atol: Number.NaN })).toThrow('gradcheck: atol must be a finite number >= 0, got NaN');
  });
});

describe('where', () => {
  it('takes numbers for either branch, in the tensor\'s dtype, and routes the gradient by the condition', () => {
    const x = tensor([-1, 2, -3], { dtype: 'float64', requiresGrad: true });
    const y = where(x.gt(0), x, 0);
    expect(y.dtype).toBe('float64');
    expect(y.toArray()).toEqual([0, 2, 0]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 1, 0]);
    expect(where(x.gt(0), 1, x).toArray()).toEqual([-1, 1, -3]);
    expect(where(x.gt(0), 1, 0).toArray()).toEqual([0, 1, 0]);
  });
});
