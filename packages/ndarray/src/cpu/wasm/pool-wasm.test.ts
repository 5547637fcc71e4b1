import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pool2dGeometry } from '../kernel-types.js';
import { maxPool2dBackwardNaive, maxPool2dForwardNaive } from '../pool2d.js';
import { fill, inWasmMemory } from '../test-data.js';
import { maxPool2dBackwardWasm, maxPool2dForwardWasm } from './pool-wasm.js';
import { wasmRuntime } from './runtime.js';
import { setCpuThreads, workerJobs } from './threads.js';

/** Geometries the wasm kernel takes: no padding or dilation, windows inside the input, rows of 4+ outputs. */
const arbGeometry = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 4, max: 30 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
    strideH: fc.integer({ min: 1, max: 4 }), strideW: fc.integer({ min: 1, max: 4 }),
  })
  .map((r): Pool2dGeometry => ({
    ...r, padH: 0, padW: 0, dilationH: 1, dilationW: 1,
    oh: Math.floor((r.h - r.kh) / r.strideH) + 1, ow: Math.floor((r.w - r.kw) / r.strideW) + 1,
  }))
  .filter((g) => g.kh <= g.h && g.ow >= 4);

/** Random values with ties, NaN, ±Infinity and ±0 mixed in. */
function input(size: number, seed: number, specials: readonly number[]): Float32Array {
  const x = new Float32Array(size);
  fill(x, seed);
  for (let i = 0; i < size; i++) {
    const r = (i * 7919 + seed) % 13;
    if (r < specials.length) x[i] = specials[r];
    else if (r === 12) x[i] = x[Math.max(0, i - 1)]; // a tie with the previous element
  }
  return x;
}

describe('maxPool2dForwardWasm', () => {
  it('gives the naive kernel\'s values and indices bit for bit (NaN, infinities, ties, stride 2 and others; in and out of wasm memory)', () => {
    fc.assert(fc.property(arbGeometry, fc.nat(1000), fc.boolean(), fc.boolean(), (g, seed, withSpecials, inWasm) => {
      let x: Float32Array = input(g.n * g.c * g.h * g.w, seed, withSpecials ? [Number.NaN, -Infinity, Infinity, -0, 0] : []);
      const size = g.n * g.c * g.oh * g.ow;
      let out: Float32Array = new Float32Array(size).fill(7), idx: Int32Array = new Int32Array(size).fill(-1);
      if (inWasm) [x, out, idx] = [inWasmMemory(x), inWasmMemory(out), inWasmMemory(idx)];
      const expected = new Float32Array(size), expectedIdx = new Int32Array(size);
      expect(maxPool2dForwardWasm(x, g, out, idx, 0)).toBe(true);
      maxPool2dForwardNaive(x, g, expected, expectedIdx);
      expect(Array.from(idx)).toEqual(Array.from(expectedIdx));
      expect(Array.from(out)).toEqual(Array.from(expected)); // toEqual: NaN equals NaN, -0 differs from 0
    }), { numRuns: 200 });
  });

  it('reports the first tap of a window of -Infinity, and lets the last NaN win', () => {
    const g: Pool2dGeometry = { n: 1, c: 1, h: 2, w: 8, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, oh: 1, ow: 4 };
    const x = new Float32Array([-Infinity, -Infinity, 1, Number.NaN, 5, 6, 0, 0, -Infinity, -Infinity, Number.NaN, 2, 7, 5, 0, -0]);
    const out = new Float32Array(4), idx = new Int32Array(4);
    expect(maxPool2dForwardWasm(x, g, out, idx, 0)).toBe(true);
    expect(Array.from(idx)).toEqual([0, 10, 12, 6]);
    expect(Array.from(out)).toEqual([-Infinity, Number.NaN, 7, 0]);
  });

  it('declines padding, dilation, rows under four outputs and float64 (the TypeScript loop runs)', () => {
    const g: Pool2dGeometry = { n: 1, c: 1, h: 4, w: 8, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, oh: 2, ow: 4 };
    const out = new Float32Array(8), idx = new Int32Array(8), x = new Float32Array(32);
    expect(maxPool2dForwardWasm(x, { ...g, padW: 1, ow: 5 }, new Float32Array(10), new Int32Array(10), 0)).toBe(false);
    expect(maxPool2dForwardWasm(x, { ...g, dilationW: 2, ow: 3 }, new Float32Array(6), new Int32Array(6), 0)).toBe(false);
    expect(maxPool2dForwardWasm(x, { ...g, w: 6, ow: 3 }, new Float32Array(6), new Int32Array(6), 0)).toBe(false);
    expect(maxPool2dForwardWasm(new Float64Array(32), g, new Float64Array(8), idx, 0)).toBe(false);
    expect(maxPool2dForwardWasm(x, g, out, idx)).toBe(false); // 8 outputs: under the size threshold
  });
});

