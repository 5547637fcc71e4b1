import { describe, expect, it } from 'vitest';
import { zeros as zerosTensor } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import {
  calculateFanInAndFanOut, calculateGain, constant_, kaimingNormal_, kaimingUniform_, normal_, ones_, uniform_,
  xavierNormal_, xavierUniform_, zeros_,
} from './init.js';
import { Conv2d } from './layers/conv2d.js';
import { Flatten } from './layers/flatten.js';
import { Linear } from './layers/linear.js';
import { MaxPool2d } from './layers/max-pool2d.js';
import { ReLU } from './layers/activations.js';
import { Sequential } from './layers/sequential.js';
import { Parameter } from './parameter.js';
import { load } from './safetensors-node.js';

/** Mean, standard deviation and largest |value| of a tensor's values. */
function stats(p: { data: { toTypedArray(): ArrayLike<number> } }): { mean: number; std: number; maxAbs: number } {
  const v = Array.from(p.data.toTypedArray());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: Math.max(...v.map(Math.abs)) };
}

const big = (shape: number[]): Parameter => new Parameter(zerosTensor(shape).data);

describe('init formulas (PyTorch\'s)', () => {
  it('calculateGain', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('conv2d')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBe(5 / 3);
    expect(calculateGain('relu')).toBe(Math.sqrt(2));
    expect(calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(calculateGain('selu')).toBe(0.75);
    expect(() => calculateGain('gelu' as 'relu')).toThrow('Unsupported nonlinearity gelu');
  });

  it('fans count the receptive field; groups shrink the fan-in', () => {
    expect(calculateFanInAndFanOut([32, 1, 5, 5])).toEqual({ fanIn: 25, fanOut: 800 });
    expect(calculateFanInAndFanOut([10, 64])).toEqual({ fanIn: 64, fanOut: 10 });
    expect(new Conv2d(8, 4, 3, { groups: 4 }).weight.shape).toEqual([4, 2, 3, 3]); // fanIn = (8/4)*3*3 = 18
    expect(() => calculateFanInAndFanOut([3])).toThrow('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  });
});

describe('init distributions (bounds and statistics, seeded)', () => {
  const generator = new Generator(0);

  it('kaimingUniform_ with a = sqrt(5) spans U(-1/sqrt(fanIn), 1/sqrt(fanIn)), as Conv2d and Linear use', () => {
    const p = kaimingUniform_(big([200, 16, 3, 3]), { a: Math.sqrt(5), generator });
    const bound = 1 / Math.sqrt(16 * 9);
    const s = stats(p);
    expect(s.maxAbs).toBeLessThanOrEqual(bound);
    expect(s.maxAbs).toBeGreaterThan(0.999 * bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * bound);
  });

  it('Conv2d\'s default weights and bias use the grouped fan-in', () => {
    const conv = new Conv2d(64, 64, 3, { groups: 8, generator });
    const bound = 1 / Math.sqrt(8 * 9);
    expect(stats(conv.weight).maxAbs).toBeLessThanOrEqual(bound);
    expect(stats(conv.weight).maxAbs).toBeGreaterThan(0.99 * bound);
    expect(stats(conv.bias!).maxAbs).toBeLessThanOrEqual(bound);
  });

  it('kaimingNormal_ (fan_out, relu) has std sqrt(2 / fanOut)', () => {
    const p = kaimingNormal_(big([64, 500]), { mode: 'fan_out', nonlinearity: 'relu', generator });
    const s = stats(p);
    expect(s.std / Math.sqrt(2 / 64)).toBeCloseTo(1, 1);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
  });

  it('xavierUniform_ bound gain * sqrt(6 / (fanIn + fanOut)); xavierNormal_ std gain * sqrt(2 / (fanIn + fanOut))', () => {
    const u = stats(xavierUniform_(big([300, 200]), 2, { generator }));
    const a = 2 * Math.sqrt(6 / 500);
    expect(u.maxAbs).toBeLessThanOrEqual(a);
    expect(u.maxAbs).toBeGreaterThan(0.999 * a);
    const n = stats(xavierNormal_(big([300, 200]), 1, { generator }));
    expect(n.std / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
  });

  it('uniform_, normal_, constant_, zeros_, ones_', () => {
    const u = stats(uniform_(big([10000]), 2, 3, { generator }));
    expect(u.mean).toBeCloseTo(2.5, 1);
    expect(u.maxAbs).toBeLessThanOrEqual(3);
    const n = stats(normal_(big([10000]), -1, 0.5, { generator }));
    expect(n.mean).toBeCloseTo(-1, 1);
    expect(n.std).toBeCloseTo(0.5, 1);
    expect(constant_(big([2]), 0.25).data.toArray()).toEqual([0.25, 0.25]);
    expect(ones_(big([2])).data.toArray()).toEqual([1, 1]);
    expect(zeros_(ones_(big([2]))).data.toArray()).toEqual([0, 0]);
    expect(() => uniform_(big([2]), 1, 0)).toThrow('expected a <= b, got a=1 and b=0');
  });

  it('the same seed gives the same weights; keeps dtype and shape', () => {
    const a = new Conv2d(3, 4, 3, { generator: new Generator(5), dtype: 'float64' });
    const b = new Conv2d(3, 4, 3, { generator: new Generator(5), dtype: 'float64' });
    expect(a.weight.data.toArray()).toEqual(b.weight.data.toArray());
    expect(a.weight.dtype).toBe('float64');
    expect(a.weight.shape).toEqual([4, 3, 3, 3]);
  });
});

describe('default initialisation against PyTorch\'s own initial weights', () => {
  // PyTorch's initial Table 3 weights (fixtures/make_parity.py). The generators differ, so the values
  // cannot match; the range can: every weight and bias of Conv2d and Linear is U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
  const torchInit = load(new URL('../fixtures/parity-init.safetensors', import.meta.url).pathname).tensors;
  const maxAbs = (values: ArrayLike<number>): number => Math.max(...Array.from(values, Math.abs));
  const generator = new Generator(1);

  it('every weight and bias spans (0.7, 1] of 1/sqrt(fanIn), where PyTorch\'s do', () => {
    const ours = new Sequential(
      new Conv2d(1, 32, 5, { padding: 1, generator }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
      new Conv2d(32, 64, 5, { stride: 3, padding: 1, generator }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
      new Flatten(), new Linear(64, 10, { generator })).stateDict();
    expect(Object.keys(ours)).toEqual(Object.keys(torchInit));
    for (const [key, value] of Object.entries(ours)) {
      const weight = ours[key.replace(/bias$/, 'weight')];
      const bound = 1 / Math.sqrt(calculateFanInAndFanOut(weight.shape).fanIn);
      for (const [who, v] of [['tsgrad', value], ['PyTorch', torchInit[key]]] as const) {
        const m = maxAbs(v.toTypedArray());
        expect(m, `${who} ${key}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
        expect(m, `${who} ${key}`).toBeGreaterThan(0.7 * bound);
      }
    }
  });
});
