import { describe, expect, it } from 'vitest';
import { cpuData } from './cpu-storage.js';
import { BufferPool } from './buffer-pool.js';
import { tidy } from '../memory.js';
import { zeros } from '../creation.js';
import { setWasmKernels } from './wasm/runtime.js';

describe('BufferPool', () => {
  it('hands a given buffer back, zero-filled, for the same dtype and length only', () => {
    const pool = new BufferPool(1 << 20);
    const a = new Float32Array(2048).fill(7);
    pool.give('float32', a);
    expect(pool.bytes).toBe(8192);
    expect(pool.take('float32', 2047)).toBeUndefined();
    expect(pool.take('int32', 2048)).toBeUndefined();
    const b = pool.take('float32', 2048);
    expect(b).toBe(a);
    expect(b?.every((v) => v === 0)).toBe(true);
    expect(pool.bytes).toBe(0);
    expect(pool.take('float32', 2048)).toBeUndefined();
  });

  it('keeps at most maxBytes and nothing under minBytes', () => {
    const pool = new BufferPool(10_000, 4096);
    pool.give('float32', new Float32Array(1000)); // 4000 bytes: too small
    expect(pool.bytes).toBe(0);
    pool.give('float64', new Float64Array(1024)); // 8192 bytes
    pool.give('float64', new Float64Array(1024)); // would pass 10,000: left to the collector
    expect(pool.bytes).toBe(8192);
    pool.clear();
    expect(pool.bytes).toBe(0);
    expect(pool.take('float64', 1024)).toBeUndefined();
  });
});

describe('the CPU backend reuses disposed buffers', () => {
  it('gives a disposed array buffer to the next allocation of its size, zeroed (JavaScript memory)', () => {
    setWasmKernels(false); // storage stays in JavaScript memory, pooled
    try {
      const first = zeros([64, 64]).add(3);
      const buffer = cpuData(first);
      first.dispose();
      const second = zeros([64, 64]);
      expect(cpuData(second)).toBe(buffer);
      expect(second.sum().item()).toBe(0);
    } finally {
      setWasmKernels(true);
    }
  });

  it('gives a disposed array block to the next allocation of its size, zeroed (wasm memory)', () => {
    const first = zeros([64, 64]).add(3);
    const buffer = cpuData(first);
    expect(buffer.buffer).toBeInstanceOf(SharedArrayBuffer);
    first.dispose();
    const second = zeros([64, 64]);
    expect(cpuData(second).byteOffset).toBe(buffer.byteOffset); // the same block, a new view of it
    expect(second.sum().item()).toBe(0);
  });

  it('reuses the temporaries of one tidy step in the next, with the same results', () => {
    const step = (): number => tidy(() => zeros([32, 32]).add(1).mul(2).sum().item());
    expect(step()).toBe(2048);
    expect(step()).toBe(2048);
  });
});
