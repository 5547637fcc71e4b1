/**
 * CPU storage inside the kernels' WebAssembly memory: a typed array over a block of the
 * runtime's shared memory (./runtime.ts, ./heap-allocator.ts). The TypeScript kernels see an
 * ordinary typed array; the wasm kernels find its address ({@link WasmRuntime.addressOf}) and
 * read and write it in place, with no copy in or out.
 *
 * Only a shared memory holds storage: growing it leaves earlier views valid (a plain memory's
 * growth would detach them). Arrays too small to be worth it, too large to keep in a memory that
 * never shrinks, or past the runtime's storage budget stay in JavaScript memory; the kernels copy
 * those in and out as before.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { wasmRuntime, type WasmRuntime } from './runtime.js';

/** Arrays under this many bytes stay in JavaScript memory: cheap to make and to copy. */
export const HEAP_MIN_BYTES = 4096;
/**
 * Arrays over this many bytes stay in JavaScript memory (a whole evaluation batch's activations,
 * 86 MB in Table 3), returned to the system when collected; a training step's largest is 5.5 MB.
 */
export const HEAP_MAX_BYTES = 32 * 2 ** 20;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

// The runtime whose memory holds the arrays handed out (the one runtime of the process; kept
// here so that blocks can be freed while the wasm kernels are turned off).
let home: WasmRuntime | undefined;

/**
 * A new typed array of `size` elements of `dtype` in the kernels' memory, zero-filled unless
 * `zeroFill` is false (for a kernel that overwrites every element), or undefined where it stays
 * in JavaScript memory (see above). Its block is freed by {@link freeHeapArray}, or when the
 * array is garbage-collected.
 *
 * @example
 * const a = heapArray('float32', 4096); // a Float32Array over wasm memory, or undefined
 * if (a !== undefined) freeHeapArray(a); // true
 */
export function heapArray(dtype: DType, size: number, zeroFill = true): TypedArray | undefined {
  const bytes = size * BYTES[dtype];
  if (!(bytes >= HEAP_MIN_BYTES && bytes <= HEAP_MAX_BYTES)) return undefined; // NaN included: allocateHost names the error
  const rt = wasmRuntime();
  if (rt === null || !rt.shared) return undefined;
  const at = rt.allocator.allocate(bytes);
  if (at < 0) return undefined;
  home = rt;
  const array = view(dtype, rt.buffer(), at, size);
  if (zeroFill) array.fill(0);
  rt.allocator.freeWhenCollected(at, array);
  return array;
}

/**
 * Gives the block under `array` back for reuse, if {@link heapArray} made it; false for any
 * other array. The array must not be used afterwards.
 *
 * @example
 * freeHeapArray(new Float32Array(4)); // false: JavaScript memory
 */
export function freeHeapArray(array: TypedArray): boolean {
  if (home === undefined || home.addressOf(array) < 0) return false;
  home.allocator.free(array.byteOffset);
  return true;
}

function view(dtype: DType, buffer: ArrayBufferLike, at: number, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, at, size);
    case 'float64':
      return new Float64Array(buffer, at, size);
    case 'int32':
      return new Int32Array(buffer, at, size);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, at, size);
  }
}
