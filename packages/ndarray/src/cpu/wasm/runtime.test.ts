import { describe, expect, it } from 'vitest';
import { createWasmRuntime, wasmRuntime } from './runtime.js';
import { getCpuThreads, setCpuThreads } from './threads.js';

describe('wasm runtime memory', () => {
  it('is made once, on a shared memory in Node, whatever the thread count later', () => {
    const before = getCpuThreads();
    const rt = wasmRuntime();
    expect(rt?.shared).toBe(true);
    setCpuThreads(3);
    expect(wasmRuntime()).toBe(rt);
    setCpuThreads(before);
  });

  it('keeps the kernels\' scratch in a block of its own, apart from other blocks', () => {
    const rt = createWasmRuntime(false, true);
    const storage = rt.allocator.allocate(4000);
    const [a, b] = rt.scratch([10, 1000]);
    expect(b - a).toBe(12); // 10 floats rounded up to 4
    const scratchStart = 4 * a, scratchEnd = 4 * (b + 1000);
    expect(scratchEnd <= storage || scratchStart >= storage + 4000).toBe(true);
    // A block allocated after the scratch does not overlap it either.
    const later = rt.allocator.allocate(1 << 20);
    expect(later >= scratchEnd || later + (1 << 20) <= scratchStart).toBe(true);
  });

  it('moves the scratch to a larger block for a larger first reservation, and refuses a nested one that does not fit', () => {
    const rt = createWasmRuntime(false, true);
    const [small] = rt.scratch([16]);
    expect(() => rt.scratch([1 << 20], small + 16)).toThrow(/do not fit in the scratch block/);
    const [large] = rt.scratch([1 << 20, 16]);
    expect(rt.scratch([16], large + (1 << 20))).toEqual([large + (1 << 20)]);
    expect(rt.heap().length).toBeGreaterThanOrEqual(large + (1 << 20) + 16);
  });

  it('knows its own views, also those made before the memory grew, and no other array', () => {
    const rt = createWasmRuntime(false, true);
    const at = rt.allocator.allocate(64);
    const view = new Float32Array(rt.buffer(), at, 16);
    view.set([1, 2, 3]);
    const grownTo = rt.allocator.allocate(8 << 20); // past the first pages: the memory grows
    expect(rt.buffer().byteLength).toBeGreaterThan(grownTo);
    expect(view.buffer).not.toBe(rt.buffer());
    expect(Array.from(view.subarray(0, 3))).toEqual([1, 2, 3]); // still valid, still the memory
    expect(rt.addressOf(view)).toBe(at);
    expect(rt.addressOf(view, 2)).toBe(at + 8);
    expect(rt.addressOf(view.subarray(4))).toBe(at + 16);
    rt.heap()[at / 4 + 1] = 7;
    expect(view[1]).toBe(7);
    expect(rt.addressOf(new Float32Array(16))).toBe(-1);
    expect(createWasmRuntime(false, true).addressOf(view)).toBe(-1); // another memory's
    // A plain memory's views are detached when it grows: storage never lives there.
    const plain = createWasmRuntime(false, false);
    expect(plain.addressOf(plain.heap())).toBe(-1);
  });
});
