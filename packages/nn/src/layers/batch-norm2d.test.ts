import { describe, expect, it } from 'vitest';
import { gradcheck, randn } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { BatchNorm2d, type BatchNorm2dOptions } from './batch-norm2d.js';
import { expectClose, fixtureArray, fixtureTensor, readFixture, type FixtureArray } from '../test-fixtures.js';

interface BatchNormCase {
  options: { momentum?: number | null; affine?: boolean; eps?: number };
  repr: string;
  weight: FixtureArray | null; bias: FixtureArray | null;
  x1: FixtureArray; x2: FixtureArray; y2: FixtureArray; gy: FixtureArray; gx: FixtureArray;
  gweight?: FixtureArray; gbias?: FixtureArray;
  runningMean: FixtureArray; runningVar: FixtureArray; numBatchesTracked: number;
  x3: FixtureArray; y3: FixtureArray; keys: string[];
}
const fixture = readFixture<{ batchNorm: BatchNormCase[]; otherRepr: Record<string, string> }>('layers.json');

describe('BatchNorm2d against PyTorch: two training steps, then eval', () => {
  for (const c of fixture.batchNorm) {
    it(JSON.stringify(c.options), () => {
      const options: BatchNorm2dOptions = { ...c.options, dtype: 'float64' };
      const bn = new BatchNorm2d(3, options);
      expect(String(bn)).toBe(c.repr);
      expect(Object.keys(bn.stateDict())).toEqual(c.keys);
      if (c.weight !== null && c.bias !== null) {
        bn.weight!.data = fixtureArray(c.weight);
        bn.bias!.data = fixtureArray(c.bias);
      }
      bn.forward(fixtureTensor(c.x1));
      const x2 = fixtureTensor(c.x2, { requiresGrad: true });
      const y2 = bn.forward(x2);
      expectClose(y2.data, c.y2, 'training output');
      y2.backward(fixtureArray(c.gy));
      expectClose(x2.grad!.data, c.gx, 'input gradient', 1e-7, 1e-9);
      if (c.gweight) expectClose(bn.weight!.grad!.data, c.gweight, 'weight gradient');
      if (c.gbias) expectClose(bn.bias!.grad!.data, c.gbias, 'bias gradient');
      expectClose(bn.getBuffer('running_mean'), c.runningMean, 'running mean');
      expectClose(bn.getBuffer('running_var'), c.runningVar, 'running var');
      expect(bn.getBuffer('num_batches_tracked').item()).toBe(c.numBatchesTracked);
      bn.eval();
      expectClose(bn.forward(fixtureTensor(c.x3)).data, c.y3, 'eval output');
    });
  }

  it('prints as PyTorch', () => {
    expect(String(new BatchNorm2d(32))).toBe(fixture.otherRepr.batchNorm);
  });
});

describe('BatchNorm2d', () => {
  it('passes gradcheck in float64 (training mode: through the batch statistics)', () => {
    const g = new Generator(4);
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    const x = randn([3, 2, 2, 2], { dtype: 'float64', generator: g, requiresGrad: true });
    const w = randn([2], { dtype: 'float64', generator: g, requiresGrad: true });
    const b = randn([2], { dtype: 'float64', generator: g, requiresGrad: true });
    expect(gradcheck((xx, ww, bb) => {
      const y = bn.forward(xx);
      // bn's own weight is 1 and bias 0: apply the checked ones after, as the affine step does.
      return y.mul(ww.reshape([1, 2, 1, 1])).add(bb.reshape([1, 2, 1, 1]));
    }, [x, w, b])).toBe(true);
  });

  it('without running statistics uses the batch statistics in eval mode too', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false, affine: false, dtype: 'float64' });
    expect(bn.buffers()).toEqual([]);
    const y = bn.eval().forward(randn([4, 2, 3, 3], { dtype: 'float64', generator: new Generator(1) }));
    expect(Math.abs(y.mean().item())).toBeLessThan(1e-12);
  });

  it('errors on a wrong input', () => {
    const bn = new BatchNorm2d(3);
    expect(() => bn.forward(randn([2, 3, 4]))).toThrow('expected 4D input (got 3D input)');
    expect(() => bn.forward(randn([2, 4, 2, 2]))).toThrow('expected 3 channels (dim 1), got input of size [2, 4, 2, 2]');
    expect(() => bn.forward(randn([1, 3, 1, 1]))).toThrow('Expected more than 1 value per channel when training, got input size [1, 3, 1, 1]');
  });
});
