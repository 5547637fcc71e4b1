import { describe, expect, it } from 'vitest';
import { gradcheck, randn, tensor } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { Linear } from './linear.js';
import { expectClose, fixtureArray, fixtureTensor, readFixture, type FixtureArray } from '../test-fixtures.js';

interface LinearCase {
  x: FixtureArray; weight: FixtureArray; bias: FixtureArray; y: FixtureArray; gy: FixtureArray;
  gx: FixtureArray; gweight: FixtureArray; gbias: FixtureArray;
}
const fixture = readFixture<{ linear: LinearCase[]; linearRepr: string[] }>('layers.json');
const errors = readFixture<Record<string, string>>('errors.json');

describe('Linear', () => {
  for (const c of fixture.linear) {
    it(`matches PyTorch on a [${c.x.shape.join(', ')}] input`, () => {
      const fc = new Linear(5, 4, { dtype: 'float64' });
      fc.weight.data = fixtureArray(c.weight);
      fc.bias!.data = fixtureArray(c.bias);
      const x = fixtureTensor(c.x, { requiresGrad: true });
      const y = fc.forward(x);
      expectClose(y.data, c.y, 'output');
      y.backward(fixtureArray(c.gy));
      expectClose(x.grad!.data, c.gx, 'input gradient');
      expectClose(fc.weight.grad!.data, c.gweight, 'weight gradient');
      expectClose(fc.bias!.grad!.data, c.gbias, 'bias gradient');
    });
  }

  it('prints as PyTorch', () => {
    expect([String(new Linear(5, 4)), String(new Linear(3, 2, { bias: false }))]).toEqual(fixture.linearRepr);
  });

  it('passes gradcheck in float64', () => {
    const g = new Generator(5);
    const x = randn([3, 4], { dtype: 'float64', generator: g, requiresGrad: true });
    const fc = new Linear(4, 2, { dtype: 'float64', generator: g });
    expect(gradcheck((xx, w, b) => xx.matmul(w.transpose(0, 1)).add(b), [x, fc.weight, fc.bias!])).toBe(true);
  });

  it('starts with weight and bias in U(-1/sqrt(in), 1/sqrt(in)), PyTorch\'s default', () => {
    const fc = new Linear(64, 10);
    const bound = 1 / Math.sqrt(64);
    for (const p of [fc.weight, fc.bias!]) {
      const v = Array.from(p.data.toTypedArray());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 * bound); // the whole range is used
    }
    expect(fc.numParameters()).toBe(650);
  });

  it('says what it could not allocate, before V8 fails with a bare RangeError', () => {
    expect(() => new Linear(1e5, 1e5)).toThrow(
      "zeros: can't allocate memory for shape [100000,100000] of float32: you tried to allocate 40000000000 bytes");
  });

  it('names the shapes when they do not fit (PyTorch\'s message)', () => {
    expect(() => new Linear(5, 4).forward(randn([3, 6]))).toThrow(errors.linearShape);
    expect(new Linear(2, 1, { bias: false }).forward(tensor([[1, 2]])).shape).toEqual([1, 1]);
  });
});
