/**
 * Test inputs shared by the kernel tests (`*.test.ts` beside this file); not part of the package's API.
 */
import type { FloatArray } from './kernel-types.js';
import { wasmRuntime } from './wasm/runtime.js';
import { setCpuThreads, workerJobs } from './wasm/threads.js';

/**
 * Fills `arr` with deterministic pseudo-random values in [-1, 1) (an LCG: the tests need variety, not quality).
 *
 * @example
 * fill(new Float32Array(4), 1); // the same four values on every run
 */
export function fill(arr: FloatArray, seed: number): FloatArray {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    arr[i] = s / 2 ** 31 - 1;
  }
  return arr;
}

/** A fixture value: a number, or one of the strings "NaN", "Infinity", "-Infinity". */
export type Json = number | string;

/**
 * Fixture values as float64 (the strings become NaN and the infinities).
 *
 * @example
 * decode([1, 'NaN', '-Infinity']); // Float64Array [1, NaN, -Infinity]
 */
export function decode(v: Json[]): Float64Array {
  return Float64Array.from(v, (e) => (typeof e === 'number' ? e : Number(e)));
}

/**
 * `run()` at a thread count, again until a worker has run a share (a share no worker has claimed
 * when the calling thread is done with its own runs on the calling thread: while the workers
 * start, or on a busy machine, the first runs may use one thread). Returns the last result.
 *
 * @example
 * // snippet: skip sets the process's thread count and waits for the workers to start
 * const c = await onThreads(2, () => gemmOf(a, b)); // computed with a worker's help
 */
export async function onThreads<T>(threads: number, run: () => T): Promise<T> {
  setCpuThreads(threads);
  for (let attempt = 0; ; attempt++) {
    const result = run();
    if (threads === 1 || workerJobs() > 0 || attempt === 100) return result;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A copy of `a` in a block of the wasm kernels' memory (any size; freed when collected), where
 * the wasm kernels work on it in place: for testing those paths on arrays of any size.
 *
 * @example
 * // snippet: skip needs the wasm runtime
 * const x = inWasmMemory(new Float32Array([1, 2])); // wasmRuntime().addressOf(x) >= 0
 */
export function inWasmMemory(a: Float32Array): Float32Array;
export function inWasmMemory(a: Int32Array): Int32Array;
export function inWasmMemory(a: Float32Array | Int32Array): Float32Array | Int32Array {
  const rt = wasmRuntime();
  if (rt === null || !rt.shared) throw new Error('inWasmMemory: no shared wasm memory');
  const at = rt.allocator.allocate(a.byteLength, true); // outside the storage budget: tests make many
  const copy = a instanceof Float32Array ? new Float32Array(rt.buffer(), at, a.length) : new Int32Array(rt.buffer(), at, a.length);
  copy.set(a);
  rt.allocator.freeWhenCollected(at, copy);
  return copy;
}
