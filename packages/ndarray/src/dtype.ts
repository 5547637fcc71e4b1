/**
 * Element types and the typed arrays that store them.
 *
 * `bool` is stored as a `Uint8Array` of 0/1, so every dtype maps to one of four typed arrays.
 */

/** The element type of an {@link NDArray}. */
export type DType = 'float32' | 'float64' | 'int32' | 'uint8' | 'bool';

/** A shape or a list of strides: one number per dimension. */
export type Shape = readonly number[];

/** Storage of a floating-point array. */
export type FloatArray = Float32Array | Float64Array;

/** Storage of any array. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Nested JavaScript arrays, as accepted by `array()` and returned by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * Every dtype, from the narrowest to the widest.
 *
 * @example
 * DTYPES.includes('int32'); // true
 */
export const DTYPES: readonly DType[] = ['bool', 'uint8', 'int32', 'float32', 'float64'];

/** The values each integer dtype holds; PyTorch, like us, lets a negative wrap into uint8. */
const INTEGER_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  uint8: [-Infinity, 255],
};

/**
 * Throws PyTorch's overflow error for the first value an integer `dtype` cannot hold (storing it
 * would wrap silently); `fn` names the caller.
 *
 * @example
 * checkFitsDType('array', 'int32', [1, 2]);   // fine
 * checkFitsDType('array', 'int32', [3e9]);    // throws: value 3000000000 cannot be converted to type int32 without overflow
 */
export function checkFitsDType(fn: string, dtype: DType, values: readonly number[]): void {
  const range = INTEGER_RANGE[dtype];
  if (range === undefined) return;
  const [lo, hi] = range;
  for (const v of values) {
    if (!(v >= lo && v <= hi) || v === -Infinity) {
      throw new RangeError(`${fn}: value ${v} cannot be converted to type ${dtype} without overflow`);
    }
  }
}

/**
 * A new zero-filled typed array for `dtype`.
 *
 * @example
 * allocate('float32', 3); // Float32Array [0, 0, 0]
 */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'uint8':
    case 'bool':
      return new Uint8Array(size);
  }
}

/**
 * The dtype a typed array stores (`Uint8Array` reads as `uint8`).
 *
 * @example
 * dtypeOf(new Float64Array(2)); // 'float64'
 */
export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

/**
 * Whether a typed array holds elements of `dtype` (bool and uint8 share `Uint8Array`).
 *
 * @example
 * storageMatches(new Uint8Array(1), 'bool'); // true
 */
export function storageMatches(data: TypedArray, dtype: DType): boolean {
  const own = dtypeOf(data);
  return own === dtype || (own === 'uint8' && dtype === 'bool');
}

/**
 * Whether `dtype` is float32 or float64.
 *
 * @example
 * isFloat('int32'); // false
 */
export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * The dtype of an arithmetic result: float64 if either is float64, else float32 if either is
 * a float, else int32 (bool and uint8 operands compute as int32).
 *
 * @example
 * resultType('int32', 'float32'); // 'float32'
 */
export function resultType(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/**
 * The dtype of `array op scalar`: a JavaScript number is a "weak" scalar, as in PyTorch. It
 * never widens a float array; a non-integer turns an integer array into float32.
 *
 * @example
 * scalarResultType('int32', 0.5); // 'float32'
 */
export function scalarResultType(a: DType, scalar: number): DType {
  if (isFloat(a)) return a;
  return Number.isInteger(scalar) ? 'int32' : 'float32';
}

/**
 * Throws unless `dtype` is one of the known dtypes (guards plain-JavaScript callers).
 *
 * @example
 * checkDType('float32');
 */
export function checkDType(dtype: string): asserts dtype is DType {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new Error(`unknown dtype '${dtype}' (expected one of ${DTYPES.join(', ')})`);
  }
}