describe('maxPool2dBackwardWasm', () => {
  it('adds each gradient where its index points, in the naive kernel\'s order (bit for bit; in and out of wasm memory)', () => {
    fc.assert(fc.property(arbGeometry, fc.nat(1000), fc.boolean(), (g, seed, inWasm) => {
      const x = input(g.n * g.c * g.h * g.w, seed, []);
      const size = g.n * g.c * g.oh * g.ow;
      let idx: Int32Array = new Int32Array(size);
      maxPool2dForwardNaive(x, g, new Float32Array(size), idx);
      // Overlapping windows (stride under kernel) send several gradients to one input: sums in order.
      let gy: Float32Array = new Float32Array(size);
      fill(gy, seed + 1);
      let gx: Float32Array = new Float32Array(x.length).fill(Number.NaN);
      const expected = new Float32Array(x.length);
      if (inWasm) [gy, idx, gx] = [inWasmMemory(gy), inWasmMemory(idx), inWasmMemory(gx)];
      expect(maxPool2dBackwardWasm(gy, idx, g, gx, 0)).toBe(true);
      maxPool2dBackwardNaive(gy, idx, g, expected);
      expect(Array.from(gx)).toEqual(Array.from(expected));
    }), { numRuns: 150 });
  });

  it('declines an index outside its plane (the TypeScript loop reports it) and float64', () => {
    const g: Pool2dGeometry = { n: 1, c: 2, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
    const gy = new Float32Array([1, 2]);
    expect(maxPool2dBackwardWasm(gy, new Int32Array([3, 4]), g, new Float32Array(8), 0)).toBe(false);
    expect(maxPool2dBackwardWasm(gy, new Int32Array([-1, 0]), g, new Float32Array(8), 0)).toBe(false);
    expect(maxPool2dBackwardWasm(new Float64Array(2), new Int32Array([0, 0]), g, new Float64Array(8), 0)).toBe(false);
    const gx = new Float32Array(8);
    expect(maxPool2dBackwardWasm(gy, new Int32Array([3, 1]), g, gx, 0)).toBe(true);
    expect(Array.from(gx)).toEqual([0, 0, 0, 1, 0, 2, 0, 0]);
  });
});

describe('max pooling on worker threads', () => {
  afterAll(() => setCpuThreads(1));

  // The study's pool1 at batch 16: 512 planes of 26 x 26, split into shares of planes.
  const g: Pool2dGeometry = { n: 16, c: 32, h: 26, w: 26, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, oh: 13, ow: 13 };
  const x = input(g.n * g.c * g.h * g.w, 5, [Number.NaN, Number.POSITIVE_INFINITY, -0]);
  const size = g.n * g.c * g.oh * g.ow;
  const gy = new Float32Array(size);
  fill(gy, 6);

  /** Runs until a worker has run a share (while the workers start, or on a busy machine, the calling thread may run them all). */
  async function untilWorkersRan(run: () => void): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      run();
      if (workerJobs() > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it.each([false, true])('gives the naive values, indices and gradient bit for bit on 1, 2 and 3 threads (in wasm memory: %s)', async (inWasm) => {
    const out = new Float32Array(size), idx = new Int32Array(size), gxNaive = new Float32Array(x.length);
    maxPool2dForwardNaive(x, g, out, idx);
    maxPool2dBackwardNaive(gy, idx, g, gxNaive);
    const [xIn, gyIn] = inWasm ? [inWasmMemory(x), inWasmMemory(gy)] : [x, gy];
    for (const threads of [1, 2, 3]) {
      setCpuThreads(threads);
      let o: Float32Array = new Float32Array(size), i: Int32Array = new Int32Array(size), gx: Float32Array = new Float32Array(x.length);
      if (inWasm) [o, i, gx] = [inWasmMemory(o), inWasmMemory(i), inWasmMemory(gx)];
      expect(wasmRuntime()?.addressOf(gx) !== -1).toBe(inWasm);
      const run = (): void => {
        o.fill(Number.NaN);
        gx.fill(Number.NaN);
        expect(maxPool2dForwardWasm(xIn, g, o, i)).toBe(true);
        expect(maxPool2dBackwardWasm(gyIn, i, g, gx)).toBe(true);
      };
      if (threads > 1) {
        await untilWorkersRan(run);
        expect(workerJobs()).toBeGreaterThan(0); // workers ran shares
      } else {
        run();
      }
      expect(Array.from(o)).toEqual(Array.from(out));
      expect(Array.from(i)).toEqual(Array.from(idx));
      expect(Array.from(gx)).toEqual(Array.from(gxNaive));
    }
  });

  it('declines an index outside its plane in a worker\'s share as on one thread', async () => {
    setCpuThreads(2);
    const bad = new Int32Array(size);
    bad[size - 1] = g.h * g.w; // in the last plane: the second share's
    await untilWorkersRan(() => {
      expect(maxPool2dBackwardWasm(gy, bad, g, new Float32Array(x.length))).toBe(false);
    });
    expect(workerJobs()).toBeGreaterThan(0);
  });
});
