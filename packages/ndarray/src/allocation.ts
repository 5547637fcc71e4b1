/**
 * Allocating an array's storage for a shape, with a clear error when it cannot be done. V8
 * fails on a typed array longer than 2^32 elements ("Invalid typed array length") or larger than
 * the memory it can get ("Array buffer allocation failed"); neither names the shape asked for.
 */
import { allocate, type DType, type TypedArray } from './dtype.js';
import { formatShape, sizeOf } from './shape.js';

/** The most elements one typed array holds in V8 (Node 20 and later, 64-bit). */
export const MAX_ELEMENTS = 2 ** 32;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

/**
 * Zero-filled storage for an array of `shape` and `dtype`; `fn` names the caller in errors,
 * which say what was asked for, in PyTorch's words ("you tried to allocate N bytes").
 *
 * @example
 * allocateFor('zeros', [2, 3], 'float32').length; // 6
 * allocateFor('zeros', [1e6, 1e6], 'float32');    // throws: ...you tried to allocate 4000000000000 bytes...
 */
export function allocateFor(fn: string, shape: readonly number[], dtype: DType): TypedArray {
  const size = sizeOf(shape);
  const asked = `${fn}: can't allocate memory for shape ${formatShape(shape)} of ${dtype}: you tried to allocate ${size * BYTES[dtype]} bytes`;
  if (size > MAX_ELEMENTS) throw new RangeError(`${asked} (${size} elements; one array holds at most ${MAX_ELEMENTS})`);
  try {
    return allocate(dtype, size);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${asked} (${e.message})`, { cause: e });
    throw e;
  }
}
