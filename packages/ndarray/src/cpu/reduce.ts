/**
 * Reduction kernels: sum/max/min over a set of axes, and max/min with indices along one axis.
 *
 * A reduction walks the input once in its own order and adds each element into an accumulator
 * cell whose strides are 0 along the reduced axes ("broadcasting in reverse"). Accumulators are
 * float64, so float32 sums lose less precision than a float32 running total would.
 */
import type { ReduceOp } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { stridesFor } from '../shape.js';
import { offsetAt, offsetsOf, RowCursor, unravel } from './strided.js';
import { cpuData } from './cpu-storage.js';
import { rowSumsWasm } from './wasm/elementwise-wasm.js';

/**
 * The shape of a reduction result with the reduced axes kept as size 1.
 *
 * @example
 * keptShape([2, 3, 4], [1]); // [2, 1, 4]
 */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function initialValue(op: ReduceOp): number {
  return op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
}

/**
 * Reduces `x` over `axes` into the contiguous `out` (shape: `x.shape` with `axes` set to 1).
 * max/min propagate NaN, as PyTorch.
 *
 * @example
 * const out = new Float32Array(2);
 * reduce('sum', array([[1, 2], [3, 4]]), [1], out); // out = [3, 7]
 */
export function reduce(op: ReduceOp, x: NDArray, axes: readonly number[], out: TypedArray): void {
  if (out.length === 1 && x.isContiguous()) {
    // Fast path: everything into one value, a single pass over contiguous memory.
    out[0] = reduceRun(op, cpuData(x), x.offset, x.size);
    return;
  }
  const acc = new Float64Array(out.length).fill(initialValue(op));
  const accStrides = stridesFor(keptShape(x.shape, axes)).map((s, i) => (axes.includes(i) ? 0 : s));
  const c = new RowCursor(x.shape, [x.strides, accStrides], [x.offset, 0]);
  const data = cpuData(x);
  const n = c.n;
  const xs = c.inner[0];
  const as = c.inner[1];
  // Sums along contiguous rows (a bias gradient: [N,C,H,W] to [C,1,1]): every row's sum at once
  // on the WebAssembly kernel, in doubles, then added into the accumulators in the same order.
  const sums = op === 'sum' && as === 0 && xs === 1 && x.isContiguous() ? rowSumsWasm(data, x.offset, n, c.rows) : null;
  if (sums !== null) {
    for (let r = 0; r < c.rows; r++, c.next()) acc[c.offsets[1]] += sums[r];
    out.set(acc);
    return;
  }
  for (let r = 0; r < c.rows; r++, c.next()) {
    const xi = c.offsets[0];
    const ai = c.offsets[1];
    if (as === 0) {
      // The row runs along a reduced axis: combine it in a local variable.
      let t = acc[ai];
      if (op === 'sum') t += sumRow(data, xi, xs, n);
      else if (op === 'max') {
        for (let j = 0; j < n; j++) {
          const v = data[xi + j * xs];
          if (v > t || v !== v) t = v;
          if (t !== t) break;
        }
      } else {
        for (let j = 0; j < n; j++) {
          const v = data[xi + j * xs];
          if (v < t || v !== v) t = v;
          if (t !== t) break;
        }
      }
      acc[ai] = t;
    } else if (op === 'sum') {
      for (let j = 0; j < n; j++) acc[ai + j * as] += data[xi + j * xs];
    } else if (op === 'max') {
      for (let j = 0; j < n; j++) {
        const v = data[xi + j * xs];
        const t = acc[ai + j * as];
        if (v > t || (v !== v && t === t)) acc[ai + j * as] = v;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const v = data[xi + j * xs];
        const t = acc[ai + j * as];
        if (v < t || (v !== v && t === t)) acc[ai + j * as] = v;
      }
    }
  }
  out.set(acc);
}

/**
 * `data[start] + data[start + stride] + ...` (`n` terms) in four interleaved partial sums: a
 * single running total makes every add wait for the one before it, four keep the adder busy
 * (about 3x faster on long rows, e.g. a bias gradient summed over [N,C,H,W] to [C,1,1]).
 */
