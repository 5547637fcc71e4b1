import { afterAll, describe, expect, it } from 'vitest';
import { gemm, type GemmOperands } from '../matmul.js';
import { fill, onThreads } from '../test-data.js';
import { getCpuThreads, setCpuThreads, shareRange, sharesFor, workerJobs } from './threads.js';
import { wasmRuntime } from './runtime.js';

function product(m: number, k: number, n: number, seed: number): Float32Array {
  const a = fill(new Float32Array(m * k), seed), b = fill(new Float32Array(k * n), seed + 1);
  const op: GemmOperands = {
    m, k, n, a, aOffset: 0, aRowStride: k, aColStride: 1, b, bOffset: 0, bRowStride: 1, bColStride: k,
    c: new Float32Array(m * n), cOffset: 0,
  };
  gemm(op);
  return op.c instanceof Float32Array ? op.c : new Float32Array(0);
}


describe('worker threads for the wasm gemm', () => {
  afterAll(() => setCpuThreads(1));

  it('gives bit-identical products on 1, 2 and 3 threads (each C element is computed by one thread, in one order)', async () => {
    for (const [m, k, n] of [[300, 400, 256], [129, 257, 72], [1024, 800, 64]]) {
      const one = await onThreads(1, () => product(m, k, n, m));
      const two = await onThreads(2, () => product(m, k, n, m));
      expect(wasmRuntime()?.shared).toBe(true); // threads asked for: the runtime moved to a shared memory
      expect(workerJobs()).toBeGreaterThan(0); // the worker really ran blocks
      const three = await onThreads(3, () => product(m, k, n, m));
      expect(workerJobs()).toBeGreaterThan(0);
      expect(two).toEqual(one);
      expect(three).toEqual(one);
    }
  });

  it('splits items into at most `threads` contiguous shares of at least the least work', () => {
    expect(sharesFor(2, 64, 540_000, 1 << 18)).toBe(2);
    expect(sharesFor(3, 64, 1000, 1 << 18)).toBe(1); // 64,000 in all: not worth a second thread
    expect(sharesFor(8, 3, 1 << 20, 1 << 18)).toBe(3); // never more shares than items
    expect([0, 1, 2].map((s) => shareRange(10, 3, s))).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(shareRange(2, 3, 2)).toEqual([2, 2]); // an empty share
  });

  it('runs every share, also more shares than threads (the calling thread takes the rest)', () => {
    setCpuThreads(2);
    const rt = wasmRuntime();
    if (rt === null) throw new Error('no wasm runtime');
    expect(rt.threads()).toBe(2);
    const [at] = rt.scratch([64]);
    rt.heap().fill(1, at, at + 64);
    // Five shares on two threads, each zeroing its 8 floats of the first 40.
    expect(rt.inShares(5, (calls, share) => calls.zero(4 * (at + 8 * share), 32))).toBe(true);
    expect(Array.from(rt.heap().subarray(at, at + 64))).toEqual([...new Array<number>(40).fill(0), ...new Array<number>(24).fill(1)]);
  });

  it('defaults to the available cores and checks the count it is given', () => {
    expect(getCpuThreads()).toBeGreaterThanOrEqual(1);
    expect(() => setCpuThreads(0)).toThrow('setCpuThreads: threads must be an integer >= 1, got 0');
    expect(() => setCpuThreads(1.5)).toThrow('got 1.5');
  });
});
