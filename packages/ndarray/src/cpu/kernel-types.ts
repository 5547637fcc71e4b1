/**
 * Types shared by the CPU kernels (matmul, conv2d, pool2d) and the checks that guard them.
 *
 * The kernels see flat typed arrays and integer geometry only; shapes, strides and dtypes
 * are the NDArray layer's business. Every kernel checks that the buffers it was handed are
 * as long as the geometry says, so a caller's mistake is an error that names the values,
 * never a silent read past the end (which a typed array answers with `undefined`, i.e. NaN).
 */

/** A floating-point storage buffer; every float kernel runs on either width. */
export type FloatArray = Float32Array | Float64Array;

export type { Conv2dGeometry, Pool2dGeometry } from '../geometry.js';

/**
 * Throws unless `buffer` holds exactly `expected` elements.
 *
 * @example
 * checkLength('conv2dForward', 'x', new Float32Array(6), 6, 'n*c*h*w = 1*1*2*3'); // passes
 */
export function checkLength(kernel: string, name: string, buffer: ArrayLike<number>, expected: number, formula: string): void {
  if (buffer.length !== expected) {
    throw new Error(`${kernel}: ${name} has ${buffer.length} elements, expected ${formula} = ${expected}`);
  }
}

/**
 * Throws unless every listed field is an integer `>= min`.
 *
 * @example
 * checkIntegers('maxPool2dForward', { kh: 2, kw: 2 }, 1); // passes
 */
export function checkIntegers(kernel: string, fields: Record<string, number>, min: number): void {
  for (const [name, value] of Object.entries(fields)) {
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${kernel}: ${name} must be an integer >= ${min}, got ${value}`);
    }
  }
}
