/**
 * Indexing kernels: gather, scatterAdd, indexSelect and constant padding.
 *
 * Index arrays arrive as int32; each index is checked as it is read (an index outside its dim
 * throws `IndexOutOfRangeError`), so no separate pass over the indices is needed.
 */
import { IndexOutOfRangeError } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { stridesFor } from '../shape.js';
import { cpuData } from './cpu-storage.js';
import { assign, fill as fillView } from './elementwise.js';
import { offsetAt, offsetsOf, unravel } from './strided.js';

/** `i` if it is a valid index into a dim of `size`, else the error naming it. */
function checked(op: string, i: number, dim: number, size: number): number {
  if (i < 0 || i >= size) throw new IndexOutOfRangeError(op, i, dim, size);
  return i;
}

/**
 * `out[p] = x[p with p[dim] replaced by index[p]]` for every position `p` of `index`.
 *
 * @example
 * const out = new Float32Array(2);
 * gather(array([[1, 2], [3, 4]]), 1, array([[1], [0]], { dtype: 'int32' }), out); // out = [2, 3]
 */
export function gather(x: NDArray, dim: number, index: NDArray, out: TypedArray): void {
  const base = offsetsOf(index.shape, x.strides.map((s, d) => (d === dim ? 0 : s)), x.offset);
  const at = offsetsOf(index.shape, index.strides, index.offset);
  const stride = x.strides[dim];
  const size = x.shape[dim];
  const data = cpuData(x);
  const idx = cpuData(index);
  for (let i = 0; i < out.length; i++) {
    const k = idx[at[i]];
    if (k < 0 || k >= size) throw new IndexOutOfRangeError('gather', k, dim, size);
    out[i] = data[base[i] + k * stride];
  }
}

/**
 * Reference for {@link gather}.
 *
 * @example
 * const out = new Float32Array(2);
 * gatherNaive(array([10, 20]), 0, array([1, 1], { dtype: 'int32' }), out); // out = [20, 20]
 */
export function gatherNaive(x: NDArray, dim: number, index: NDArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    const p = unravel(i, index.shape);
    const q = p.slice();
    q[dim] = checked('gather', cpuData(index)[offsetAt(p, index.strides, index.offset)], dim, x.shape[dim]);
    out[i] = cpuData(x)[offsetAt(q, x.strides, x.offset)];
  }
}

/**
 * `out = x` (contiguous copy), then `out[p with p[dim] = index[p]] += src[p]` for every position
 * `p` of `index`; repeated indices accumulate.
 *
 * @example
 * const out = zeros([3]);
 * scatterAdd(zeros([3]), 0, array([0, 0, 2], { dtype: 'int32' }), ones([3]), out);
 * out.toArray(); // [2, 0, 1]
 */
export function scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray, result: NDArray): void {
  const outStrides = stridesFor(x.shape);
  assign(result, x);
  const out = cpuData(result);
  const size = x.shape[dim];
  const base = offsetsOf(index.shape, outStrides.map((s, d) => (d === dim ? 0 : s)), 0);
  const at = offsetsOf(index.shape, index.strides, index.offset);
  const from = offsetsOf(index.shape, src.strides, src.offset);
  const stride = outStrides[dim];
  const idx = cpuData(index);
  const s = cpuData(src);
  for (let i = 0; i < base.length; i++) {
    const k = idx[at[i]];
    if (k < 0 || k >= size) throw new IndexOutOfRangeError('scatterAdd', k, dim, size);
    out[base[i] + k * stride] += s[from[i]];
  }
}

/**
 * Reference for {@link scatterAdd}.
 *
 * @example
 * const out = zeros([2]);
 * scatterAddNaive(zeros([2]), 0, array([1, 1], { dtype: 'int32' }), ones([2]), out);
 * out.toArray(); // [0, 2]
 */
export function scatterAddNaive(x: NDArray, dim: number, index: NDArray, src: NDArray, result: NDArray): void {
  const out = cpuData(result);
  const outStrides = stridesFor(x.shape);
  for (let i = 0; i < out.length; i++) out[i] = cpuData(x)[offsetAt(unravel(i, x.shape), x.strides, x.offset)];
  for (let i = 0; i < index.size; i++) {
    const p = unravel(i, index.shape);
    const q = p.slice();
    q[dim] = checked('scatterAdd', cpuData(index)[offsetAt(p, index.strides, index.offset)], dim, x.shape[dim]);
    out[offsetAt(q, outStrides, 0)] += cpuData(src)[offsetAt(p, src.strides, src.offset)];
  }
}

/**
 * Copies the slices `index[k]` of `x` along `dim` into slice `k` of `out` (contiguous, the
 * shape of `x` with `dim` resized to `index.size`).
 *
 * @example
 * const out = zeros([2]);
 * indexSelect(array([10, 20, 30]), 0, array([2, 0], { dtype: 'int32' }), out); // out = [30, 10]
 */
export function indexSelect(x: NDArray, dim: number, index: NDArray, out: NDArray): void {
  const at = offsetsOf(index.shape, index.strides, index.offset);
  for (let k = 0; k < at.length; k++) {
    const i = checked('indexSelect', cpuData(index)[at[k]], dim, x.shape[dim]);
    assign(out.narrow(dim, k, 1), x.narrow(dim, i, 1));
  }
}

/**
 * Reference for {@link indexSelect}.
 *
 * @example
 * const out = zeros([1]);
 * indexSelectNaive(array([10, 20]), 0, array([1], { dtype: 'int32' }), out); // out = [20]
 */
export function indexSelectNaive(x: NDArray, dim: number, index: NDArray, out: NDArray): void {
  for (let i = 0; i < out.size; i++) {
    const p = unravel(i, out.shape);
    const q = p.slice();
    q[dim] = checked('indexSelect', cpuData(index)[offsetAt([p[dim]], index.strides, index.offset)], dim, x.shape[dim]);
    cpuData(out)[offsetAt(p, out.strides, out.offset)] = cpuData(x)[offsetAt(q, x.strides, x.offset)];
  }
}

/**
 * Constant padding: fills `out` with `value`, then copies the (possibly cropped) input inside.
 * `pads[d] = [before, after]`; a negative amount crops that side.
 *
 * @example
 * const out = zeros([4]);
 * pad(array([1, 2]), [[1, 1]], 0, out); // out = [0, 1, 2, 0]
 */
export function pad(x: NDArray, pads: readonly (readonly [number, number])[], value: number, out: NDArray): void {
  fillView(out, value);
  let src = x;
  let dst = out;
  for (let d = 0; d < x.ndim; d++) {
    const [before, after] = pads[d];
    const cropStart = Math.max(0, -before);
    const length = x.shape[d] - cropStart - Math.max(0, -after);
    if (length <= 0) return;
    src = src.narrow(d, cropStart, length);
    dst = dst.narrow(d, Math.max(0, before), length);
  }
  assign(dst, src);
}

/**
 * Reference for {@link pad}.
 *
 * @example
 * const out = zeros([2]);
 * padNaive(array([1]), [[1, 0]], 9, out); // out = [9, 1]
 */
export function padNaive(x: NDArray, pads: readonly (readonly [number, number])[], value: number, out: NDArray): void {
  for (let i = 0; i < out.size; i++) {
    const p = unravel(i, out.shape);
    const q = p.map((k, d) => k - pads[d][0]);
    const inside = q.every((k, d) => k >= 0 && k < x.shape[d]);
    cpuData(out)[offsetAt(p, out.strides, out.offset)] = inside ? cpuData(x)[offsetAt(q, x.strides, x.offset)] : value;
  }
}
