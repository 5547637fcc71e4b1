/**
 * Allocating an array's storage for a shape, with a clear error when it cannot be done. V8
 * fails on a typed array longer than 2^32 elements ("Invalid typed array length") or larger than
 * the memory it can get ("Array buffer allocation failed"); neither names the shape asked for.
 */
import type { DType } from './dtype.js';
import { formatShape, sizeOf } from './shape.js';

/** The most elements one typed array holds in V8 (Node 20 and later, 64-bit). */
export const MAX_ELEMENTS = 2 ** 32;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

/**
 * Runs `alloc` (a backend's allocation of `shape` elements of `dtype`) after checking the size,
 * and turns V8's bare RangeError into one that says what was asked for, in PyTorch's words
 * ("you tried to allocate N bytes"); `fn` names the caller.
 *
 * @example
 * allocating('zeros', [2, 3], 'float32', () => new Float32Array(6)).length; // 6
 * allocating('zeros', [1e6, 1e6], 'float32', () => new Float32Array(1e12)); // throws: you tried to allocate 4000000000000 bytes
 */
export function allocating<T>(fn: string, shape: readonly number[], dtype: DType, alloc: () => T): T {
  const size = sizeOf(shape);
  // The message is built only on failure: every allocation of a training step passes here.
  const asked = (): string => `${fn}: can't allocate memory for shape ${formatShape(shape)} of ${dtype}: you tried to allocate ${size * BYTES[dtype]} bytes`;
  if (size > MAX_ELEMENTS) throw new RangeError(`${asked()} (${size} elements; one array holds at most ${MAX_ELEMENTS})`);
  try {
    return alloc();
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${asked()} (${e.message})`, { cause: e });
    throw e;
  }
}
