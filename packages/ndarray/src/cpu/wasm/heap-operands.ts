/**
 * Where a kernel finds its operands and puts its results in wasm memory: in place when the array
 * lives there (CPU storage usually does on a shared memory, ./heap-arrays.ts), else in scratch,
 * copied in before and out after. The convolutions (./conv2d-wasm.ts, ./direct-conv-wasm.ts) touch
 * the caller's arrays only through these.
 */
import type { FloatArray } from '../kernel-types.js';
import type { WasmRuntime } from './runtime.js';

/**
 * The float index in wasm memory of `array[offset]` and the `length` elements after it: where the
 * array lives, if it lives in wasm memory, else `scratchAt`, after copying them there.
 *
 * @example
 * import { createWasmRuntime } from './runtime.js';
 * const rt = createWasmRuntime(false);
 * const [at] = rt.scratch([4]);
 * operandAt(rt, new Float32Array([1, 2, 3, 4]), 1, 2, at); // at: a JavaScript array is copied; heap()[at] = 2
 */
export function operandAt(rt: WasmRuntime, array: FloatArray, offset: number, length: number, scratchAt: number): number {
  const at = rt.addressOf(array, offset);
  if (at >= 0) return at / 4;
  rt.heap().set(array.subarray(offset, offset + length), scratchAt);
  return scratchAt;
}

/**
 * The float index where the result for `array[offset...]` is written: in place if the array lives
 * in wasm memory, else `scratchAt`.
 *
 * @example
 * import { createWasmRuntime } from './runtime.js';
 * const rt = createWasmRuntime(false);
 * resultAt(rt, new Float32Array(8), 0, 64); // 64: a JavaScript array gets its result in scratch
 */
export function resultAt(rt: WasmRuntime, array: FloatArray, offset: number, scratchAt: number): number {
  const at = rt.addressOf(array, offset);
  return at >= 0 ? at / 4 : scratchAt;
}

/**
 * Copies `length` results from scratch into `array[offset...]`, unless they were written in place
 * (`at` is not `scratchAt`).
 *
 * @example
 * import { createWasmRuntime } from './runtime.js';
 * const rt = createWasmRuntime(false);
 * const [at] = rt.scratch([4]);
 * rt.heap()[at] = 5;
 * const out = new Float32Array(2);
 * copyOut(rt, out, 1, 1, at, at); // out = [0, 5]
 */
export function copyOut(rt: WasmRuntime, array: FloatArray, offset: number, length: number, at: number, scratchAt: number): void {
  if (at === scratchAt) array.set(rt.heap().subarray(at, at + length), offset);
}
