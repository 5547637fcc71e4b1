import type { FloatArray, NDArray } from '@tsgrad/ndarray';

/**
 * The flat float typed array behind a contiguous `NDArray`, as a view of exactly its elements,
 * or `null` when the array is strided or its storage is not a float typed array (another
 * backend's buffer). The optimizers' fast kernels update these views in place; when any
 * array of an update has no view, they fall back to the NDArray-op reference form.
 *
 * @example
 * ```ts
 * import { zeros } from '@tsgrad/ndarray';
 * import { flatFloats } from './flat.js';
 * flatFloats(zeros([2, 3]))?.length;               // 6
 * flatFloats(zeros([2, 3]).transpose(0, 1));       // null: a strided view
 * ```
 */
export function flatFloats(a: NDArray): FloatArray | null {
  const s = a.storage;
  if (!(s instanceof Float32Array || s instanceof Float64Array) || !a.isContiguous()) return null;
  return s.subarray(a.offset, a.offset + a.size);
}
