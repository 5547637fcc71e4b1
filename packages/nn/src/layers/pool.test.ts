import { describe, expect, it } from 'vitest';
import { fromNDArray, gradcheck, randn, tensor } from '@tsgrad/autograd';
import { Generator, array } from '@tsgrad/ndarray';
import { AvgPool2d } from './avg-pool2d.js';
import { MaxPool2d } from './max-pool2d.js';
import { avgPool2d, maxPool2d } from '../functional/pool.js';
import { expectClose, pattern, readFixture, type FixtureArray } from '../test-fixtures.js';

type Pair = number | [number, number];
interface PoolCase {
  name: string;
  kind: 'max' | 'avg';
  options: {
    kernelSize: Pair;
    stride?: Pair;
    padding?: Pair;
    dilation?: Pair;
    ceilMode?: boolean;
    countIncludePad?: boolean;
    divisorOverride?: number;
  };
  repr: string;
  xShape: number[];
  xSeed: number;
  ties: boolean;
  gySeed: number;
  y: FixtureArray;
  gx: FixtureArray;
  indices?: FixtureArray;
}

const cases = readFixture<PoolCase[]>('pool.json');
const errors = readFixture<Record<string, string>>('errors.json');

describe('MaxPool2d and AvgPool2d against PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      let x0 = pattern(c.xShape, c.xSeed);
      // Many equal values (floor(2x)): the gradient must go to the first maximum, as PyTorch's.
      if (c.ties) x0 = array(Float64Array.from(x0.toTypedArray(), (v) => Math.floor(v * 2)), { shape: c.xShape });
      const x = fromNDArray(x0, { requiresGrad: true });
      const { kernelSize, ...options } = c.options;
      const layer = c.kind === 'max' ? new MaxPool2d(kernelSize, options) : new AvgPool2d(kernelSize, options);
      expect(String(layer)).toBe(c.repr);
      let y = layer.forward(x);
      if (layer instanceof MaxPool2d) {
        const pooled = layer.forwardWithIndices(x); // PyTorch's (y, indices) with return_indices=True
        expectClose(pooled.values.data, c.y, 'forwardWithIndices values');
        expectClose(pooled.indices.data, c.indices!, 'indices', 0, 0);
        expect(pooled.indices.dtype).toBe('int32');
        y = pooled.values;
      }
      expectClose(y.data, c.y, 'output');
      y.backward(pattern(y.shape, c.gySeed));
      expectClose(x.grad!.data, c.gx, 'input gradient');
    });
  }
});

describe('pooling gradcheck (float64)', () => {
  const x = (): ReturnType<typeof randn> => randn([1, 2, 5, 6], { dtype: 'float64', generator: new Generator(3), requiresGrad: true });
  it('maxPool2d with padding, dilation and ceilMode', () => {
    expect(gradcheck((xx) => maxPool2d(xx, 3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), [x()])).toBe(true);
  });
  it('avgPool2d with padding, ceilMode, countIncludePad false', () => {
    expect(gradcheck((xx) => avgPool2d(xx, [3, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [x()])).toBe(true);
  });
});

describe('pooling shapes and errors', () => {
  it('stride defaults to the kernel size; unbatched input works', () => {
    expect(new MaxPool2d(4).forward(randn([2, 64, 4, 4])).shape).toEqual([2, 64, 1, 1]);
    expect(new MaxPool2d(2).forward(randn([3, 5, 5])).shape).toEqual([3, 2, 2]);
    expect(new AvgPool2d(2, { ceilMode: true }).forward(randn([3, 5, 5])).shape).toEqual([3, 3, 3]);
    expect(maxPool2d(tensor([[[[1, 5], [3, 4]]]]), 2).data.toArray()).toEqual([[[[5]]]]);
  });

  it('returnIndices keeps the last forward\'s indices; forwardWithIndices works unbatched', () => {
    const x = tensor([[[[1, 5, 0, 2], [7, 2, 3, 9]]]]);
    const keeping = new MaxPool2d(2, { returnIndices: true });
    expect(keeping.indices).toBeNull();
    expect(keeping.forward(x).data.toArray()).toEqual([[[[7, 9]]]]);
    expect(keeping.indices!.data.toArray()).toEqual([[[[4, 7]]]]);
    const plain = new MaxPool2d(2);
    plain.forward(x);
    expect(plain.indices).toBeNull();
    const { values, indices } = plain.forwardWithIndices(tensor([[[1, 5, 0, 2], [7, 2, 3, 9]]]));
    expect(values.data.toArray()).toEqual([[[7, 9]]]);
    expect(indices.data.toArray()).toEqual([[[4, 7]]]);
  });

  it('errors like PyTorch: padding over half the kernel', () => {
    expect(errors.poolPadding).toBe('pad should be at most half of kernel size, but got pad=2 and kernel_size=2');
    expect(() => new MaxPool2d(2, { padding: 2 }).forward(randn([1, 1, 6, 6]))).toThrow(
      'pad should be at most half of kernel size, but got pad=2 and kernelSize=2');
    expect(() => new AvgPool2d(2, { padding: 2 }).forward(randn([1, 1, 6, 6]))).toThrow('pad should be at most half');
  });

  it('errors like PyTorch: an output smaller than one pixel', () => {
    expect(() => new MaxPool2d(3).forward(randn([1, 1, 2, 2]))).toThrow(errors.poolTooSmall);
  });

  it('rejects a bad kernel size and a 2-d input', () => {
    expect(() => new MaxPool2d(0)).toThrow('kernelSize must be an integer >= 1 or a pair of them, got 0');
    expect(() => new MaxPool2d(2).forward(randn([4, 4]))).toThrow('Expected 3D or 4D (batch mode) tensor for input, but got input of size: [4, 4]');
  });
});
