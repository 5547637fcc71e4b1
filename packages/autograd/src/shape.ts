/** Shape and dimension arithmetic shared by the engine and the ops, and the way errors print shapes. */
import type { Shape } from '@tsgrad/ndarray';

/**
 * A shape as written in error messages.
 *
 * @example
 * formatShape([2, 3]); // '[2,3]'
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * A dim in `0..ndim-1`; negative dims count from the end. Throws the ndarray message if out
 * of range.
 *
 * @example
 * normalizeDim(-1, 3); // 2
 */
export function normalizeDim(dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= Math.max(ndim, 1)) {
    throw new Error(`dim ${dim} out of range for a ${ndim}-d array (expected ${-Math.max(ndim, 1)}..${Math.max(ndim, 1) - 1})`);
  }
  return d;
}

/**
 * The sorted, non-negative axes of a reduction; all of them when `axis` is omitted.
 *
 * @example
 * normalizeAxes([-1, 0], 3); // [0, 2]
 */
export function normalizeAxes(axis: number | readonly number[] | undefined, ndim: number): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normalizeDim(a, ndim)))].sort((a, b) => a - b);
}

/**
 * `shape` with `size` at `dim` and 1 everywhere else: for broadcasting a 1-d array along `dim`.
 *
 * @example
 * alongDim(3, 1, 4); // [1, 4, 1]
 */
export function alongDim(ndim: number, dim: number, size: number): number[] {
  return Array.from({ length: ndim }, (_, i) => (i === dim ? size : 1));
}

/** Whether two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
