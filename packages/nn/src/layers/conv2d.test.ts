import { describe, expect, it } from 'vitest';
import { fromNDArray, gradcheck, randn, tensor, type Tensor } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { Conv2d, type PaddingMode } from './conv2d.js';
import { conv2d } from '../functional/conv2d.js';
import { pad } from '../functional/pad.js';
import { expectClose, pattern, readFixture, type FixtureArray } from '../test-fixtures.js';

interface ConvCase {
  name: string;
  inChannels: number;
  outChannels: number;
  kernelSize: number | [number, number];
  options: {
    stride: number | [number, number];
    padding: number | [number, number] | 'same' | 'valid';
    dilation: number | [number, number];
    groups: number;
    bias: boolean;
    paddingMode: PaddingMode;
  };
  repr: string;
  xShape: number[];
  xSeed: number;
  weightSeed: number;
  weightScale: number;
  biasSeed: number;
  biasScale: number;
  gySeed: number;
  y: FixtureArray;
  gx: FixtureArray;
  gweight: FixtureArray;
  gbias?: FixtureArray;
}

const cases = readFixture<ConvCase[]>('conv2d.json');
const errors = readFixture<Record<string, string>>('errors.json');

/** The fixture's layer, in float64, with its weights and bias. */
function layerFor(c: ConvCase): Conv2d {
  const layer = new Conv2d(c.inChannels, c.outChannels, c.kernelSize, { ...c.options, dtype: 'float64' });
  layer.weight.data = pattern(layer.weight.shape, c.weightSeed, c.weightScale);
  if (layer.bias !== null) layer.bias.data = pattern(layer.bias.shape, c.biasSeed, c.biasScale);
  return layer;
}

describe('Conv2d against PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const layer = layerFor(c);
      expect(String(layer)).toBe(c.repr);
      const x = fromNDArray(pattern(c.xShape, c.xSeed), { requiresGrad: true });
      const y = layer.forward(x);
      expectClose(y.data, c.y, 'output');
      y.backward(pattern(y.shape, c.gySeed));
      expectClose(x.grad!.data, c.gx, 'input gradient');
      expectClose(layer.weight.grad!.data, c.gweight, 'weight gradient');
      if (c.gbias) expectClose(layer.bias!.grad!.data, c.gbias, 'bias gradient');
    });
  }
});

describe('conv2d gradcheck (float64): the compositions nn adds', () => {
  const gen = new Generator(7);
  const leaf = (shape: number[]): Tensor => randn(shape, { dtype: 'float64', generator: gen, requiresGrad: true });

  it("'same' with an even kernel (explicit extra pad on the bottom/right), stride 1, dilation 2", () => {
    const [x, w, b] = [leaf([1, 2, 5, 6]), leaf([3, 2, 4, 2]), leaf([3])];
    expect(gradcheck((xx, ww, bb) => conv2d(xx, ww, bb, { padding: 'same', dilation: [1, 2] }), [x, w, b])).toBe(true);
  });

  it('stride, padding and groups with a bias', () => {
    const [x, w, b] = [leaf([2, 4, 5, 5]), leaf([2, 2, 3, 3]), leaf([2])];
    expect(gradcheck((xx, ww, bb) => conv2d(xx, ww, bb, { stride: 2, padding: 1, groups: 2 }), [x, w, b])).toBe(true);
  });

  for (const mode of ['reflect', 'replicate', 'circular'] as const) {
    it(`${mode} padding then conv (Conv2d's paddingMode path)`, () => {
      const [x, w] = [leaf([1, 2, 4, 5]), leaf([2, 2, 3, 3])];
      expect(gradcheck((xx, ww) => conv2d(pad(xx, [1, 2, 2, 1], mode), ww), [x, w])).toBe(true);
    });
  }
});

describe('Conv2d shapes and errors', () => {
  it('gives PyTorch output sizes', () => {
    const x = randn([2, 1, 28, 28]);
    expect(new Conv2d(1, 32, 5, { padding: 1 }).forward(x).shape).toEqual([2, 32, 26, 26]);
    expect(new Conv2d(1, 4, 5, { stride: 3, padding: 1 }).forward(randn([2, 1, 13, 13])).shape).toEqual([2, 4, 4, 4]);
    expect(new Conv2d(1, 4, [3, 5], { padding: 'same' }).forward(x).shape).toEqual([2, 4, 28, 28]);
    expect(new Conv2d(1, 4, 3, { padding: 'valid' }).forward(x).shape).toEqual([2, 4, 26, 26]);
  });

  it('accepts an unbatched [C, H, W] input', () => {
    const layer = new Conv2d(1, 2, 3);
    const x = randn([1, 5, 5]);
    const batched = layer.forward(x.unsqueeze(0)).data.toArray();
    expect(layer.forward(x).data.toArray()).toEqual((batched as number[][][][])[0]);
  });

  it("errors like PyTorch: kernel larger than the padded input", () => {
    expect(errors.kernelTooLarge).toContain('Kernel size can\'t be greater than actual input size');
    expect(() => new Conv2d(4, 6, 5).forward(randn([1, 4, 3, 3]))).toThrow(
      "Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size can't be greater than actual input size");
  });

  it('errors like PyTorch: wrong number of input channels', () => {
    expect(() => new Conv2d(4, 6, 3).forward(randn([1, 3, 7, 6]))).toThrow(errors.wrongChannels);
  });

  it("errors like PyTorch: 'same' with stride > 1, groups that don't divide", () => {
    expect(() => new Conv2d(4, 6, 3, { stride: 2, padding: 'same' })).toThrow(errors.sameStrided);
    expect(() => new Conv2d(4, 6, 3, { groups: 3 })).toThrow('inChannels must be divisible by groups (inChannels=4, groups=3)');
    expect(() => new Conv2d(4, 6, 3, { padding: 'full' as 'same' })).toThrow("Invalid padding string 'full'");
  });

  it('functional conv2d checks the bias and dtypes', () => {
    const x = randn([1, 2, 4, 4]);
    const w = randn([3, 2, 3, 3]);
    expect(() => conv2d(x, w, randn([2]))).toThrow('expected bias to be 1-dimensional with 3 elements');
    expect(() => conv2d(x.astype('float64'), w)).toThrow('input (float64) and weight (float32) must have the same dtype');
    expect(conv2d(tensor([[[[1, 2], [3, 4]]]]), tensor([[[[1, 1], [1, 1]]]]), tensor([0.5])).data.toArray()).toEqual([[[[10.5]]]]);
  });
});
