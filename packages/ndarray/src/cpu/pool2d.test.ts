import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FloatArray, Pool2dGeometry } from './kernel-types.js';
import {
  avgPool2dBackward, avgPool2dBackwardNaive, avgPool2dForward, avgPool2dForwardNaive,
  maxPool2dBackward, maxPool2dBackwardNaive, maxPool2dForward, maxPool2dForwardNaive,
} from './pool2d.js';
import { decode, fill, type Json } from './test-data.js';

interface PoolFixture {
  x: Json[]; xShape: number[]; kernel: number[]; stride: number[]; padding: number[]; dilation?: number[];
  ceilMode: boolean; countIncludePad?: boolean; divisorOverride?: number | null;
  y: Json[]; yShape: number[]; indices?: number[]; gy: Json[]; gx: Json[];
}
const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/kernels_fixtures.json', import.meta.url), 'utf8')) as {
  maxPool2d: PoolFixture[]; maxPool2dEmptyWindow: PoolFixture; avgPool2d: PoolFixture[];
};

/** PyTorch's pooling_output_shape: the last window must start inside the input or its left padding. */
function poolOut(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  let out = Math.floor(span / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** Equal within tol, with NaN equal to NaN and infinities compared exactly. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) throw new Error(`${what}, element ${i}: ${a} vs ${e} (tolerance ${tol})`);
  }
}

function geometryOf(f: PoolFixture): Pool2dGeometry {
  const [n, c, h, w] = f.xShape, [, , oh, ow] = f.yShape;
  return {
    n, c, h, w, kh: f.kernel[0], kw: f.kernel[1], strideH: f.stride[0], strideW: f.stride[1],
    padH: f.padding[0], padW: f.padding[1], dilationH: f.dilation?.[0] ?? 1, dilationW: f.dilation?.[1] ?? 1, oh, ow,
  };
}

const arbPool = (withDilation: boolean) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 10 }), w: fc.integer({ min: 1, max: 10 }),
      kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
      strideH: fc.integer({ min: 1, max: 3 }), strideW: fc.integer({ min: 1, max: 3 }),
      padH: fc.integer({ min: 0, max: 2 }), padW: fc.integer({ min: 0, max: 2 }),
      dilationH: fc.integer({ min: 1, max: withDilation ? 3 : 1 }), dilationW: fc.integer({ min: 1, max: withDilation ? 3 : 1 }),
      ceil: fc.boolean(), countIncludePad: fc.boolean(), divisor: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
      seed: fc.integer({ min: 1, max: 1e6 }), nanAt: fc.option(fc.nat(), { nil: undefined }),
    })
    // PyTorch requires padding <= kernel / 2 (so no window lies wholly in the padding).
    .filter((r) => 2 * r.padH <= r.kh && 2 * r.padW <= r.kw)
    .map((r) => ({
      ...r,
      g: {
        n: r.n, c: r.c, h: r.h, w: r.w, kh: r.kh, kw: r.kw, strideH: r.strideH, strideW: r.strideW,
        padH: r.padH, padW: r.padW, dilationH: r.dilationH, dilationW: r.dilationW,
        oh: poolOut(r.h, r.kh, r.strideH, r.padH, r.dilationH, r.ceil), ow: poolOut(r.w, r.kw, r.strideW, r.padW, r.dilationW, r.ceil),
      } satisfies Pool2dGeometry,
    }))
    .filter(({ g }) => g.oh >= 1 && g.ow >= 1);

