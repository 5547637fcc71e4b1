import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2dBackwardInputNaive, conv2dBackwardWeightNaive, conv2dForwardNaive } from '../conv2d.js';
import type { Conv2dGeometry } from '../kernel-types.js';
import { fill, inWasmMemory, onThreads } from '../test-data.js';
import { conv2dBackwardInputDirect, conv2dBackwardWeightDirect, conv2dForwardDirect, directConvApplies, setDirectConv } from './direct-conv-wasm.js';
import { wasmFeatures } from './features.js';
import { createWasmRuntime } from './runtime.js';
import { setCpuThreads, workerJobs } from './threads.js';

interface Shape { n: number; c: number; o: number; h: number; w: number; kh: number; kw: number; strideH: number; strideW: number; padH: number; padW: number; dilationH: number; dilationW: number }

function geometry(s: Shape): Conv2dGeometry {
  const out = (size: number, pad: number, k: number, dilation: number, stride: number): number => Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  return {
    n: s.n, c: s.c, h: s.h, w: s.w, o: s.o, kh: s.kh, kw: s.kw, strideH: s.strideH, strideW: s.strideW, padH: s.padH, padW: s.padW,
    dilationH: s.dilationH, dilationW: s.dilationW, groups: 1,
    oh: out(s.h, s.padH, s.kh, s.dilationH, s.strideH), ow: out(s.w, s.padW, s.kw, s.dilationW, s.strideW),
  };
}

/** Random operands of a geometry (float32), from a seed. */
function operands(g: Conv2dGeometry, seed: number): { x: Float32Array; w: Float32Array; bias: Float32Array; gy: Float32Array } {
  return {
    x: fill(new Float32Array(g.n * g.c * g.h * g.w), seed) as Float32Array,
    w: fill(new Float32Array(g.o * g.c * g.kh * g.kw), seed + 1) as Float32Array,
    bias: fill(new Float32Array(g.o), seed + 2) as Float32Array,
    gy: fill(new Float32Array(g.n * g.o * g.oh * g.ow), seed + 3) as Float32Array,
  };
}

/** float32 sums of `terms` products of values in [-1, 1): the error grows like terms * 2^-24 at worst. */
function expectClose(actual: Float32Array, expected: Float64Array, terms: number, what: string): void {
  const tol = 4 * (terms + 2) * 2 ** -24;
  const bad = expected.findIndex((e, i) => !(Math.abs(actual[i] - e) <= tol * Math.max(1, Math.abs(e))));
  expect(bad, bad >= 0 ? `${what}, element ${bad}: ${actual[bad]} vs ${expected[bad]} (tolerance ${tol})` : what).toBe(-1);
}

/** Bit equality (toEqual walks large typed arrays slowly). */
function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length), e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  expect(a.length, what).toBe(e.length);
  const bad = e.findIndex((v, i) => a[i] !== v);
  expect(bad, bad >= 0 ? `${what}, element ${bad}: ${actual[bad]} vs ${expected[bad]}` : what).toBe(-1);
}

const shapes: fc.Arbitrary<Shape> = fc.record({
  n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 4 }), o: fc.integer({ min: 1, max: 11 }),
  h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 21 }),
  kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  strideH: fc.integer({ min: 1, max: 3 }), strideW: fc.integer({ min: 1, max: 3 }),
  padH: fc.integer({ min: 0, max: 2 }), padW: fc.integer({ min: 0, max: 2 }),
  dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
}).filter((s) => {
  const g = geometry(s);
  return g.oh >= 1 && g.ow >= 1 && directConvApplies(g);
});

const runtimes = [
  { name: 'mul + add', rt: createWasmRuntime(false) },
  ...(wasmFeatures().relaxedSimd ? [{ name: 'relaxed fma', rt: createWasmRuntime(true) }] : []),
];

