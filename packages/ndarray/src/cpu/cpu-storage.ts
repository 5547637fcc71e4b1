/**
 * CPU storage: a typed array owned by a CPU backend.
 *
 * Only the CPU backend's kernels look inside (through `cpuData`); everything else sees an
 * opaque `Storage`. The typed array is a view into the wasm kernels' shared memory where it fits
 * (./wasm/heap-arrays.ts: the wasm kernels then work on it in place), else an ordinary typed array
 * from `allocateHost` (also what reads hand out: a copy the caller owns).
 */
import type { Backend } from '../backend.js';
import { allocate, type DType, type TypedArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { Storage } from '../storage.js';

/**
 * A CPU backend's storage: the typed array itself.
 *
 * @example
 * import { cpuBackend } from '@tsgrad/ndarray';
 * cpuBackend.allocate('float32', 3).size; // 3
 */
export class CpuStorage extends Storage {
  constructor(
    readonly backend: Backend,
    readonly data: TypedArray,
    dtype: DType,
  ) {
    super(dtype, data.length);
  }
}

/**
 * A new zero-filled typed array for `dtype` (bool and uint8 share `Uint8Array`), after checking
 * that the size is one a typed array can have.
 *
 * @example
 * allocateHost('int32', 2); // Int32Array [0, 0]
 */
export function allocateHost(dtype: DType, size: number): TypedArray {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_ELEMENTS) {
    throw new RangeError(`cannot allocate ${size} elements of ${dtype}: the CPU backend holds at most ${MAX_ELEMENTS} elements per array`);
  }
  return allocate(dtype, size);
}

/** The largest typed array V8 makes (2^32 - 1 elements on 64-bit Node; browsers may allow less). */
const MAX_ELEMENTS = 2 ** 32 - 1;

/**
 * The typed array behind a CPU array (its storage, not a copy: mind the offset and strides).
 * Kernels of the CPU backend use it; nothing else should.
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * cpuData(zeros([2])).length; // 2
 */
export function cpuData(x: NDArray): TypedArray {
  const s = x.storage;
  if (!(s instanceof CpuStorage)) {
    throw new Error(`a CPU kernel was handed an array of backend ${s.backend.name}: move it with .to(cpuBackend)`);
  }
  return s.data;
}
