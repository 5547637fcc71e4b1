import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conv2dBackwardInput, conv2dBackwardInputNaive, conv2dBackwardWeight, conv2dBackwardWeightNaive,
  conv2dForward, conv2dForwardNaive, SPARSE_GRAD_DENSITY, SPARSE_GRAD_DENSITY_WASM,
} from './conv2d.js';
import type { Conv2dGeometry, FloatArray } from './kernel-types.js';
import { decode, fill, type Json } from './test-data.js';
import { setWasmKernels, wasmRuntime } from './wasm/runtime.js';

interface ConvFixture {
  x: Json[]; xShape: number[]; w: Json[]; wShape: number[];
  stride: number[]; padding: number[]; dilation: number[]; groups: number;
  y: Json[]; yShape: number[]; gy: Json[]; gx: Json[]; gw: Json[];
}
const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/kernels_fixtures.json', import.meta.url), 'utf8')) as { conv2d: ConvFixture[] };

function outSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function expectClose(actual: FloatArray, expected: FloatArray, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) {
      throw new Error(`${what}, element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
    }
  }
}

const arbGeometry = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }),
    cg: fc.integer({ min: 1, max: 3 }), og: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
    strideH: fc.integer({ min: 1, max: 3 }), strideW: fc.integer({ min: 1, max: 3 }),
    padH: fc.integer({ min: 0, max: 2 }), padW: fc.integer({ min: 0, max: 2 }),
    dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map((r) => ({
    g: {
      n: r.n, c: r.cg * r.groups, h: r.h, w: r.w, o: r.og * r.groups, kh: r.kh, kw: r.kw,
      strideH: r.strideH, strideW: r.strideW, padH: r.padH, padW: r.padW,
      dilationH: r.dilationH, dilationW: r.dilationW, groups: r.groups,
      oh: outSize(r.h, r.kh, r.strideH, r.padH, r.dilationH), ow: outSize(r.w, r.kw, r.strideW, r.padW, r.dilationW),
    } satisfies Conv2dGeometry,
    seed: r.seed,
  }))
  .filter(({ g }) => g.oh >= 1 && g.ow >= 1);

function sizes(g: Conv2dGeometry) {
  return { x: g.n * g.c * g.h * g.w, w: g.o * (g.c / g.groups) * g.kh * g.kw, y: g.n * g.o * g.oh * g.ow };
}

/** All three fast passes against their naive oracles on one geometry. */
function compareAll(g: Conv2dGeometry, seed: number, ctor: Float32ArrayConstructor | Float64ArrayConstructor, tol: number, gyDensity = 1): void {
  const s = sizes(g);
  const x = fill(new ctor(s.x), seed), w = fill(new ctor(s.w), seed + 1), gy = fill(new ctor(s.y), seed + 2);
  // Zero all but about gyDensity of gy (as behind a max pool), which sends the backward passes down their sparse path.
  if (gyDensity < 1) for (let i = 0; i < gy.length; i++) if (Math.abs(gy[i]) > gyDensity) gy[i] = 0;
  // Each pass sums this many products per output element.
  const taps = g.kh * g.kw, reduction = { forward: (g.c / g.groups) * taps, input: (g.o / g.groups) * taps, weight: g.n * g.oh * g.ow };
  const pairs: [string, (out: FloatArray) => void, (out: FloatArray) => void, number, number][] = [
    ['forward', (o) => conv2dForward(x, w, g, o), (o) => conv2dForwardNaive(x, w, g, o), s.y, reduction.forward],
    ['input grad', (o) => conv2dBackwardInput(gy, w, g, o), (o) => conv2dBackwardInputNaive(gy, w, g, o), s.x, reduction.input],
    ['weight grad', (o) => conv2dBackwardWeight(gy, x, g, o), (o) => conv2dBackwardWeightNaive(gy, x, g, o), s.w, reduction.weight],
  ];
  for (const [what, fast, naive, size, terms] of pairs) {
    // Outputs start as NaN garbage: every kernel must overwrite all of it.
    const a = new ctor(size).fill(Number.NaN), b = new ctor(size).fill(Number.NaN);
    fast(a);
    naive(b);
    // The naive kernel sums in doubles; the fast float32 gemm (WebAssembly) sums in float32, whose
    // rounding error grows with the number of terms: allow 2 ulps of 1 per term.
    const tolerance = ctor === Float32Array ? Math.max(tol, 2 * terms * 2 ** -24) : tol;
    expectClose(a, b, tolerance, `${what} ${JSON.stringify(g)}`);
  }
}

describe('conv2d kernels', () => {
  it('naive and fast match PyTorch (forward, input and weight gradients)', () => {
    for (const f of fixtures.conv2d) {
      const [n, c, h, w] = f.xShape, [o, , kh, kw] = f.wShape, [, , oh, ow] = f.yShape;
      const g: Conv2dGeometry = {
        n, c, h, w, o, kh, kw, strideH: f.stride[0], strideW: f.stride[1], padH: f.padding[0], padW: f.padding[1],
        dilationH: f.dilation[0], dilationW: f.dilation[1], groups: f.groups, oh, ow,
      };
      const x = decode(f.x), wt = decode(f.w), gy = decode(f.gy);
      for (const [label, fwd, bin, bw] of [
        ['naive', conv2dForwardNaive, conv2dBackwardInputNaive, conv2dBackwardWeightNaive],
        ['fast', conv2dForward, conv2dBackwardInput, conv2dBackwardWeight],
      ] as const) {
        const y = new Float64Array(f.y.length), gx = new Float64Array(f.x.length), gw = new Float64Array(f.w.length);
        fwd(x, wt, g, y);
        bin(gy, wt, g, gx);
        bw(gy, x, g, gw);
        expectClose(y, decode(f.y), 1e-12, `${label} forward`);
        expectClose(gx, decode(f.gx), 1e-12, `${label} input grad`);
        expectClose(gw, decode(f.gw), 1e-12, `${label} weight grad`);
      }
    }
  });

  it('fast equals naive in float64 on random geometry (stride, padding, dilation, groups)', () => {
    fc.assert(fc.property(arbGeometry, ({ g, seed }) => compareAll(g, seed, Float64Array, 1e-12)), { numRuns: 120 });
  });

  it('fast equals naive in float32 on random geometry (in wasm memory: ./wasm/conv2d-wasm.ts)', () => {
    expect(wasmRuntime()).not.toBeNull();
    fc.assert(fc.property(arbGeometry, ({ g, seed }) => compareAll(g, seed, Float32Array, 1e-5)), { numRuns: 60 });
  });

  it('fast equals naive in float32 with the WebAssembly kernels off (the TypeScript path)', () => {
    setWasmKernels(false);
    try {
      fc.assert(fc.property(arbGeometry, ({ g, seed }) => compareAll(g, seed, Float32Array, 1e-5)), { numRuns: 40 });
    } finally {
      setWasmKernels(true);
    }
  });

  it('fast equals naive when gy is mostly zeros (the sparse backward path)', () => {
    expect(SPARSE_GRAD_DENSITY).toBeGreaterThan(0.05);
    expect(SPARSE_GRAD_DENSITY_WASM).toBeGreaterThan(0.01); // float32 with the wasm gemm goes sparse later
    fc.assert(fc.property(arbGeometry, ({ g, seed }) => compareAll(g, seed, Float64Array, 1e-12, 0.05)), { numRuns: 80 });
    fc.assert(fc.property(arbGeometry, ({ g, seed }) => compareAll(g, seed, Float32Array, 1e-5, 0.05)), { numRuns: 40 });
    fc.assert(fc.property(arbGeometry, ({ g, seed }) => compareAll(g, seed, Float32Array, 1e-5, 0.01)), { numRuns: 40 });
  });

  it('fast equals naive on the study layers, small batch', () => {
    const conv1: Conv2dGeometry = { n: 2, c: 1, h: 28, w: 28, o: 32, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1, oh: 26, ow: 26 };
    const conv2: Conv2dGeometry = { n: 2, c: 32, h: 13, w: 13, o: 64, kh: 5, kw: 5, strideH: 3, strideW: 3, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1, oh: 4, ow: 4 };
    compareAll(conv1, 11, Float32Array, 1e-5);
    compareAll(conv2, 12, Float32Array, 1e-5);
    compareAll(conv1, 13, Float32Array, 1e-5, 0.05);
    compareAll(conv2, 14, Float32Array, 1e-5, 0.05);
    compareAll(conv1, 15, Float32Array, 1e-5, 0.01);
    compareAll(conv2, 16, Float32Array, 1e-5, 0.01);
  });

  it('fast equals naive when a large batch runs the batched path in chunks of images', () => {
    // K = 1600 taps, 4 pixels an image: 700 images need 4.48M column entries, over the 4M chunk limit.
    const big: Conv2dGeometry = { n: 700, c: 64, h: 6, w: 6, o: 3, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 2 };
    compareAll(big, 21, Float64Array, 1e-12);
  });

  it('names the buffer and the geometry when a length is wrong', () => {
    const g: Conv2dGeometry = { n: 1, c: 2, h: 3, w: 3, o: 2, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 2 };
    expect(() => conv2dForward(new Float32Array(17), new Float32Array(16), g, new Float32Array(8))).toThrow(
      'conv2dForward: x has 17 elements, expected n*c*h*w (n=1, c=2, h=3, w=3, o=2, kh=2, kw=2, oh=2, ow=2, groups=1) = 18',
    );
    expect(() => conv2dBackwardWeight(new Float32Array(8), new Float32Array(18), { ...g, groups: 4 }, new Float32Array(16))).toThrow(
      'conv2dBackwardWeight: groups (4) must divide both in channels (2) and out channels (2)',
    );
  });
});