function sumRow(data: TypedArray, start: number, stride: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const i = start + j * stride;
    s0 += data[i];
    s1 += data[i + stride];
    s2 += data[i + 2 * stride];
    s3 += data[i + 3 * stride];
  }
  for (; j < n; j++) s0 += data[start + j * stride];
  return s0 + s1 + (s2 + s3);
}

/** `op` over `data[start .. start+n)`, with max/min propagating NaN. */
function reduceRun(op: ReduceOp, data: TypedArray, start: number, n: number): number {
  if (op === 'sum') return sumRow(data, start, 1, n);
  let t = initialValue(op);
  const end = start + n;
  if (op === 'max') {
    for (let i = start; i < end; i++) {
      const v = data[i];
      if (v > t) t = v;
      else if (v !== v) return v;
    }
  } else {
    for (let i = start; i < end; i++) {
      const v = data[i];
      if (v < t) t = v;
      else if (v !== v) return v;
    }
  }
  return t;
}

/**
 * Reference for {@link reduce}.
 *
 * @example
 * const out = new Float32Array(2);
 * reduceNaive('max', array([[1, 5], [3, 4]]), [0], out); // out = [3, 5]
 */
export function reduceNaive(op: ReduceOp, x: NDArray, axes: readonly number[], out: TypedArray): void {
  const outShape = keptShape(x.shape, axes);
  const outStrides = stridesFor(outShape);
  const acc = new Float64Array(out.length).fill(initialValue(op));
  for (let i = 0; i < x.size; i++) {
    const idx = unravel(i, x.shape);
    const v = cpuData(x)[offsetAt(idx, x.strides, x.offset)];
    const o = offsetAt(idx.map((k, d) => (axes.includes(d) ? 0 : k)), outStrides, 0);
    if (op === 'sum') acc[o] += v;
    else if (Number.isNaN(acc[o])) continue;
    else if (Number.isNaN(v) || (op === 'max' ? v > acc[o] : v < acc[o])) acc[o] = v;
  }
  out.set(acc);
}

/**
 * Max or min along `axis` with the index of the first extreme element (the first NaN, if any).
 * `values` and `indices` are contiguous with the shape of `x` minus `axis`.
 *
 * @example
 * const v = new Float32Array(2), i = new Int32Array(2);
 * argReduce('max', array([[1, 5], [7, 7]]), 1, v, i); // v = [5, 7], i = [1, 0]
 */
export function argReduce(op: 'max' | 'min', x: NDArray, axis: number, values: TypedArray, indices: Int32Array): void {
  const outerShape = x.shape.filter((_, d) => d !== axis);
  const outerStrides = x.strides.filter((_, d) => d !== axis);
  const starts = offsetsOf(outerShape, outerStrides, x.offset);
  const len = x.shape[axis];
  const s = x.strides[axis];
  const data = cpuData(x);
  for (let i = 0; i < starts.length; i++) {
    const o = starts[i];
    let best = data[o];
    let at = 0;
    if (best === best) {
      for (let k = 1; k < len; k++) {
        const v = data[o + k * s];
        // Strict comparison keeps the first index among ties.
        if (op === 'max' ? v > best : v < best) {
          best = v;
          at = k;
        } else if (v !== v) {
          best = v;
          at = k;
          break;
        }
      }
    }
    values[i] = best;
    indices[i] = at;
  }
}

/**
 * Reference for {@link argReduce}.
 *
 * @example
 * argReduceNaive('min', array([3, 1, 1]), 0, new Float32Array(1), new Int32Array(1)); // 1 at index 1
 */
export function argReduceNaive(
  op: 'max' | 'min',
  x: NDArray,
  axis: number,
  values: TypedArray,
  indices: Int32Array,
): void {
  const outerShape = x.shape.filter((_, d) => d !== axis);
  for (let i = 0; i < values.length; i++) {
    const outer = unravel(i, outerShape);
    let best = NaN;
    let at = -1;
    for (let k = 0; k < x.shape[axis]; k++) {
      const idx = [...outer.slice(0, axis), k, ...outer.slice(axis)];
      const v = cpuData(x)[offsetAt(idx, x.strides, x.offset)];
      if (Number.isNaN(v)) {
        best = v;
        at = k;
        break;
      }
      if (at < 0 || (op === 'max' ? v > best : v < best)) {
        best = v;
        at = k;
      }
    }
    values[i] = best;
    indices[i] = at;
  }
}
