import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fill } from '../test-data.js';
import { createWasmRuntime } from './runtime.js';

/** The loops of copy3d / addInto3d in TypeScript, strides in elements: the reference. */
function copy3dNaive(add: boolean, heap: Float32Array, dst: number, ds: number[], src: number, ss: number[], n: number[]): void {
  for (let a = 0; a < n[0]; a++) {
    for (let b = 0; b < n[1]; b++) {
      for (let c = 0; c < n[2]; c++) {
        const d = dst + a * ds[0] + b * ds[1] + c * ds[2], s = src + a * ss[0] + b * ss[1] + c * ss[2];
        heap[d] = add ? heap[d] + heap[s] : heap[s];
      }
    }
  }
}

describe('copy3d and addInto3d', () => {
  const rt = createWasmRuntime(false);

  it('match the TypeScript loops on random counts and strides (contiguous runs included)', () => {
    const stride = fc.integer({ min: 0, max: 40 });
    fc.assert(fc.property(
      fc.boolean(), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 3 }),
      fc.array(stride, { minLength: 2, maxLength: 2 }), fc.array(stride, { minLength: 2, maxLength: 2 }),
      fc.constantFrom(1, 2, 5), fc.constantFrom(1, 3), fc.nat(1000),
      (add, n, ds, ss, dC, sC, seed) => {
        // Source and destination regions apart: the source below 4096, the destination above.
        const [at] = rt.scratch([8192]);
        const heap = rt.heap();
        fill(heap.subarray(at, at + 8192), seed);
        const expected = heap.slice(at, at + 8192);
        const dStrides = [...ds, dC], sStrides = [...ss, sC];
        copy3dNaive(add, expected, 4096, dStrides, 0, sStrides, n);
        const kernel = add ? rt.addInto3d : rt.copy3d;
        kernel(4 * (at + 4096), 4 * dStrides[0], 4 * dStrides[1], 4 * dC, 4 * at, 4 * sStrides[0], 4 * sStrides[1], 4 * sC, n[0], n[1], n[2]);
        const actual = rt.heap().subarray(at, at + 8192);
        const mismatch = expected.findIndex((v, i) => !Object.is(v, actual[i]));
        expect(mismatch, mismatch >= 0 ? `element ${mismatch}: ${actual[mismatch]} vs ${expected[mismatch]}` : '').toBe(-1);
      },
    ), { numRuns: 300 });
  });

  it('moves contiguous runs of any length, the tail after the last whole vector included', () => {
    const [at] = rt.scratch([256]);
    const heap = rt.heap();
    for (let len = 0; len <= 11; len++) {
      heap.fill(0, at, at + 256);
      for (let i = 0; i < 2 * len; i++) heap[at + i] = i + 1;
      // two rows of len floats at [0, 2len) to rows of pitch 16 at 128
      rt.copy3d(4 * (at + 128), 0, 64, 4, 4 * at, 0, 4 * len, 4, 1, 2, len);
      const rows = [Array.from(heap.subarray(at + 128, at + 128 + 16)), Array.from(heap.subarray(at + 144, at + 144 + 16))];
      expect(rows[0]).toEqual(Array.from({ length: 16 }, (_, i) => (i < len ? i + 1 : 0)));
      expect(rows[1]).toEqual(Array.from({ length: 16 }, (_, i) => (i < len ? len + i + 1 : 0)));
    }
  });

  it('adds in float32, one rounding per element', () => {
    const [at] = rt.scratch([8]);
    const heap = rt.heap();
    heap.set([1, 1, 1, 1, 2 ** -24, 2 ** -24, 2 ** -24, 3], at);
    rt.addInto3d(4 * at, 0, 0, 4, 4 * (at + 4), 0, 0, 4, 1, 1, 4);
    expect(Array.from(rt.heap().subarray(at, at + 4))).toEqual([1, 1, 1, 4]); // 1 + 2^-24 rounds to 1 in float32
  });
});

describe('packRows', () => {
  const rt = createWasmRuntime(false);

  it('interleaves groups of rows as the strided copy does, for any kc (the tail after the last 4 columns included)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.constantFrom(4, 8), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 5 }), fc.nat(1000),
      (groups, rows, kc, extraPitch, seed) => {
        const pitch = kc + extraPitch, sGroup = rows * pitch + 3, dGroup = rows * kc + 5;
        const [src, viaPack, viaCopy] = rt.scratch([groups * sGroup, groups * dGroup, groups * dGroup]);
        const heap = rt.heap();
        fill(heap.subarray(src, src + groups * sGroup), seed);
        heap.fill(-1, viaPack, viaCopy + groups * dGroup);
        rt.packRows(4 * viaPack, 4 * dGroup, 4 * src, 4 * sGroup, 4 * pitch, groups, kc, rows);
        // the same as copy3d over (group, p, r) with the source read down its rows
        for (let g = 0; g < groups; g++) rt.copy3d(4 * (viaCopy + g * dGroup), 0, 4 * rows, 4, 4 * (src + g * sGroup), 0, 4, 4 * pitch, 1, kc, rows);
        expect(Array.from(heap.subarray(viaPack, viaPack + groups * dGroup))).toEqual(Array.from(heap.subarray(viaCopy, viaCopy + groups * dGroup)));
      },
    ), { numRuns: 200 });
  });
});
