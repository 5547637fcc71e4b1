/**
 * Shape arithmetic as small named functions: sizes, row-major strides, dimension checks,
 * broadcasting and the stride rule that decides whether a reshape can be a view.
 */
import type { Shape } from './dtype.js';

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
 * The number of elements of an array of this shape (1 for a 0-d array).
 *
 * @example
 * sizeOf([2, 3, 4]); // 24
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * Row-major (C-order) strides, in elements: the last dimension moves fastest.
 *
 * @example
 * stridesFor([2, 3, 4]); // [12, 4, 1]
 */
export function stridesFor(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Throws unless every size is a non-negative integer.
 *
 * @example
 * checkShape([2, 3]);
 */
export function checkShape(shape: Shape, what = 'shape'): void {
  // Plain-JavaScript callers can pass anything (zeros("3")); name it rather than fail inside.
  if (!Array.isArray(shape)) {
    const got = typeof shape === 'string' ? `string ${JSON.stringify(shape)}` : shape === null ? 'null' : `${typeof shape} ${String(shape)}`;
    throw new TypeError(`${what} must be an array of non-negative integers, got ${got}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${what} ${formatShape(shape)} must contain non-negative integers, got ${d}`);
    }
  }
}

/**
 * A dimension index in `0..ndim-1`; negative dims count from the end.
 *
 * @example
 * normalizeDim(-1, 3); // 2
 */
export function normalizeDim(dim: number, ndim: number): number {
  // A 0-d array accepts dims -1 and 0, as PyTorch does.
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, got ${typeof dim} ${String(dim)}`);
  if (dim < -n || dim >= n) {
    throw new RangeError(`dim ${dim} out of range for a ${ndim}-d array (expected ${-n}..${n - 1})`);
  }
  return dim < 0 ? dim + n : dim;
}

/**
 * Sorted, de-duplicated, non-negative axes; all axes when `axis` is undefined.
 *
 * @example
 * normalizeAxes([-1, 0], 3); // [0, 2]
 */
export function normalizeAxes(axis: number | readonly number[] | undefined, ndim: number): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const out: number[] = [];
  for (const a of list) {
    const d = normalizeDim(a, ndim);
    if (out.includes(d)) throw new Error(`dim ${d} appears multiple times in the list of dims`);
    out.push(d);
  }
  // A 0-d array accepts dim 0 or -1 (checked above) but has no axis to reduce over.
  return ndim === 0 ? [] : out.sort((x, y) => x - y);
}

/**
 * The shape two shapes broadcast to (PyTorch/NumPy rules: align from the right; sizes must
 * match or one of them must be 1).
 *
 * @example
 * broadcastShapes([2, 1, 3], [4, 3]); // [2, 4, 3]
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 1; i <= n; i++) {
    const da = i <= a.length ? a[a.length - i] : 1;
    const db = i <= b.length ? b[b.length - i] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `broadcast: shapes ${formatShape(a)} and ${formatShape(b)} are incompatible at dim ${-i} (${da} vs ${db})`,
      );
    }
    out[n - i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read an array of `shape`/`strides` as if it had the (larger) broadcast shape
 * `target`: a broadcast dimension gets stride 0, so every index along it reads the same element.
 *
 * @example
 * broadcastStrides([3], [1], [2, 3]); // [0, 1]
 */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  if (lead < 0) {
    throw new Error(`broadcast: cannot expand ${formatShape(shape)} to fewer dims ${formatShape(target)}`);
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    const t = target[lead + i];
    if (d === t) out[lead + i] = d === 1 ? 0 : strides[i];
    else if (d === 1) out[lead + i] = 0;
    else {
      throw new Error(
        `expand: the size ${d} at dim ${i} must match the size ${t} at dim ${lead + i} of ${formatShape(target)} (or be 1)`,
      );
    }
  }
  return out;
}

/**
 * Resolves one `-1` in a requested shape so that the total size is `size`.
 *
 * @example
 * inferShape([-1, 4], 12, [3, 4]); // [3, 4]
 */
export function inferShape(requested: Shape, size: number, from: Shape): number[] {
  if (!Array.isArray(requested)) throw new TypeError(`reshape: shape must be an array of integers, got ${String(requested)}`);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < requested.length; i++) {
    const d = requested[i];
    if (d === -1) {
      if (unknown >= 0) throw new Error(`reshape: only one dimension can be inferred, got ${formatShape(requested)}`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`reshape: invalid shape dimension ${d} in ${formatShape(requested)}`);
    } else known *= d;
  }
  const out = requested.slice();
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new Error(
        `reshape: cannot view ${formatShape(from)} (${size} elements) as ${formatShape(requested)}`,
      );
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new Error(
      `reshape: cannot view ${formatShape(from)} (${size} elements) as ${formatShape(requested)} (${known} elements)`,
    );
  }
  return out;
}

/**
 * Strides that let an array of `shape`/`strides` be read as `newShape` without moving data,
 * or `null` when no such strides exist (then reshape must copy). This is PyTorch's rule: every
 * run of old dimensions that is contiguous among itself can be split or merged freely.
 *
 * @example
 * viewStrides([2, 3], [3, 1], [3, 2]); // [2, 1]
 * viewStrides([2, 3], [1, 2], [6]);    // null (a transposed array)
 */
export function viewStrides(shape: Shape, strides: Shape, newShape: Shape): number[] | null {
  const out = new Array<number>(newShape.length);
  if (sizeOf(shape) === 0) return stridesFor(newShape);
  let viewD = newShape.length - 1;
  // Walk the old dims from the right, grouping those that are contiguous with each other.
  let chunkBaseStride = strides.length > 0 ? strides[strides.length - 1] : 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    const endOfChunk = d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBaseStride);
    if (endOfChunk) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBaseStride = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) {
    // Only trailing size-1 dims of the new shape can remain (e.g. viewing [] as [1, 1]).
    while (viewD >= 0) {
      if (newShape[viewD] !== 1) return null;
      out[viewD] = 1;
      viewD--;
    }
  }
  return out;
}

/**
 * Whether `strides` are the row-major strides of `shape` (size-1 dims may have any stride).
 *
 * @example
 * isContiguousLayout([2, 3], [3, 1]); // true
 */
export function isContiguousLayout(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}
