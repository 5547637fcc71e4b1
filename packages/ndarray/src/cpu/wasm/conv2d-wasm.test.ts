import { afterAll, describe, expect, it } from 'vitest';
import { conv2dBackwardInputNaive, conv2dBackwardWeightNaive, conv2dForwardNaive } from '../conv2d.js';
import type { Conv2dGeometry } from '../kernel-types.js';
import { fill, inWasmMemory, onThreads } from '../test-data.js';
import { conv2dBackwardInputWasm, conv2dBackwardWeightWasm, conv2dForwardWasm } from './conv2d-wasm.js';
import { setCpuThreads, workerJobs } from './threads.js';

function geometry(n: number, c: number, o: number, h: number, w: number, k: number, stride: number, pad: number, dilation: number, groups: number): Conv2dGeometry {
  const out = (size: number): number => Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  return {
    n, c, h, w, o, kh: k, kw: k, strideH: stride, strideW: stride, padH: pad, padW: pad,
    dilationH: dilation, dilationW: dilation, groups, oh: out(h), ow: out(w),
  };
}

/**
 * Where a test's arrays live: all in JavaScript memory (copied into wasm memory and out), all in
 * wasm memory (worked on in place), or only the inputs there.
 */
type Placement = 'javascript' | 'wasm' | 'inputs in wasm';

/** The three passes of one geometry in wasm: y, gx, gw. */
function passes(g: Conv2dGeometry, perImage: boolean, placement: Placement = 'javascript'): Float32Array[] {
  const input = (a: Float32Array): Float32Array => (placement === 'javascript' ? a : inWasmMemory(a));
  const output = (a: Float32Array): Float32Array => (placement === 'wasm' ? inWasmMemory(a.fill(Number.NaN)) : a);
  const x = input(fill(new Float32Array(g.n * g.c * g.h * g.w), 1) as Float32Array);
  const w = input(fill(new Float32Array(g.o * (g.c / g.groups) * g.kh * g.kw), 2) as Float32Array);
  const gy = input(fill(new Float32Array(g.n * g.o * g.oh * g.ow), 3) as Float32Array);
  const y = output(new Float32Array(gy.length)), gx = output(new Float32Array(x.length)), gw = output(new Float32Array(w.length));
  expect(conv2dForwardWasm(x, w, g, y, perImage)).toBe(true);
  expect(conv2dBackwardInputWasm(gy, w, g, gx, perImage)).toBe(true);
  expect(conv2dBackwardWeightWasm(gy, x, g, gw, perImage)).toBe(true);
  return [y, gx, gw];
}


/** The float64 naive passes, the reference. */
function naive(g: Conv2dGeometry): Float64Array[] {
  const x = Float64Array.from(fill(new Float32Array(g.n * g.c * g.h * g.w), 1));
  const w = Float64Array.from(fill(new Float32Array(g.o * (g.c / g.groups) * g.kh * g.kw), 2));
  const gy = Float64Array.from(fill(new Float32Array(g.n * g.o * g.oh * g.ow), 3));
  const y = new Float64Array(gy.length), gx = new Float64Array(x.length), gw = new Float64Array(w.length);
  conv2dForwardNaive(x, w, g, y);
  conv2dBackwardInputNaive(gy, w, g, gx);
  conv2dBackwardWeightNaive(gy, x, g, gw);
  return [y, gx, gw];
}

/** Bit equality (toEqual walks large typed arrays slowly). */
function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length), e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  expect(a.length, what).toBe(e.length);
  const bad = e.findIndex((v, i) => a[i] !== v);
  expect(bad, bad >= 0 ? `${what}, element ${bad}: ${actual[bad]} vs ${expected[bad]}` : what).toBe(-1);
}

function expectClose(actual: Float32Array, expected: Float64Array, terms: number, what: string): void {
  const tol = 4 * (terms + 2) * 2 ** -24;
  const bad = expected.findIndex((e, i) => !(Math.abs(actual[i] - e) <= tol * Math.max(1, Math.abs(e))));
  expect(bad, bad >= 0 ? `${what}, element ${bad}: ${actual[bad]} vs ${expected[bad]} (tolerance ${tol})` : what).toBe(-1);
}

// Each large enough that its images split into 2 and 3 shares of at least 2^20 multiply-adds.
const cases: [string, Conv2dGeometry, boolean][] = [
  ['per image, the study\'s conv1 at batch 8', geometry(8, 1, 32, 28, 28, 5, 1, 1, 1, 1), true],
  ['per image, groups, stride 2, dilation 2', geometry(8, 4, 16, 80, 80, 3, 2, 2, 2, 2), true],
  ['batched, the study\'s conv2 at batch 64', geometry(64, 32, 16, 13, 13, 5, 3, 1, 1, 1), false],
  ['batched, groups and padding', geometry(220, 48, 24, 5, 5, 3, 1, 1, 1, 3), false],
];

describe('the wasm convolutions on worker threads', () => {
  afterAll(() => setCpuThreads(1));

  for (const [name, g, perImage] of cases) {
    it(`give the same bits on 1, 2 and 3 threads, and the naive results: ${name}`, async () => {
      const one = await onThreads(1, () => passes(g, perImage));
      const two = await onThreads(2, () => passes(g, perImage));
      expect(workerJobs()).toBeGreaterThan(0); // a worker really ran shares
      const three = await onThreads(3, () => passes(g, perImage));
      expect(workerJobs()).toBeGreaterThan(0);
      ['y', 'gx', 'gw'].forEach((what, i) => {
        expectSameBits(two[i], one[i], `${what}, 2 threads`);
        expectSameBits(three[i], one[i], `${what}, 3 threads`);
      });
      const [y, gx, gw] = naive(g);
      const K = (g.c / g.groups) * g.kh * g.kw;
      expectClose(one[0], y, K, 'y');
      expectClose(one[1], gx, (g.o / g.groups) * g.kh * g.kw, 'gx');
      expectClose(one[2], gw, g.n * g.oh * g.ow, 'gw');
    });
  }
});

describe('the wasm convolutions on arrays in wasm memory (no copies)', () => {
  afterAll(() => setCpuThreads(1));

  for (const [name, g, perImage] of cases) {
    it(`give the bits of the copying path, on 1 and 3 threads: ${name}`, async () => {
      const copied = await onThreads(1, () => passes(g, perImage));
      const inPlace = await onThreads(1, () => passes(g, perImage, 'wasm'));
      const inputsOnly = await onThreads(1, () => passes(g, perImage, 'inputs in wasm'));
      const threaded = await onThreads(3, () => passes(g, perImage, 'wasm'));
      expect(workerJobs()).toBeGreaterThan(0);
      ['y', 'gx', 'gw'].forEach((what, i) => {
        expectSameBits(inPlace[i], copied[i], `${what}, in place`);
        expectSameBits(inputsOnly[i], copied[i], `${what}, inputs in place`);
        expectSameBits(threaded[i], copied[i], `${what}, in place on 3 threads`);
      });
    });
  }
});
