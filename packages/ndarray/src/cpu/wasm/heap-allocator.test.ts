import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HeapAllocator } from './heap-allocator.js';

const memory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true });

describe('HeapAllocator', () => {
  it('hands out 16-byte aligned blocks, rounded up to 16 bytes, one after the other', () => {
    const heap = new HeapAllocator(memory(), 1 << 20, 32);
    expect(heap.allocate(1)).toBe(32);
    expect(heap.allocate(17)).toBe(48);
    expect(heap.allocate(0)).toBe(80); // an empty array still gets a block of its own
    expect(heap.sizeOf(48)).toBe(32);
    expect(heap.usage).toEqual({ allocated: 64, free: 0, budgeted: 64 }); // 16 + 32 + 16
  });

  it('reuses a freed block for the next request of the same rounded size', () => {
    const heap = new HeapAllocator(memory(), 1 << 20);
    const a = heap.allocate(4000), b = heap.allocate(4000);
    heap.free(a);
    expect(heap.usage.free).toBe(4000);
    expect(heap.allocate(3990)).toBe(a); // 3990 rounds up to 4000 too
    expect(heap.allocate(4000)).toBe(b + 4000); // none free: from the top
    expect(() => heap.free(a + 16)).toThrow('no allocated block at byte address 16');
    heap.free(b);
    expect(() => heap.free(b)).toThrow(/freed twice/);
  });

  it('declines past its budget, except unbounded blocks, and grows the memory as blocks are handed out', () => {
    const m = memory();
    const heap = new HeapAllocator(m, 100_000);
    expect(heap.allocate(60_000)).toBe(0);
    expect(heap.allocate(60_000)).toBe(-1);
    expect(heap.allocate(200_000, true)).toBe(60_000);
    expect(heap.usage.budgeted).toBe(60_000);
    expect(m.buffer.byteLength).toBe(4 * 65536); // 260,000 bytes and the tail slack: 4 pages
    heap.free(0);
    expect(heap.allocate(60_000)).toBe(0); // reuse is always allowed
  });

  it('keeps live blocks disjoint and inside the memory under any sequence of allocations and frees', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 })), { maxLength: 60 }), (ops) => {
      const m = memory();
      const heap = new HeapAllocator(m, 1 << 30);
      const live: { at: number; bytes: number }[] = [];
      for (const [free, bytes] of ops) {
        if (free && live.length > 0) {
          heap.free(live.splice(bytes % live.length, 1)[0].at);
        } else {
          const at = heap.allocate(bytes);
          expect(at % 16).toBe(0);
          expect(heap.sizeOf(at)).toBeGreaterThanOrEqual(bytes);
          live.push({ at, bytes: heap.sizeOf(at) });
        }
      }
      const sorted = [...live].sort((x, y) => x.at - y.at);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].at).toBeGreaterThanOrEqual(sorted[i - 1].at + sorted[i - 1].bytes);
      for (const b of live) expect(b.at + b.bytes).toBeLessThanOrEqual(m.buffer.byteLength);
    }));
  });

  it('takes back the block of an owner that was garbage-collected without being freed', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const heap = new HeapAllocator(memory(), 1 << 20);
    let collected = false;
    // Without --expose-gc, create garbage until the collector has run the registry's callback.
    for (let round = 0; round < 200 && !collected; round++) {
      (() => {
        const at = heap.allocate(1024);
        heap.freeWhenCollected(at, new Float32Array(256));
      })();
      if (gc !== undefined) gc();
      else for (let i = 0; i < 50; i++) new Float64Array(1 << 16);
      await new Promise((resolve) => setTimeout(resolve, 1));
      collected = heap.usage.free > 0;
    }
    expect(collected).toBe(true);
    expect(heap.allocate(1024) % 1024).toBe(0); // one of the collected blocks, not a new one
  });

  it('does not free a block twice when its owner is collected after an explicit free', () => {
    const heap = new HeapAllocator(memory(), 1 << 20);
    const owner = new Float32Array(4);
    const at = heap.allocate(16);
    heap.freeWhenCollected(at, owner);
    heap.free(at);
    expect(heap.allocate(16)).toBe(at); // reused; the registration was dropped with the free
    expect(heap.usage.free).toBe(0);
  });
});
