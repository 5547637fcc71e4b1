import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array } from '../../creation.js';
import { binary, binaryNaive, binaryScalar, unary, unaryNaive, unaryScalar } from '../elementwise.js';
import { reduce, reduceNaive } from '../reduce.js';
import { fill, onThreads } from '../test-data.js';
import { WASM_BINARY_OPS, WASM_UNARY_OPS } from './elementwise-kernels.js';
import { binaryWasm, rowScalarWasm, rowSumsWasm, unaryWasm, WASM_MIN_ELEMENTS } from './elementwise-wasm.js';
import { freeHeapArray, heapArray } from './heap-arrays.js';
import { wasmRuntime } from './runtime.js';
import { getCpuThreads } from './threads.js';

const specials = [0, -0, 1, -1, 2.5, -2.5, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];

/** n float32 values: random in [-1, 1) with the special values sprinkled in. */
function values(n: number, seed: number): Float32Array {
  const x = fill(new Float32Array(n), seed) as Float32Array;
  for (let i = 0; i < n; i += 97) x[i] = specials[(i / 97 + seed) % specials.length];
  return x;
}

/** Same values bit for bit (Object.is: -0 and NaN count), else an error naming the element. */
function expectSame(got: Float32Array, want: ArrayLike<number>, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], Math.fround(want[i]))) throw new Error(`${what}, element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

const sizes = fc.integer({ min: WASM_MIN_ELEMENTS, max: WASM_MIN_ELEMENTS + 41 });

describe('wasm elementwise kernels equal the scalar definitions exactly', () => {
  it.each(WASM_UNARY_OPS)('unary %s, any length (tails padded), at offsets', (op) => {
    fc.assert(fc.property(sizes, fc.nat(5), fc.nat(1000), (n, offset, seed) => {
      const x = values(n + offset, seed), out = new Float32Array(n + 1).fill(7);
      expect(unaryWasm(op, x, offset, n, out, 1)).toBe(true);
      expect(out[0]).toBe(7);
      expectSame(out.subarray(1), Array.from(x.subarray(offset), (v) => unaryScalar(op, v)), `${op} n=${n}`);
    }), { numRuns: 10 });
  });

  it.each(WASM_BINARY_OPS)('binary %s', (op) => {
    fc.assert(fc.property(sizes, fc.nat(1000), (n, seed) => {
      const a = values(n, seed), b = values(n + 3, seed + 1), out = new Float32Array(n);
      expect(binaryWasm(op, a, 0, b, 3, n, out, 0)).toBe(true);
      expectSame(out, Array.from(a, (v, i) => binaryScalar(op, v, b[i + 3])), `${op} n=${n}`);
    }), { numRuns: 10 });
  });

  it.each(WASM_BINARY_OPS)('%s with one scalar per row, and one row of any length', (op) => {
    const rowLength = 676, rows = 12, x = values(rowLength * rows, 3), scalars = values(rows, 4), out = new Float32Array(x.length);
    expect(rowScalarWasm(op, x, 0, rowLength, rows, scalars, out, 0)).toBe(true);
    expectSame(out, Array.from(x, (v, i) => binaryScalar(op, v, scalars[Math.floor(i / rowLength)])), op);
    const one = values(5001, 5), out1 = new Float32Array(5001);
    expect(rowScalarWasm(op, one, 0, 5001, 1, Float32Array.of(-0.75), out1, 0)).toBe(true);
    expectSame(out1, Array.from(one, (v) => binaryScalar(op, v, -0.75)), `${op} one row`);
    // Rows that would not stay 16-byte aligned are declined, for the TypeScript loop.
    expect(rowScalarWasm(op, values(4098 * 2, 1), 0, 4098, 2, Float32Array.of(1, 2), new Float32Array(8196), 0)).toBe(false);
  });

  it('row sums in double precision, even and odd row lengths', () => {
    for (const [rowLength, rows] of [[676, 8], [4097, 2], [1, 5000], [2, 3000]]) {
      const x = fill(new Float32Array(rowLength * rows + 1), rowLength) as Float32Array;
      const sums = rowSumsWasm(x, 1, rowLength, rows);
      expect(sums).not.toBeNull();
      for (let r = 0; r < rows; r++) {
        let want = 0;
        for (let j = 0; j < rowLength; j++) want += x[1 + r * rowLength + j];
        expect(Math.abs((sums?.[r] ?? NaN) - want)).toBeLessThan(1e-12 * rowLength);
      }
    }
  });

  it('runs arrays longer than one piece of wasm memory (2^18 elements) piece by piece', () => {
    const n = 3 * 2 ** 18 + 5, x = values(n, 21), y = values(n, 22), out = new Float32Array(n);
    expect(unaryWasm('relu', x, 0, n, out, 0)).toBe(true);
    expectSame(out, Array.from(x, (v) => unaryScalar('relu', v)), 'relu pieces');
    expect(binaryWasm('mul', x, 0, y, 0, n, out, 0)).toBe(true);
    expectSame(out, Array.from(x, (v, i) => binaryScalar('mul', v, y[i])), 'mul pieces');
    expect(rowScalarWasm('add', x, 0, n, 1, Float32Array.of(0.5), out, 0)).toBe(true);
    expectSame(out, Array.from(x, (v) => binaryScalar('add', v, 0.5)), 'one long row');
    const rowLength = 1000, rows = 700, scalars = values(rows, 23);
    expect(rowScalarWasm('sub', x, 0, rowLength, rows, scalars, out, 0)).toBe(true);
    expectSame(out.subarray(0, rowLength * rows), Array.from(x.subarray(0, rowLength * rows), (v, i) => binaryScalar('sub', v, scalars[Math.floor(i / rowLength)])), 'rows');
    const finite = fill(new Float32Array(rowLength * rows), 24) as Float32Array;
    const sums = rowSumsWasm(finite, 0, rowLength, rows);
    for (const r of [0, 261, 262, 699]) {
      let want = 0;
      for (let j = 0; j < rowLength; j++) want += finite[r * rowLength + j];
      expect(Math.abs((sums?.[r] ?? NaN) - want)).toBeLessThan(1e-9);
    }
  });

  it('declines what it does not handle: float64, small arrays, ops without a kernel', () => {
    expect(unaryWasm('relu', new Float64Array(8192), 0, 8192, new Float64Array(8192), 0)).toBe(false);
    expect(unaryWasm('relu', new Float32Array(100), 0, 100, new Float32Array(100), 0)).toBe(false);
    expect(unaryWasm('exp', new Float32Array(8192), 0, 8192, new Float32Array(8192), 0)).toBe(false);
    expect(binaryWasm('pow', new Float32Array(8192), 0, new Float32Array(8192), 0, 8192, new Float32Array(8192), 0)).toBe(false);
    expect(rowSumsWasm(new Float64Array(8192), 0, 8192, 1)).toBeNull();
  });
});

describe('the CPU kernels on large float32 arrays (wasm paths) equal the naive kernels', () => {
  const shape = [4, 8, 26, 26];
  const x = array(Array.from(values(4 * 8 * 676, 11)), { dtype: 'float32' }).reshape(shape);
  const y = array(Array.from(values(4 * 8 * 676, 12)), { dtype: 'float32' }).reshape(shape);
  const bias = array(Array.from(values(8, 13)), { dtype: 'float32' }).reshape([8, 1, 1]);

  it('unary: relu and sign of [4,8,26,26]', () => {
    for (const op of ['relu', 'sign'] as const) {
      const fast = new Float32Array(x.size), naive = new Float32Array(x.size);
      unary(op, x, fast);
      unaryNaive(op, x, naive);
      expectSame(fast, naive, op);
    }
  });

  it('binary: same shape, and the bias add on either side', () => {
    for (const [a, b] of [[x, y], [x, bias], [bias, x]]) {
      for (const op of ['add', 'mul', 'sub'] as const) {
        const fast = new Float32Array(x.size), naive = new Float32Array(x.size);
        binary(op, a, b, shape, fast);
        binaryNaive(op, a, b, shape, naive);
        expectSame(fast, naive, `${op} ${a.shape.join('x')} ${b.shape.join('x')}`);
      }
    }
  });

  it('reduce: the bias gradient [4,8,26,26] -> [1,8,1,1]', () => {
    const finite = array(Array.from(fill(new Float32Array(4 * 8 * 676), 14)), { dtype: 'float32' }).reshape(shape);
    const fast = new Float32Array(8), naive = new Float32Array(8);
    reduce('sum', finite, [0, 2, 3], fast);
    reduceNaive('sum', finite, [0, 2, 3], naive);
    expect(naive.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    // Both sum in doubles, in a different order: equal after rounding to float32 but for the last bit.
    for (let i = 0; i < 8; i++) expect(Math.abs(fast[i] - naive[i])).toBeLessThanOrEqual(4 * 2 ** -24 * Math.max(1, Math.abs(naive[i])));
  });
});

/** `values` in a block of wasm memory (CPU storage there), so that the kernels work on it in place. */
function inHeap(n: number, seed: number): Float32Array {
  const a = heapArray('float32', n);
  if (!(a instanceof Float32Array) || wasmRuntime()?.addressOf(a) !== a.byteOffset) throw new Error('no float32 array in wasm memory');
  a.set(values(n, seed));
  return a;
}

describe('wasm elementwise kernels on arrays in wasm memory (no copies), on 1, 2 and 3 threads', () => {
  it('equal the scalar definitions at odd offsets and lengths, and write nothing outside the output', () => {
    fc.assert(fc.property(sizes, fc.nat(5), fc.nat(1000), (n, offset, seed) => {
      const x = inHeap(n + offset, seed), y = inHeap(n + 3, seed + 1), out = inHeap(n + 2, seed + 2);
      const before = [out[0], out[n + 1]];
      for (const op of WASM_UNARY_OPS) {
        expect(unaryWasm(op, x, offset, n, out, 1)).toBe(true);
        expectSame(out.subarray(1, n + 1), Array.from(x.subarray(offset, offset + n), (v) => unaryScalar(op, v)), `${op} n=${n}`);
      }
      for (const op of WASM_BINARY_OPS) {
        expect(binaryWasm(op, x, offset, y, 3, n, out, 1)).toBe(true);
        expectSame(out.subarray(1, n + 1), Array.from(x.subarray(offset, offset + n), (v, i) => binaryScalar(op, v, y[i + 3])), `${op} n=${n}`);
        expect(rowScalarWasm(op, x, offset, n, 1, Float32Array.of(-0.75), out, 1)).toBe(true);
        expectSame(out.subarray(1, n + 1), Array.from(x.subarray(offset, offset + n), (v) => binaryScalar(op, v, -0.75)), `${op} one row n=${n}`);
      }
      expect([out[0], out[n + 1]]).toEqual(before);
      for (const a of [x, y, out]) freeHeapArray(a);
    }), { numRuns: 8 });
  });

  it('give the same bits on 1, 2 and 3 threads on [64,32,26,26], equal to the scalar definitions', async () => {
    const threads = getCpuThreads();
    const rows = 64 * 32, rowLength = 676, n = rows * rowLength;
    const x = inHeap(n, 31), y = inHeap(n, 32), scalars = values(rows, 33);
    const finite = heapArray('float32', n);
    if (!(finite instanceof Float32Array)) throw new Error('not in wasm memory');
    fill(finite, 34);
    const run = (): Float32Array[] => {
      const outs = [inHeap(n, 0), inHeap(n, 0), inHeap(n, 0)];
      unaryWasm('relu', x, 0, n, outs[0], 0);
      binaryWasm('mul', x, 0, y, 0, n, outs[1], 0);
      rowScalarWasm('add', x, 0, rowLength, rows, scalars, outs[2], 0);
      const sums = rowSumsWasm(finite, 0, rowLength, rows);
      if (sums === null) throw new Error('rowSums declined');
      const results = [...outs.map((o) => o.slice()), new Float32Array(new Float64Array(sums).buffer)];
      for (const o of outs) freeHeapArray(o);
      return results;
    };
    try {
      const one = await onThreads(1, run);
      expectSame(one[0], Array.from(x, (v) => unaryScalar('relu', v)), 'relu');
      expectSame(one[1], Array.from(x, (v, i) => binaryScalar('mul', v, y[i])), 'mul');
      expectSame(one[2], Array.from(x, (v, i) => binaryScalar('add', v, scalars[Math.floor(i / rowLength)])), 'bias add');
      const sums = new Float64Array(one[3].buffer);
      for (const r of [0, 1000, rows - 1]) {
        let want = 0;
        for (let j = 0; j < rowLength; j++) want += finite[r * rowLength + j];
        expect(Math.abs(sums[r] - want)).toBeLessThan(1e-9);
      }
      for (const t of [2, 3]) {
        const many = await onThreads(t, run);
        many.forEach((m, i) => expectSame(m, one[i], `${t} threads, result ${i}`));
      }
    } finally {
      for (const a of [x, y, finite]) freeHeapArray(a);
      await onThreads(threads, () => undefined);
    }
  });
});