describe.each(runtimes)('the direct convolution ($name)', ({ rt }) => {
  it('forward with and without bias matches the naive kernel on random shapes (padding, dilation, strides, batch, few channels, narrow rows)', () => {
    fc.assert(fc.property(shapes, fc.boolean(), fc.nat(1000), (s, withBias, seed) => {
      const g = geometry(s), { x, w, bias } = operands(g, seed);
      const out = new Float32Array(g.n * g.o * g.oh * g.ow).fill(Number.NaN);
      expect(conv2dForwardDirect(x, w, withBias ? bias : null, g, out, rt)).toBe(true);
      const expected = new Float64Array(out.length);
      conv2dForwardNaive(Float64Array.from(x), Float64Array.from(w), g, expected);
      if (withBias) expected.forEach((v, i) => { expected[i] = v + bias[Math.floor(i / (g.oh * g.ow)) % g.o]; });
      expectClose(out, expected, g.c * g.kh * g.kw + 1, 'y');
    }), { numRuns: 150 });
  });

  it('weight gradient matches the naive kernel on random shapes', () => {
    fc.assert(fc.property(shapes, fc.nat(1000), (s, seed) => {
      const g = geometry(s), { x, w, gy } = operands(g, seed);
      const gw = new Float32Array(w.length).fill(Number.NaN);
      expect(conv2dBackwardWeightDirect(gy, x, g, gw, rt)).toBe(true);
      const expected = new Float64Array(w.length);
      conv2dBackwardWeightNaive(Float64Array.from(gy), Float64Array.from(x), g, expected);
      expectClose(gw, expected, g.n * g.oh * g.ow, 'gw');
    }), { numRuns: 150 });
  });

  it('input gradient matches the naive kernel on random shapes', () => {
    fc.assert(fc.property(shapes, fc.nat(1000), (s, seed) => {
      const g = geometry(s), { x, w, gy } = operands(g, seed);
      const gx = new Float32Array(x.length).fill(Number.NaN);
      expect(conv2dBackwardInputDirect(gy, w, g, gx, rt)).toBe(true);
      const expected = new Float64Array(x.length);
      conv2dBackwardInputNaive(Float64Array.from(gy), Float64Array.from(w), g, expected);
      expectClose(gx, expected, g.o * g.kh * g.kw, 'gx');
    }), { numRuns: 150 });
  });

  it('weight gradient: an infinity in the image gives what the naive kernel gives, also where a row\'s last vector overlaps', () => {
    // ow = 10: the row's last vector (x = 6..9) overlaps the one before (x = 4..7) at x = 6, 7.
    const g = geometry({ n: 1, c: 1, o: 4, h: 3, w: 12, kh: 2, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 });
    for (const at of [6, 7, 12 + 7, 12 + 9]) {
      const { x, gy } = operands(g, at);
      x[at] = Number.POSITIVE_INFINITY;
      const gw = new Float32Array(g.o * g.kh * g.kw), expected = new Float64Array(gw.length);
      expect(conv2dBackwardWeightDirect(gy, x, g, gw, rt)).toBe(true);
      conv2dBackwardWeightNaive(Float64Array.from(gy), Float64Array.from(x), g, expected);
      expected.forEach((e, i) => {
        if (Number.isFinite(e)) expect(Math.abs(gw[i] - e), `gw[${i}], inf at ${at}`).toBeLessThan(1e-5);
        else expect(gw[i], `gw[${i}], inf at ${at}`).toBe(e);
      });
    }
  });

  it('input gradient: an infinite weight gives what the naive kernel gives, also past a row\'s last whole vector', () => {
    // ow = 10: each row ends with a partial vector (x = 8, 9), whose lanes past ow must add nothing.
    const g = geometry({ n: 1, c: 2, o: 3, h: 3, w: 12, kh: 2, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 });
    for (const at of [0, 5, 17]) {
      const { w, gy } = operands(g, at);
      w[at] = Number.NEGATIVE_INFINITY;
      const gx = new Float32Array(g.n * g.c * g.h * g.w), expected = new Float64Array(gx.length);
      expect(conv2dBackwardInputDirect(gy, w, g, gx, rt)).toBe(true);
      conv2dBackwardInputNaive(Float64Array.from(gy), Float64Array.from(w), g, expected);
      expected.forEach((e, i) => {
        if (Number.isFinite(e)) expect(Math.abs(gx[i] - e), `gx[${i}], inf at ${at}`).toBeLessThan(1e-5);
        else expect(gx[i], `gx[${i}], inf at ${at}`).toBe(e);
      });
    }
  });

  it('the study\'s layers: Table 3 conv1 (25 taps, padding 1, 32 channels), Table 1 conv1 (9 taps, 4 channels) and conv2 (36 taps, stride 3, 2 channels)', () => {
    for (const s of [
      { n: 3, c: 1, o: 32, h: 28, w: 28, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
      { n: 3, c: 1, o: 4, h: 28, w: 28, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 },
      { n: 3, c: 4, o: 2, h: 13, w: 13, kh: 3, kw: 3, strideH: 3, strideW: 3, padH: 0, padW: 0, dilationH: 1, dilationW: 1 },
    ]) {
      const g = geometry(s), { x, w, bias, gy } = operands(g, 7);
      const out = new Float32Array(g.n * g.o * g.oh * g.ow), gw = new Float32Array(w.length), gx = new Float32Array(x.length);
      expect(conv2dForwardDirect(x, w, bias, g, out, rt)).toBe(true);
      expect(conv2dBackwardWeightDirect(gy, x, g, gw, rt)).toBe(true);
      expect(conv2dBackwardInputDirect(gy, w, g, gx, rt)).toBe(true);
      const y = new Float64Array(out.length), gw64 = new Float64Array(w.length), gx64 = new Float64Array(x.length);
      conv2dForwardNaive(Float64Array.from(x), Float64Array.from(w), g, y);
      y.forEach((v, i) => { y[i] = v + bias[Math.floor(i / (g.oh * g.ow)) % g.o]; });
      conv2dBackwardWeightNaive(Float64Array.from(gy), Float64Array.from(x), g, gw64);
      conv2dBackwardInputNaive(Float64Array.from(gy), Float64Array.from(w), g, gx64);
      expectClose(out, y, s.c * s.kh * s.kw + 1, 'y');
      expectClose(gw, gw64, g.n * g.oh * g.ow, 'gw');
      expectClose(gx, gx64, g.o * g.kh * g.kw, 'gx');
    }
  });
});

describe('directConvApplies', () => {
  const table3conv1 = geometry({ n: 64, c: 1, o: 32, h: 28, w: 28, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 });
  it('takes few channels x taps at any stride, not groups, one tap or more than 64', () => {
    expect(directConvApplies(table3conv1)).toBe(true);
    expect(directConvApplies({ ...table3conv1, strideW: 2, ow: 13, o: 3 })).toBe(true);
    expect(directConvApplies({ ...table3conv1, c: 2, groups: 2 })).toBe(false);
    expect(directConvApplies({ ...table3conv1, kh: 1, kw: 1 })).toBe(false); // one tap: a plain product
    expect(directConvApplies({ ...table3conv1, c: 3 })).toBe(false); // 75 taps
  });
  it('is off after setDirectConv(false), and the kernels then decline', () => {
    setDirectConv(false);
    try {
      expect(directConvApplies(table3conv1)).toBe(false);
      expect(conv2dForwardDirect(new Float32Array(64 * 784), new Float32Array(800), null, table3conv1, new Float32Array(64 * 32 * 676))).toBe(false);
    } finally {
      setDirectConv(true);
    }
  });
});

/**
 * Where a test's arrays live: all in JavaScript memory (copied into wasm memory and out), all in
 * wasm memory (worked on in place), or only the inputs there.
 */
type Placement = 'javascript' | 'wasm' | 'inputs in wasm';

/** The three passes through the direct kernels on the default runtime: y (with bias), gw, gx. */
function passes(g: Conv2dGeometry, seed: number, placement: Placement = 'javascript'): Float32Array[] {
  const input = (a: Float32Array): Float32Array => (placement === 'javascript' ? a : inWasmMemory(a));
  const output = (a: Float32Array): Float32Array => (placement === 'wasm' ? inWasmMemory(a.fill(Number.NaN)) : a);
  const data = operands(g, seed);
  const [x, w, bias, gy] = [input(data.x), input(data.w), input(data.bias), input(data.gy)];
  const out = output(new Float32Array(gy.length)), gw = output(new Float32Array(w.length)), gx = output(new Float32Array(x.length));
  expect(conv2dForwardDirect(x, w, bias, g, out)).toBe(true);
  expect(conv2dBackwardWeightDirect(gy, x, g, gw)).toBe(true);
  expect(conv2dBackwardInputDirect(gy, w, g, gx)).toBe(true);
  return [out, gw, gx];
}

describe('the direct convolution on worker threads', () => {
  afterAll(() => setCpuThreads(1));

  // Large enough that the images split into 2 and 3 shares of at least 2^20 multiply-adds.
  const cases: [string, Shape][] = [
    ['Table 3 conv1 at batch 16', { n: 16, c: 1, o: 32, h: 28, w: 28, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 }],
    ['3 channels, 7 out channels, strides 2 and 3, dilation, padding', { n: 64, c: 3, o: 7, h: 40, w: 61, kh: 3, kw: 3, strideH: 2, strideW: 3, padH: 2, padW: 1, dilationH: 1, dilationW: 2 }],
    ['3 out channels, rows of 5', { n: 40, c: 4, o: 3, h: 80, w: 7, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 }],
  ];
  for (const [name, s] of cases) {
    it(`gives the same bits on 1, 2 and 3 threads: ${name}`, async () => {
      const g = geometry(s), { x, w, gy } = operands(g, 11);
      const run = (): Float32Array[] => passes(g, 11);
      const one = await onThreads(1, run);
      const two = await onThreads(2, run);
      expect(workerJobs()).toBeGreaterThan(0); // a worker really ran shares
      const three = await onThreads(3, run);
      expect(workerJobs()).toBeGreaterThan(0);
      ['y', 'gw', 'gx'].forEach((what, i) => {
        expectSameBits(two[i], one[i], `${what}, 2 threads`);
        expectSameBits(three[i], one[i], `${what}, 3 threads`);
      });
      const gw64 = new Float64Array(w.length);
      conv2dBackwardWeightNaive(Float64Array.from(gy), Float64Array.from(x), g, gw64);
      expectClose(one[1], gw64, g.n * g.oh * g.ow, 'gw');
      const gx64 = new Float64Array(x.length);
      conv2dBackwardInputNaive(Float64Array.from(gy), Float64Array.from(w), g, gx64);
      expectClose(one[2], gx64, g.o * g.kh * g.kw, 'gx');
    });
  }
});

describe('the direct convolution on arrays in wasm memory (no copies)', () => {
  afterAll(() => setCpuThreads(1));

  const cases: [string, Shape][] = [
    ['Table 3 conv1 at batch 16 (padded)', { n: 16, c: 1, o: 32, h: 28, w: 28, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 }],
    ['Table 1 conv1 at batch 8 (read in place)', { n: 8, c: 1, o: 4, h: 28, w: 28, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1 }],
    ['Table 1 conv2 at batch 8 (stride 3, staged)', { n: 8, c: 4, o: 2, h: 13, w: 13, kh: 3, kw: 3, strideH: 3, strideW: 3, padH: 0, padW: 0, dilationH: 1, dilationW: 1 }],
  ];
  for (const [name, s] of cases) {
    it(`gives the bits of the copying path, on 1 and 3 threads: ${name}`, async () => {
      const g = geometry(s);
      const copied = await onThreads(1, () => passes(g, 5));
      const inPlace = await onThreads(1, () => passes(g, 5, 'wasm'));
      const inputsOnly = await onThreads(1, () => passes(g, 5, 'inputs in wasm'));
      const threaded = await onThreads(3, () => passes(g, 5, 'wasm'));
      ['y', 'gw', 'gx'].forEach((what, i) => {
        expectSameBits(inPlace[i], copied[i], `${what}, in place`);
        expectSameBits(inputsOnly[i], copied[i], `${what}, inputs in place`);
        expectSameBits(threaded[i], copied[i], `${what}, in place on 3 threads`);
      });
    });
  }
});