describe('max pooling', () => {
  it('naive and fast match PyTorch, NaN and -Infinity included', () => {
    for (const f of fixtures.maxPool2d) {
      const g = geometryOf(f), x = decode(f.x), gy = decode(f.gy);
      for (const [label, fwd, bwd] of [['naive', maxPool2dForwardNaive, maxPool2dBackwardNaive], ['fast', maxPool2dForward, maxPool2dBackward]] as const) {
        const y = new Float64Array(f.y.length), idx = new Int32Array(f.y.length), gx = new Float64Array(f.x.length);
        fwd(x, g, y, idx);
        expectClose(y, decode(f.y), 0, `${label} values`);
        expect(Array.from(idx), `${label} indices`).toEqual(f.indices);
        bwd(gy, idx, g, gx);
        expectClose(gx, decode(f.gx), 1e-12, `${label} gradient`);
      }
    }
  });

  it('fast equals naive on random geometry (stride, padding, dilation, ceil mode, NaN)', () => {
    fc.assert(
      fc.property(arbPool(true), ({ g, seed, nanAt }) => {
        for (const ctor of [Float64Array, Float32Array]) {
          const x = fill(new ctor(g.n * g.c * g.h * g.w), seed), gy = fill(new ctor(g.n * g.c * g.oh * g.ow), seed + 1);
          if (nanAt !== undefined) x[nanAt % x.length] = Number.NaN;
          const size = gy.length;
          const y1 = new ctor(size), y2 = new ctor(size), i1 = new Int32Array(size), i2 = new Int32Array(size);
          maxPool2dForward(x, g, y1, i1);
          maxPool2dForwardNaive(x, g, y2, i2);
          expectClose(y1, y2, 0, 'values');
          expect(Array.from(i1)).toEqual(Array.from(i2));
          // A window wholly in the padding reports an index outside the plane (as PyTorch); nothing to route back.
          if (i1.some((at) => at >= g.h * g.w)) return;
          const gx1 = new ctor(x.length).fill(Number.NaN), gx2 = new ctor(x.length).fill(Number.NaN);
          maxPool2dBackward(gy, i1, g, gx1);
          maxPool2dBackwardNaive(gy, i2, g, gx2);
          expectClose(gx1, gx2, 1e-12, 'gradient');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reports a window wholly in the padding as PyTorch does (-Infinity, the first tap\'s index)', () => {
    const f = fixtures.maxPool2dEmptyWindow, g = geometryOf(f), x = decode(f.x);
    for (const fwd of [maxPool2dForwardNaive, maxPool2dForward]) {
      const y = new Float64Array(f.y.length), idx = new Int32Array(f.y.length);
      fwd(x, g, y, idx);
      expectClose(y, decode(f.y), 0, 'values');
      expect(Array.from(idx)).toEqual(f.indices);
    }
  });

  it('rejects an index outside the plane', () => {
    const g: Pool2dGeometry = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
    expect(() => maxPool2dBackward(new Float32Array(1), new Int32Array([4]), g, new Float32Array(4))).toThrow(
      'maxPool2dBackward: index 4 at output position 0 is outside the h*w plane of 4 elements',
    );
    expect(() => maxPool2dForward(new Float32Array(4), g, new Float32Array(2), new Int32Array(1))).toThrow(
      'maxPool2dForward: out has 2 elements, expected n*c*oh*ow (n=1, c=1, h=2, w=2, oh=1, ow=1) = 1',
    );
  });
});

describe('average pooling', () => {
  it('naive and fast match PyTorch (ceil mode, countIncludePad, divisorOverride)', () => {
    for (const f of fixtures.avgPool2d) {
      const g = geometryOf(f), x = decode(f.x), gy = decode(f.gy);
      const include = f.countIncludePad ?? true, divisor = f.divisorOverride ?? undefined;
      for (const [label, fwd, bwd] of [['naive', avgPool2dForwardNaive, avgPool2dBackwardNaive], ['fast', avgPool2dForward, avgPool2dBackward]] as const) {
        const y = new Float64Array(f.y.length), gx = new Float64Array(f.x.length);
        fwd(x, g, include, divisor, y);
        expectClose(y, decode(f.y), 1e-12, `${label} values`);
        bwd(gy, g, include, divisor, gx);
        expectClose(gx, decode(f.gx), 1e-12, `${label} gradient`);
      }
    }
  });

  it('fast equals naive on random geometry', () => {
    fc.assert(
      fc.property(arbPool(false), ({ g, seed, countIncludePad, divisor }) => {
        for (const [ctor, tol] of [[Float64Array, 1e-12], [Float32Array, 1e-6]] as const) {
          const x = fill(new ctor(g.n * g.c * g.h * g.w), seed), gy = fill(new ctor(g.n * g.c * g.oh * g.ow), seed + 1);
          const y1 = new ctor(gy.length).fill(Number.NaN), y2 = new ctor(gy.length).fill(Number.NaN);
          avgPool2dForward(x, g, countIncludePad, divisor, y1);
          avgPool2dForwardNaive(x, g, countIncludePad, divisor, y2);
          expectClose(y1, y2, tol, 'values');
          const gx1 = new ctor(x.length).fill(Number.NaN), gx2 = new ctor(x.length).fill(Number.NaN);
          avgPool2dBackward(gy, g, countIncludePad, divisor, gx1);
          avgPool2dBackwardNaive(gy, g, countIncludePad, divisor, gx2);
          expectClose(gx1, gx2, tol, 'gradient');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects dilation and a zero divisor', () => {
    const g: Pool2dGeometry = { n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 2, dilationW: 1, oh: 1, ow: 2 };
    expect(() => avgPool2dForward(new Float32Array(16), g, true, undefined, new Float32Array(2))).toThrow(
      'avgPool2dForward: average pooling has no dilation (as PyTorch), got dilation [2, 1]',
    );
    expect(() => avgPool2dBackward(new Float32Array(4), { ...g, dilationH: 1, oh: 2 }, true, 0, new Float32Array(16))).toThrow(
      'avgPool2dBackward: divisorOverride must be a non-zero number, got 0',
    );
  });
});
