import { describe, expect, it } from 'vitest';
import { CALLABLE_KERNELS, CallList, ENTRY_INTS } from './call-list.js';
import { createWasmRuntime } from './runtime.js';

describe('CallList', () => {
  it('writes one fixed-width entry per call: the kernel number, then the arguments, zeros after', () => {
    const list = new CallList();
    list.zero(64, 32);
    list.gemmBlock(1, 2, 3, 4, 8, 6, 7, true);
    list.maxPool(true, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    const ints = Array.from(list.ints());
    expect(ints.length).toBe(3 * ENTRY_INTS);
    expect(ints.slice(0, ENTRY_INTS)).toEqual([CALLABLE_KERNELS.indexOf('zero'), 64, 32, ...new Array<number>(11).fill(0)]);
    expect(ints.slice(ENTRY_INTS, 2 * ENTRY_INTS)).toEqual([0, 1, 2, 3, 4, 8, 6, 7, 1, 0, 0, 0, 0, 0]);
    expect(ints.slice(2 * ENTRY_INTS)).toEqual([CALLABLE_KERNELS.indexOf('maxPoolStrideTwo'), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0]);
  });

  it('grows past its first capacity and keeps every entry', () => {
    const list = new CallList();
    for (let i = 0; i < 1000; i++) list.copy3d(i, 0, 0, 4, 0, 0, 0, 4, 1, 1, 1);
    const ints = list.ints();
    expect(ints.length).toBe(1000 * ENTRY_INTS);
    expect(ints[999 * ENTRY_INTS + 1]).toBe(999);
  });

  it('names kernels the runtime exports, and replayed entries do what the direct calls do', () => {
    const rt = createWasmRuntime(false);
    const [at] = rt.scratch([64]);
    rt.heap().fill(7, at, at + 64);
    const list = new CallList();
    list.zero(4 * (at + 1), 4 * 21); // 21 floats: five vectors and one float
    list.copy3d(4 * (at + 40), 0, 0, 4, 4 * at, 0, 0, 4, 1, 1, 23);
    const ints = list.ints();
    for (let p = 0; p < ints.length; p += ENTRY_INTS) {
      const kernel = CALLABLE_KERNELS[ints[p]];
      if (kernel === 'zero') rt.zero(ints[p + 1], ints[p + 2]);
      else if (kernel === 'copy3d') rt.copy3d(ints[p + 1], ints[p + 2], ints[p + 3], ints[p + 4], ints[p + 5], ints[p + 6], ints[p + 7], ints[p + 8], ints[p + 9], ints[p + 10], ints[p + 11]);
    }
    const expected = [7, ...new Array<number>(21).fill(0), ...new Array<number>(18).fill(7), 7, ...new Array<number>(21).fill(0), 7, 7];
    expect(Array.from(rt.heap().subarray(at, at + 64))).toEqual(expected);
  });
});
