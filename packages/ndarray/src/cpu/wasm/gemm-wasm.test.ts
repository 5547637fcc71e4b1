import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../kernel-types.js';
import { gemm, gemmNaive, type GemmOperands } from '../matmul.js';
import { fill, inWasmMemory } from '../test-data.js';
import { wasmFeatures } from './features.js';
import { gemmWasm } from './gemm-wasm.js';
import { createWasmRuntime, setWasmKernels, wasmRuntime } from './runtime.js';

/** Float32 operands of an [m,k]·[k,n] product, A and B row-major or transposed, with offsets. */
function operands(m: number, k: number, n: number, transA: boolean, transB: boolean, seed: number): GemmOperands {
  const a = fill(new Float32Array(1 + m * k), seed), b = fill(new Float32Array(2 + k * n), seed + 1);
  return {
    m, k, n,
    a, aOffset: 1, aRowStride: transA ? 1 : k, aColStride: transA ? m : 1,
    b, bOffset: 2, bRowStride: transB ? 1 : n, bColStride: transB ? k : 1,
    c: fill(new Float32Array(3 + m * n), seed + 2), cOffset: 3,
  };
}

/** The naive product in float64 (the oracle), on a float64 copy of the operands. */
function reference(op: GemmOperands): Float64Array {
  const c = Float64Array.from(op.c);
  gemmNaive({ ...op, a: Float64Array.from(op.a), b: Float64Array.from(op.b), c });
  return c;
}

/** float32 sums of k products of values in [-1, 1): error grows like k * 2^-24 at worst. */
function expectClose(actual: FloatArray, expected: Float64Array, k: number): void {
  const tol = 4 * (k + 2) * 2 ** -24;
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
    }
  }
}

const runtimes = [
  { name: 'mul + add', rt: createWasmRuntime(false) },
  ...(wasmFeatures().relaxedSimd ? [{ name: 'relaxed fma', rt: createWasmRuntime(true) }] : []),
];

describe.each(runtimes)('gemmWasm ($name)', ({ rt }) => {
  it('matches the naive kernel on random sizes, layouts, offsets, with and without accumulate', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }),
      fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(1000),
      (m, k, n, transA, transB, accumulate, seed) => {
        const op = { ...operands(m, k, n, transA, transB, seed), accumulate };
        const expected = reference(op);
        gemmWasm(op, rt);
        expect(op.c[0]).toBe(expected[0]); // before cOffset: untouched
        expectClose(op.c, expected, k);
      },
    ), { numRuns: 150 });
  });

  it('crosses every block edge: k past KC = 256, m past MC = 128, n past NC = 256', () => {
    for (const [m, k, n] of [[130, 300, 9], [5, 513, 260], [257, 17, 263]]) {
      for (const accumulate of [false, true]) {
        const op = { ...operands(m, k, n, false, true, m + k + n), accumulate };
        const expected = reference(op);
        gemmWasm(op, rt);
        expectClose(op.c, expected, k);
      }
    }
  });

  it('runs a C taller than its 1M-element scratch in row chunks', () => {
    const op = operands(131_100, 3, 8, false, false, 5);
    const expected = reference(op);
    gemmWasm(op, rt);
    expectClose(op.c, expected, 3);
  });
});

describe('gemm dispatch', () => {
  it('runs float32 products of 4096+ multiply-adds in wasm, matching the TypeScript kernel within float32 rounding', () => {
    expect(wasmRuntime()).not.toBeNull();
    const op = operands(20, 30, 40, true, false, 9);
    const viaWasm = op.c.slice(), viaTs = op.c.slice();
    gemm({ ...op, c: viaWasm });
    setWasmKernels(false);
    try {
      expect(wasmRuntime()).toBeNull();
      gemm({ ...op, c: viaTs });
    } finally {
      setWasmKernels(true);
    }
    expect(viaWasm).not.toEqual(viaTs); // float32 sums vs the TypeScript kernel's float64 sums
    expectClose(viaWasm, Float64Array.from(viaTs), 30);
  });
});

describe('gemmWasm on operands in wasm memory', () => {
  it('reads them in place, with the bits of the copying path (layouts, offsets, accumulate)', () => {
    const rt = wasmRuntime();
    if (rt === null) throw new Error('no wasm runtime');
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }),
      fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(1000),
      (m, k, n, transA, transB, accumulate, seed) => {
        const op = { ...operands(m, k, n, transA, transB, seed), accumulate };
        if (!(op.a instanceof Float32Array && op.b instanceof Float32Array)) throw new Error('float32 operands expected');
        const copied = { ...op, c: op.c.slice() }, inPlace = { ...op, a: inWasmMemory(op.a), b: inWasmMemory(op.b), c: op.c.slice() };
        expect(rt.addressOf(inPlace.a)).toBeGreaterThanOrEqual(0);
        gemmWasm(copied, rt);
        gemmWasm(inPlace, rt);
        expect(inPlace.c).toEqual(copied.c);
      },
    ), { numRuns: 60 });
  });
});
