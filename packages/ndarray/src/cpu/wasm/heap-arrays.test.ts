import { describe, expect, it } from 'vitest';
import { arange, full, zeros } from '../../creation.js';
import { cpuData } from '../cpu-storage.js';
import { freeHeapArray, HEAP_MAX_BYTES, HEAP_MIN_BYTES, heapArray } from './heap-arrays.js';
import { wasmRuntime } from './runtime.js';

describe('CPU storage in wasm memory', () => {
  it('puts arrays of every dtype from HEAP_MIN_BYTES to HEAP_MAX_BYTES in the runtime\'s memory, 16-byte aligned', () => {
    const rt = wasmRuntime();
    if (rt === null) throw new Error('no wasm runtime');
    for (const [dtype, bytes] of [['float32', 4], ['float64', 8], ['int32', 4], ['uint8', 1], ['bool', 1]] as const) {
      const a = heapArray(dtype, HEAP_MIN_BYTES / bytes);
      if (a === undefined) throw new Error(`${dtype}: not in wasm memory`);
      expect(rt.addressOf(a)).toBe(a.byteOffset);
      expect(a.byteOffset % 16).toBe(0);
      expect(a.length).toBe(HEAP_MIN_BYTES / bytes);
      expect(freeHeapArray(a)).toBe(true);
    }
    expect(heapArray('float32', HEAP_MIN_BYTES / 4 - 1)).toBeUndefined();
    expect(heapArray('float64', HEAP_MAX_BYTES / 8 + 1)).toBeUndefined();
    expect(freeHeapArray(new Float32Array(4096))).toBe(false);
  });

  it('zero-fills a reused block unless asked not to', () => {
    const a = heapArray('float32', 2048);
    if (a === undefined) throw new Error('not in wasm memory');
    a.fill(9);
    freeHeapArray(a);
    const b = heapArray('float32', 2048);
    expect(b?.byteOffset).toBe(a.byteOffset);
    expect(b?.every((v) => v === 0)).toBe(true);
    b?.fill(9);
    if (b !== undefined) freeHeapArray(b);
    const c = heapArray('float32', 2048, false);
    expect(c?.byteOffset).toBe(a.byteOffset);
    expect(c?.[0]).toBe(9);
    if (c !== undefined) freeHeapArray(c);
  });

  it('leaves arrays in JavaScript memory past the storage budget, where they work as before', () => {
    const rt = wasmRuntime();
    if (rt === null) throw new Error('no wasm runtime');
    const held: number[] = [];
    try {
      for (let at = rt.allocator.allocate(1 << 20); at >= 0; at = rt.allocator.allocate(1 << 20)) held.push(at);
      expect(rt.allocator.usage.budgeted).toBeGreaterThan(rt.allocator.budget - (1 << 20));
      const n = 1_234_567; // a size no free block has: past the budget only a free block of its size could serve it
      expect(heapArray('float32', n)).toBeUndefined();
      const x = zeros([n]);
      expect(rt.addressOf(cpuData(x))).toBe(-1);
      expect(cpuData(x).buffer).toBeInstanceOf(ArrayBuffer);
      expect(x.add(2).mul(x.add(1)).sum().item()).toBe(2 * n); // the kernels' copying paths
      x.dispose();
    } finally {
      for (const at of held) rt.allocator.free(at);
    }
  });

  it('keeps arrays intact while the memory grows under them', () => {
    const rt = wasmRuntime();
    if (rt === null) throw new Error('no wasm runtime');
    const x = arange(0, 5000, 1, 'float32').mul(2); // storage in the memory
    const before = rt.buffer().byteLength;
    const later = Array.from({ length: 6 }, () => full([1 << 20], 1)); // 24 MB more
    const past = rt.allocator.allocate(before, true); // a block past the end: the memory grows for sure
    expect(rt.buffer().byteLength).toBeGreaterThan(before);
    expect(rt.addressOf(cpuData(x))).toBeGreaterThanOrEqual(0);
    expect(cpuData(x).buffer).not.toBe(rt.buffer());
    expect(x.sum().item()).toBe(5000 * 4999);
    expect(x.mul(1).add(later[5].narrow(0, 0, 5000)).sum().item()).toBe(5000 * 4999 + 5000); // the kernels read it in place
    for (const a of [x, ...later]) a.dispose();
    rt.allocator.free(past);
  });
});
