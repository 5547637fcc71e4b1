import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultGenerator, Generator, manualSeed, normal, rand, randint, randn, randperm, uniform } from './index.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/ndarray_fixtures.json', import.meta.url), 'utf8')) as {
  xoshiro128: Array<{ seed: number; uint32: number[] }>;
};

function meanStd(xs: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const m = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return [m, Math.sqrt(v / xs.length)];
}

describe('Generator', () => {
  it('matches an independent Python xoshiro128** (same numbers on every platform)', () => {
    for (const c of fx.xoshiro128) {
      const g = new Generator(c.seed);
      expect(Array.from({ length: c.uint32.length }, () => g.nextUint32()), `seed ${c.seed}`).toEqual(c.uint32);
    }
  });

  it('the same seed gives the same sequence; getState/setState resume exactly', () => {
    const a = new Generator(7);
    const b = new Generator(7);
    expect([a.nextFloat64(), a.nextNormal(), a.nextInt(10)]).toEqual([b.nextFloat64(), b.nextNormal(), b.nextInt(10)]);
    const saved = a.getState();
    const next = [a.nextFloat64(), a.nextFloat32(), a.nextNormal()];
    const c = new Generator(123);
    c.setState(saved);
    expect([c.nextFloat64(), c.nextFloat32(), c.nextNormal()]).toEqual(next);
    expect(new Generator(8).nextUint32()).not.toBe(new Generator(7).nextUint32());
    expect(() => c.setState([1, 2, 3])).toThrow('setState: expected 4 unsigned 32-bit integers');
    expect(() => new Generator(-1)).toThrow('manualSeed: seed must be a non-negative safe integer, got -1');
  });

  it('draws uniforms in [0, 1) and unbiased integers', () => {
    const g = new Generator(1);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) {
      const u = g.nextFloat64();
      expect(u >= 0 && u < 1).toBe(true);
      counts[g.nextInt(6)]++;
    }
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400); // about 4 standard deviations
  });

  it('manualSeed reseeds the default generator', () => {
    manualSeed(3);
    const a = rand([4]).toArray();
    manualSeed(3);
    expect(rand([4]).toArray()).toEqual(a);
    expect(defaultGenerator()).toBe(manualSeed(3));
  });
});

describe('random arrays', () => {
  const g = (): Generator => new Generator(11);

  it('rand: float32 in [0, 1), mean 1/2 and std 1/sqrt(12)', () => {
    const x = rand([20000], { generator: g() });
    expect(x.dtype).toBe('float32');
    expect(x.min().item()).toBeGreaterThanOrEqual(0);
    expect(x.max().item()).toBeLessThan(1);
    const [m, s] = meanStd(x.toTypedArray());
    expect(m).toBeCloseTo(0.5, 2);
    expect(s).toBeCloseTo(1 / Math.sqrt(12), 2);
  });

  it('randn and normal: the requested mean and standard deviation', () => {
    const [m, s] = meanStd(randn([20000], { generator: g(), dtype: "float64" }).toTypedArray());
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(s - 1)).toBeLessThan(0.02);
    const [m2, s2] = meanStd(normal([20000], 3, 0.5, { generator: g() }).toTypedArray());
    expect(Math.abs(m2 - 3)).toBeLessThan(0.015);
    expect(Math.abs(s2 - 0.5)).toBeLessThan(0.01);
  });

  it('uniform covers [low, high)', () => {
    const x = uniform([10000], -2, 3, { generator: g() });
    expect(x.min().item()).toBeGreaterThanOrEqual(-2);
    expect(x.max().item()).toBeLessThan(3);
    expect(meanStd(x.toTypedArray())[0]).toBeCloseTo(0.5, 1);
  });

  it('randint hits every value of [low, high) and no other', () => {
    const x = randint(-3, 4, [5000], { generator: g() });
    expect(x.dtype).toBe('int32');
    expect(new Set(x.toTypedArray())).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(() => randint(3, 3, [2])).toThrow('randint: expects integers with low < high, got low=3 high=3');
  });

  it('randperm is a permutation, different for different seeds', () => {
    const p = randperm(50, { generator: g() });
    expect(p.dtype).toBe('int32');
    expect(Array.from(p.toTypedArray()).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p.toArray()).not.toEqual(randperm(50, { generator: new Generator(12) }).toArray());
    expect(randperm(0).size).toBe(0);
  });
});
