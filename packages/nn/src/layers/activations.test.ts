import { describe, expect, it } from 'vitest';
import { gradcheck, randn } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { Flatten } from './flatten.js';
import { leakyRelu } from '../functional/activations.js';
import type { Module } from '../module.js';
import { expectClose, fixtureArray, fixtureTensor, readFixture, type FixtureArray } from '../test-fixtures.js';

interface ActivationCase { name: string; repr: string; x: FixtureArray; y: FixtureArray; gy: FixtureArray; gx: FixtureArray }
const fixture = readFixture<{ activations: ActivationCase[]; otherRepr: Record<string, string | string[]> }>('layers.json');

const modules: Record<string, Module> = {
  relu: new ReLU(),
  leakyRelu: new LeakyReLU(),
  'leakyRelu0.2': new LeakyReLU(0.2),
  sigmoid: new Sigmoid(),
  tanh: new Tanh(),
  softmax1: new Softmax(1),
  softmax0: new Softmax(0),
  logSoftmax1: new LogSoftmax(1),
  'logSoftmax-1': new LogSoftmax(-1),
};

describe('activations against PyTorch (values, gradients at 0 included)', () => {
  for (const c of fixture.activations) {
    it(c.name, () => {
      const m = modules[c.name];
      expect(String(m)).toBe(c.repr);
      const x = fixtureTensor(c.x, { requiresGrad: true });
      const y = m.forward(x);
      expectClose(y.data, c.y, 'output');
      y.backward(fixtureArray(c.gy));
      expectClose(x.grad!.data, c.gx, 'input gradient');
    });
  }
});

describe('leakyRelu', () => {
  it('passes gradcheck in float64 (away from the kink)', () => {
    const x = randn([3, 4], { dtype: 'float64', generator: new Generator(9), requiresGrad: true });
    expect(gradcheck((xx) => leakyRelu(xx, 0.2), [x])).toBe(true);
  });

  it('rejects a slope that is not a number', () => {
    expect(() => leakyRelu(randn([2]), Number.NaN)).toThrow('negativeSlope must be a finite number, got NaN');
  });
});

describe('Flatten', () => {
  it('keeps the batch dim and prints as PyTorch', () => {
    expect(new Flatten().forward(randn([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new Flatten(0, 1).forward(randn([2, 3, 4])).shape).toEqual([6, 4]);
    expect(String(new Flatten())).toBe(fixture.otherRepr.flatten);
  });
});
