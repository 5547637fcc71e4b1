import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FloatArray } from './kernel-types.js';
import { gemm, gemmNaive, type GemmOperands } from './matmul.js';
import { fill } from './test-data.js';

interface GemmFixture { m: number; k: number; n: number; a: number[]; b: number[]; c: number[] }
const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/kernels_fixtures.json', import.meta.url), 'utf8')) as { gemm: GemmFixture[] };

type Layout = 'rowMajor' | 'transposed' | 'padded' | 'broadcastRows';

/**
 * Places a logical [rows, cols] matrix in a buffer with the given layout; returns the
 * buffer, its offset and strides. 'padded' leaves a gap after each row and an offset in front;
 * 'broadcastRows' repeats one row through a zero row stride.
 */
function place(rows: number, cols: number, layout: Layout, ctor: Float32ArrayConstructor | Float64ArrayConstructor, seed: number) {
  switch (layout) {
    case 'rowMajor':
      return { buf: fill(new ctor(rows * cols), seed), offset: 0, rs: cols, cs: 1 };
    case 'transposed':
      return { buf: fill(new ctor(rows * cols), seed), offset: 0, rs: 1, cs: rows };
    case 'padded':
      return { buf: fill(new ctor(3 + rows * (cols + 2)), seed), offset: 3, rs: cols + 2, cs: 1 };
    case 'broadcastRows':
      return { buf: fill(new ctor(Math.max(cols, 1)), seed), offset: 0, rs: 0, cs: 1 };
  }
}

function operands(m: number, k: number, n: number, la: Layout, lb: Layout, ctor: Float32ArrayConstructor | Float64ArrayConstructor, seed: number): GemmOperands {
  const A = place(m, k, la, ctor, seed), B = place(k, n, lb, ctor, seed + 7);
  return {
    m, k, n,
    a: A.buf, aOffset: A.offset, aRowStride: A.rs, aColStride: A.cs,
    b: B.buf, bOffset: B.offset, bRowStride: B.rs, bColStride: B.cs,
    c: new ctor(2 + m * n).fill(Number.NaN), cOffset: 2,
  };
}

function expectClose(actual: FloatArray, expected: FloatArray, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
    if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
    }
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Runs fast and naive on the same operands (fresh C for each) and compares C, including the untouched prefix. */
function compare(op: GemmOperands, tol: number): void {
  const cFast = op.c.slice(), cNaive = op.c.slice();
  gemm({ ...op, c: cFast });
  gemmNaive({ ...op, c: cNaive });
  expect(Number.isNaN(cFast[0]) && Number.isNaN(cFast[1])).toBe(true); // before cOffset: untouched
  expectClose(cFast.subarray(2), cNaive.subarray(2), tol);
}

describe('gemmNaive', () => {
  it('multiplies a 2x2 pair', () => {
    const c = new Float64Array(4);
    gemmNaive({ m: 2, k: 2, n: 2, a: new Float64Array([1, 2, 3, 4]), aOffset: 0, aRowStride: 2, aColStride: 1,
      b: new Float64Array([5, 6, 7, 8]), bOffset: 0, bRowStride: 2, bColStride: 1, c, cOffset: 0 });
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  it('matches PyTorch', () => {
    for (const f of fixtures.gemm) {
      const c = new Float64Array(f.m * f.n);
      gemmNaive({ m: f.m, k: f.k, n: f.n, a: Float64Array.from(f.a), aOffset: 0, aRowStride: f.k, aColStride: 1,
        b: Float64Array.from(f.b), bOffset: 0, bRowStride: f.n, bColStride: 1, c, cOffset: 0 });
      expectClose(c, Float64Array.from(f.c), 1e-12);
    }
  });
});

describe('gemm (fast) against gemmNaive', () => {
  it('matches PyTorch', () => {
    for (const f of fixtures.gemm) {
      const c = new Float64Array(f.m * f.n);
      gemm({ m: f.m, k: f.k, n: f.n, a: Float64Array.from(f.a), aOffset: 0, aRowStride: f.k, aColStride: 1,
        b: Float64Array.from(f.b), bOffset: 0, bRowStride: f.n, bColStride: 1, c, cOffset: 0 });
      expectClose(c, Float64Array.from(f.c), 1e-12);
    }
  });

  it('reads A·Bᵀ through swapped strides', () => {
    const c = new Float32Array(4);
    gemm({ m: 2, k: 2, n: 2, a: new Float32Array([1, 2, 3, 4]), aOffset: 0, aRowStride: 2, aColStride: 1,
      b: new Float32Array([5, 6, 7, 8]), bOffset: 0, bRowStride: 1, bColStride: 2, c, cOffset: 0 });
    expect(Array.from(c)).toEqual([17, 23, 39, 53]);
  });

  const layouts: Layout[] = ['rowMajor', 'transposed', 'padded', 'broadcastRows'];
  const arbCase = fc.record({
    m: fc.integer({ min: 1, max: 23 }), k: fc.integer({ min: 1, max: 23 }), n: fc.integer({ min: 1, max: 23 }),
    la: fc.constantFrom(...layouts), lb: fc.constantFrom(...layouts), seed: fc.integer({ min: 1, max: 1e6 }),
  });

  it('agrees in float64 on random shapes and layouts', () => {
    fc.assert(fc.property(arbCase, ({ m, k, n, la, lb, seed }) => compare(operands(m, k, n, la, lb, Float64Array, seed), 1e-12)), { numRuns: 150 });
  });

  it('agrees in float32 on random shapes and layouts', () => {
    fc.assert(fc.property(arbCase, ({ m, k, n, la, lb, seed }) => compare(operands(m, k, n, la, lb, Float32Array, seed), 1e-5)), { numRuns: 150 });
  });

  it('agrees across cache-block boundaries (m, k, n beyond one block, odd edges)', () => {
    compare(operands(131, 301, 7, 'rowMajor', 'transposed', Float64Array, 3), 1e-12);
    compare(operands(9, 517, 13, 'transposed', 'padded', Float64Array, 4), 1e-12);
    compare(operands(5, 3, 2061, 'padded', 'rowMajor', Float64Array, 5), 1e-12);
    compare(operands(257, 260, 33, 'rowMajor', 'rowMajor', Float32Array, 6), 1e-5);
  });

  it('gives zeros for k = 0 and leaves C alone for an empty result', () => {
    const op = operands(3, 0, 2, 'rowMajor', 'rowMajor', Float64Array, 1);
    gemm(op);
    expect(Array.from(op.c.subarray(2))).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = operands(0, 4, 3, 'rowMajor', 'rowMajor', Float64Array, 1);
    gemm(empty);
    expect(empty.c.length).toBe(2);
  });

  it('names the operand whose strides reach past its buffer', () => {
    const op = operands(3, 4, 2, 'rowMajor', 'rowMajor', Float64Array, 1);
    expect(() => gemm({ ...op, aRowStride: 5 })).toThrow('gemm: a [3,4] at offset 0 with strides [5,1] reaches element 13, but a has 12');
    expect(() => gemm({ ...op, c: new Float64Array(5) })).toThrow('gemm: c has 5 elements, too few for a [3,2] result at offset 2');
    expect(() => gemmNaive({ ...op, m: 1.5 })).toThrow('gemmNaive: m must be an integer >= 0, got 1.5');
  });
});
