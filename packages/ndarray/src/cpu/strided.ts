/**
 * Walking strided arrays with flat integer offsets.
 *
 * A kernel over several operands of one (broadcast) shape sees the array as rows: the last
 * dimension is a tight loop `for (j < n) out[o + j*os] = f(a[ai + j*as])`, and a
 * {@link RowCursor} moves every operand's offset to the start of the next row. Dimensions that
 * are laid out one after another in every operand are merged first ("coalesced"), so a
 * contiguous array, however many dims it has, is a single row.
 */
import type { Shape } from '../dtype.js';

/**
 * Shape and per-operand strides with size-1 dims dropped and mergeable neighbours merged.
 * Always at least one dim (a 0-d array becomes shape `[1]`).
 *
 * @example
 * coalesce([2, 3], [[3, 1], [0, 1]]); // { shape: [2, 3], strides: [[3, 1], [0, 1]] }
 * coalesce([2, 3], [[3, 1]]);          // { shape: [6], strides: [[1]] }
 */
export function coalesce(shape: Shape, strides: readonly Shape[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = outShape.length - 1;
    let mergeable = last >= 0;
    for (let k = 0; k < strides.length && mergeable; k++) {
      // The previous kept dim steps over exactly this whole dim in operand k.
      if (outStrides[k][last] !== strides[k][d] * size) mergeable = false;
    }
    if (mergeable) {
      outShape[last] *= size;
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][d];
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][d]);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (let k = 0; k < strides.length; k++) outStrides[k].push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Iterates the rows of one or more operands that share a shape. After construction,
 * `offsets[k]` is operand k's offset at the start of row 0; `next()` moves to the next row.
 * `n` is the row length and `inner[k]` operand k's stride along it.
 *
 * @example
 * const c = new RowCursor([2, 3], [[1, 2]], [0]); // a transposed 3x2 array
 * for (let r = 0; r < c.rows; r++, c.next()) {
 *   // elements of row r are at c.offsets[0] + j * c.inner[0], j < c.n
 * }
 */
export class RowCursor {
  readonly rows: number;
  readonly n: number;
  readonly inner: number[];
  readonly offsets: number[];
  private readonly outerShape: number[];
  private readonly outerStrides: number[][];
  private readonly index: Int32Array;

  constructor(shape: Shape, strides: readonly Shape[], offsets: readonly number[]) {
    const c = coalesce(shape, strides);
    const nd = c.shape.length;
    this.n = c.shape[nd - 1];
    this.inner = c.strides.map((s) => s[nd - 1]);
    this.outerShape = c.shape.slice(0, nd - 1);
    this.outerStrides = c.strides.map((s) => s.slice(0, nd - 1));
    let rows = 1;
    for (const d of this.outerShape) rows *= d;
    this.rows = shape.some((d) => d === 0) ? 0 : rows;
    this.offsets = offsets.slice();
    this.index = new Int32Array(nd - 1);
  }

  /** Advances every operand's offset to the start of the next row (an odometer). */
  next(): void {
    const shape = this.outerShape;
    const index = this.index;
    const offsets = this.offsets;
    const strides = this.outerStrides;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      if (index[d] < shape[d]) {
        for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
        return;
      }
      index[d] = 0;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * (shape[d] - 1);
    }
  }
}

/**
 * The flat offset of every element of a strided array, in row-major order. Used for the outer
 * loop of kernels whose inner work is not a simple row (matmul batches, arg-reductions, gather).
 *
 * @example
 * offsetsOf([2, 2], [1, 2], 0); // Int32Array [0, 2, 1, 3]
 */
export function offsetsOf(shape: Shape, strides: Shape, offset: number): Int32Array {
  let size = 1;
  for (const d of shape) size *= d;
  const out = new Int32Array(size);
  if (size === 0) return out;
  const cursor = new RowCursor(shape, [strides], [offset]);
  const n = cursor.n;
  const s = cursor.inner[0];
  let i = 0;
  for (let r = 0; r < cursor.rows; r++, cursor.next()) {
    const o = cursor.offsets[0];
    for (let j = 0; j < n; j++) out[i++] = o + j * s;
  }
  return out;
}

/**
 * The offset of a multi-index (naive kernels use this, fast kernels never do).
 *
 * @example
 * offsetAt([1, 2], [3, 1], 0); // 5
 */
export function offsetAt(index: readonly number[], strides: Shape, offset: number): number {
  let o = offset;
  for (let i = 0; i < index.length; i++) o += index[i] * strides[i];
  return o;
}

/**
 * The multi-index of flat position `i` in row-major order (naive kernels only).
 *
 * @example
 * unravel(5, [2, 3]); // [1, 2]
 */
export function unravel(i: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}
