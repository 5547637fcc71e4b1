/**
 * Elementwise kernels (unary, binary with broadcasting, where, copy/cast) on flat typed arrays.
 *
 * Every kernel writes a contiguous `out`. The op is chosen by one `switch` per row, outside the
 * inner loop, so the inner loop is a plain `for` over integer offsets. A contiguous input (or one
 * that coalesces to a single row) runs as a single row with no cursor at all; an operand that is
 * constant along a row (a number, a broadcast bias) is read once per row (`scalarRow`).
 * The `*Naive` versions compute every element from its multi-index: slow, obviously right, and
 * the oracle the fast kernels are tested against.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { Shape, TypedArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { broadcastStrides, sizeOf, stridesFor } from '../shape.js';
import { coalesce, offsetAt, RowCursor, unravel } from './strided.js';
import { cpuData } from './cpu-storage.js';
import { binaryWasm, rowScalarWasm, unaryWasm } from './wasm/elementwise-wasm.js';

/**
 * One element of a unary op (the naive kernels' definition of each op).
 *
 * @example
 * unaryScalar('sigmoid', 0); // 0.5
 */
export function unaryScalar(op: UnaryOp, v: number): number {
  switch (op) {
    case 'neg':
      return -v;
    case 'exp':
      return Math.exp(v);
    case 'log':
      return Math.log(v);
    case 'sqrt':
      return Math.sqrt(v);
    case 'abs':
      return Math.abs(v);
    case 'relu':
      return v < 0 ? 0 : v;
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return sigmoid(v);
    case 'sign':
      return sign(v);
    case 'square':
      return v * v;
    case 'reciprocal':
      return 1 / v;
    case 'sin':
      return Math.sin(v);
    case 'cos':
      return Math.cos(v);
  }
}

/**
 * -1, 0 or 1; -0 gives 0, as PyTorch. NaN stays NaN, as NumPy (PyTorch 1.13 gives 0 and means
 * to change: pytorch/pytorch#41245). Comparisons turned into numbers rather than `Math.sign`,
 * whose branches mispredict on data of mixed signs.
 */
function sign(v: number): number {
  return v !== v ? v : +(v > 0) - +(v < 0);
}

/**
 * max(v, 0) with `-0` and NaN kept, as PyTorch. `(v + |v|) / 2` is branch-free (a `v < 0 ? 0 : v`
 * branch mispredicts on about half of a layer's activations) and exact for finite `v`; only NaN,
 * infinities and float64 values near the overflow limit fall back to the comparison.
 */
function relu(v: number): number {
  const r = (v + Math.abs(v)) * 0.5;
  return r - r === 0 ? (v === 0 ? v : r) : v < 0 ? 0 : v;
}

/** `1 / (1 + e^-v)` without overflow for large negative `v`. */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * x^y as C's `pow` (and so PyTorch): JavaScript's `Math.pow` gives NaN for 1^y with y NaN or
 * infinite and for (-1)^±Infinity, where C gives 1. Only a NaN result takes the second look.
 */
function pow(x: number, y: number): number {
  const r = Math.pow(x, y);
  return r === r || !(x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) ? r : 1;
}

/**
 * One element of a binary op; comparisons give 1 or 0.
 *
 * @example
 * binaryScalar('ge', 2, 2); // 1
 */
export function binaryScalar(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case 'add':
      return x + y;
    case 'sub':
      return x - y;
    case 'mul':
      return x * y;
    case 'div':
      return x / y;
    case 'pow':
      return pow(x, y);
    case 'maximum':
      return Math.max(x, y);
    case 'minimum':
      return Math.min(x, y);
    case 'gt':
      return x > y ? 1 : 0;
    case 'ge':
      return x >= y ? 1 : 0;
    case 'lt':
      return x < y ? 1 : 0;
    case 'le':
      return x <= y ? 1 : 0;
    case 'eq':
      return x === y ? 1 : 0;
    case 'ne':
      return x !== y ? 1 : 0;
  }
}

/** `out[o + j] = op(x[xi + j*xs])` for `j < n`: one loop per op. */
function unaryRow(op: UnaryOp, n: number, x: TypedArray, xi: number, xs: number, out: TypedArray, o: number): void {
  switch (op) {
    case 'neg':
      for (let j = 0; j < n; j++) out[o + j] = -x[xi + j * xs];
      return;
    case 'exp':
      for (let j = 0; j < n; j++) out[o + j] = Math.exp(x[xi + j * xs]);
      return;
    case 'log':
      for (let j = 0; j < n; j++) out[o + j] = Math.log(x[xi + j * xs]);
      return;
    case 'sqrt':
      for (let j = 0; j < n; j++) out[o + j] = Math.sqrt(x[xi + j * xs]);
      return;
    case 'abs':
      for (let j = 0; j < n; j++) out[o + j] = Math.abs(x[xi + j * xs]);
      return;
    case 'relu':
      for (let j = 0; j < n; j++) out[o + j] = relu(x[xi + j * xs]);
      return;
    case 'tanh':
      for (let j = 0; j < n; j++) out[o + j] = Math.tanh(x[xi + j * xs]);
      return;
    case 'sigmoid':
      for (let j = 0; j < n; j++) out[o + j] = sigmoid(x[xi + j * xs]);
      return;
    case 'sign':
      for (let j = 0; j < n; j++) out[o + j] = sign(x[xi + j * xs]);
      return;
    case 'square':
      for (let j = 0; j < n; j++) {
        const v = x[xi + j * xs];
        out[o + j] = v * v;
      }
      return;
    case 'reciprocal':
      for (let j = 0; j < n; j++) out[o + j] = 1 / x[xi + j * xs];
      return;
    case 'sin':
      for (let j = 0; j < n; j++) out[o + j] = Math.sin(x[xi + j * xs]);
      return;
    case 'cos':
      for (let j = 0; j < n; j++) out[o + j] = Math.cos(x[xi + j * xs]);
      return;
  }
}

/** `out[o + j] = a[ai + j*as] op b[bi + j*bs]` for `j < n`: one loop per op. */
function binaryRow(
  op: BinaryOp,
  n: number,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  out: TypedArray,
  o: number,
): void {
  // A stride-0 operand (a number, or a broadcast block such as a bias [C,1,1] against
  // [N,C,H,W]) is one value for the whole row: read it once.
  if (bs === 0 && scalarRow(op, n, a, ai, as, b[bi], false, out, o)) return;
  if (as === 0 && scalarRow(op, n, b, bi, bs, a[ai], true, out, o)) return;
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] + b[bi + j * bs];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] - b[bi + j * bs];
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * b[bi + j * bs];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] / b[bi + j * bs];
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = pow(a[ai + j * as], b[bi + j * bs]);
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) out[o + j] = Math.max(a[ai + j * as], b[bi + j * bs]);
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) out[o + j] = Math.min(a[ai + j * as], b[bi + j * bs]);
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] > b[bi + j * bs] ? 1 : 0;
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] >= b[bi + j * bs] ? 1 : 0;
      return;
    case 'lt':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] < b[bi + j * bs] ? 1 : 0;
      return;
    case 'le':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] <= b[bi + j * bs] ? 1 : 0;
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] === b[bi + j * bs] ? 1 : 0;
      return;
    case 'ne':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] !== b[bi + j * bs] ? 1 : 0;
      return;
  }
}

/**
 * `out[o + j] = x[xi + j*xs] op s` (`s op x[...]` when `scalarFirst`) for the arithmetic ops;
 * returns false, doing nothing, for the others (the general row handles them).
 */
function scalarRow(
  op: BinaryOp,
  n: number,
  x: TypedArray,
  xi: number,
  xs: number,
  s: number,
  scalarFirst: boolean,
  out: TypedArray,
  o: number,
): boolean {
  switch (op) {
    case 'add': // + and * commute exactly in IEEE arithmetic, so the side does not matter
      for (let j = 0; j < n; j++) out[o + j] = x[xi + j * xs] + s;
      return true;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = x[xi + j * xs] * s;
      return true;
    case 'sub':
      if (scalarFirst) for (let j = 0; j < n; j++) out[o + j] = s - x[xi + j * xs];
      else for (let j = 0; j < n; j++) out[o + j] = x[xi + j * xs] - s;
      return true;
    case 'div':
      if (scalarFirst) for (let j = 0; j < n; j++) out[o + j] = s / x[xi + j * xs];
      else for (let j = 0; j < n; j++) out[o + j] = x[xi + j * xs] / s;
      return true;
    default:
      return false;
  }
}

/**
 * `out = op(x)` elementwise; `out` is contiguous with `x.size` elements.
 *
 * @example
 * const out = new Float32Array(2);
 * unary('neg', array([1, 2]), out); // out = [-1, -2]
 */
export function unary(op: UnaryOp, x: NDArray, out: TypedArray): void {
  if (x.isContiguous()) {
    // Large float32 arrays: the WebAssembly SIMD kernel (./wasm/elementwise-wasm.ts), if it has this op.
    if (unaryWasm(op, cpuData(x), x.offset, x.size, out, 0)) return;
    unaryRow(op, x.size, cpuData(x), x.offset, 1, out, 0);
    return;
  }
  const c = new RowCursor(x.shape, [x.strides, stridesFor(x.shape)], [x.offset, 0]);
  for (let r = 0; r < c.rows; r++, c.next()) unaryRow(op, c.n, cpuData(x), c.offsets[0], c.inner[0], out, c.offsets[1]);
}

/**
 * Reference for {@link unary}.
 *
 * @example
 * const out = new Float32Array(2);
 * unaryNaive('neg', array([1, 2]), out); // out = [-1, -2]
 */
export function unaryNaive(op: UnaryOp, x: NDArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    out[i] = unaryScalar(op, cpuData(x)[offsetAt(unravel(i, x.shape), x.strides, x.offset)]);
  }
}

/**
 * `out = a op b` over the broadcast `shape`; `out` is contiguous.
 *
 * @example
 * const out = new Float32Array(4);
 * binary('add', array([[1], [2]]), array([10, 20]), [2, 2], out); // out = [11, 21, 12, 22]
 */
export function binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void {
  const size = out.length;
  // Fast paths: same-shape contiguous operands, or a contiguous array and a one-element array.
  if (a.isContiguous() && (b.size === 1 || (b.isContiguous() && b.size === size)) && a.size === size) {
    if (b.size === size && binaryWasm(op, cpuData(a), a.offset, cpuData(b), b.offset, size, out, 0)) return;
    binaryRow(op, size, cpuData(a), a.offset, 1, cpuData(b), b.offset, b.size === 1 ? 0 : 1, out, 0);
    return;
  }
  if (a.size === 1 && b.isContiguous() && b.size === size) {
    binaryRow(op, size, cpuData(a), a.offset, 0, cpuData(b), b.offset, 1, out, 0);
    return;
  }
  const as = broadcastStrides(a.shape, a.strides, shape);
  const bs = broadcastStrides(b.shape, b.strides, shape);
  const c = new RowCursor(shape, [as, bs, stridesFor(shape)], [a.offset, b.offset, 0]);
  if (a.isContiguous() && a.size === size && c.inner[1] === 0 && rowScalars(op, a, b, c, out)) return;
  for (let r = 0; r < c.rows; r++, c.next()) {
    binaryRow(op, c.n, cpuData(a), c.offsets[0], c.inner[0], cpuData(b), c.offsets[1], c.inner[1], out, c.offsets[2]);
  }
}

/**
 * a op (one value of b per row), on the WebAssembly kernel: the shape of a bias add, where b
 * [C,1,1] is constant along each H*W row of a contiguous a [N,C,H,W]. False when wasm declines.
 */
function rowScalars(op: BinaryOp, a: NDArray, b: NDArray, c: RowCursor, out: TypedArray): boolean {
  const bData = cpuData(b);
  if (!(bData instanceof Float32Array) || c.rows * c.n < 4096) return false;
  const scalars = new Float32Array(c.rows);
  // A full cycle of next() brings the cursor back to the first row, ready for the caller's loop.
  for (let r = 0; r < c.rows; r++, c.next()) scalars[r] = bData[c.offsets[1]];
  return rowScalarWasm(op, cpuData(a), a.offset, c.n, c.rows, scalars, out, 0);
}

/**
 * Reference for {@link binary}.
 *
 * @example
 * const out = new Float32Array(2);
 * binaryNaive('mul', array([1, 2]), array(3), [2], out); // out = [3, 6]
 */
export function binaryNaive(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void {
  const as = broadcastStrides(a.shape, a.strides, shape);
  const bs = broadcastStrides(b.shape, b.strides, shape);
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    out[i] = binaryScalar(op, cpuData(a)[offsetAt(idx, as, a.offset)], cpuData(b)[offsetAt(idx, bs, b.offset)]);
  }
}

/**
 * `out = cond ? a : b` over the broadcast `shape`.
 *
 * @example
 * const out = new Float32Array(2);
 * where(array([true, false]), array([1, 2]), array([3, 4]), [2], out); // out = [1, 4]
 */
export function where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void {
  const cs = broadcastStrides(cond.shape, cond.strides, shape);
  const as = broadcastStrides(a.shape, a.strides, shape);
  const bs = broadcastStrides(b.shape, b.strides, shape);
  const c = new RowCursor(shape, [cs, as, bs, stridesFor(shape)], [cond.offset, a.offset, b.offset, 0]);
  const cd = cpuData(cond);
  const ad = cpuData(a);
  const bd = cpuData(b);
  const n = c.n;
  const cst = c.inner[0];
  const ast = c.inner[1];
  const bst = c.inner[2];
  const offsets = c.offsets;
  for (let r = 0; r < c.rows; r++, c.next()) {
    const ci = offsets[0];
    const ai = offsets[1];
    const bi = offsets[2];
    const o = offsets[3];
    for (let j = 0; j < n; j++) out[o + j] = cd[ci + j * cst] !== 0 ? ad[ai + j * ast] : bd[bi + j * bst];
  }
}

/**
 * Reference for {@link where}.
 *
 * @example
 * const out = new Float32Array(2);
 * whereNaive(array([true, false]), array([1, 2]), array([3, 4]), [2], out); // out = [1, 4]
 */
export function whereNaive(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void {
  const cs = broadcastStrides(cond.shape, cond.strides, shape);
  const as = broadcastStrides(a.shape, a.strides, shape);
  const bs = broadcastStrides(b.shape, b.strides, shape);
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    out[i] = cpuData(cond)[offsetAt(idx, cs, cond.offset)] !== 0
      ? cpuData(a)[offsetAt(idx, as, a.offset)]
      : cpuData(b)[offsetAt(idx, bs, b.offset)];
  }
}

/**
 * Copies `src` (broadcast to `dst`'s shape) into the strided view `dst`, converting to
 * `dst`'s dtype: floats to ints truncate toward zero, anything to bool is `x != 0`.
 *
 * @example
 * const dst = zeros([2, 2]);
 * assign(dst.transpose(0, 1), array([[1, 2], [3, 4]])); // dst = [[1, 3], [2, 4]]
 */
export function assign(dst: NDArray, src: NDArray): void {
  const ss = broadcastStrides(src.shape, src.strides, dst.shape);
  const toBool = dst.dtype === 'bool' && src.dtype !== 'bool';
  const plan = coalesce(dst.shape, [dst.strides, ss]);
  // A large transposing copy (e.g. `x.transpose(0, 1).contiguous()`) goes tile by tile.
  if (!toBool && dst.size >= 65536 && plan.shape.length === 2 && plan.strides[0][1] === 1 && plan.strides[1][0] === 1 && plan.strides[1][1] !== 0) {
    transposeCopy(cpuData(dst), dst.offset, plan.strides[0][0], cpuData(src), src.offset, plan.strides[1][1], plan.shape[0], plan.shape[1]);
    return;
  }
  const c = new RowCursor(dst.shape, [dst.strides, ss], [dst.offset, src.offset]);
  const d = cpuData(dst);
  const s = cpuData(src);
  const n = c.n;
  const ds = c.inner[0];
  const sst = c.inner[1];
  // Float to int: JavaScript's conversion on store is ToInt32 (truncation), as C casts.
  for (let r = 0; r < c.rows; r++, c.next()) {
    const o = c.offsets[0];
    const i = c.offsets[1];
    if (toBool) for (let j = 0; j < n; j++) d[o + j * ds] = s[i + j * sst] !== 0 ? 1 : 0;
    else if (ds === 1 && sst === 1 && d !== s) d.set(s.subarray(i, i + n), o);
    else for (let j = 0; j < n; j++) d[o + j * ds] = s[i + j * sst];
  }
}

/**
 * `d[do + i*dRow + j] = s[so + i + j*sCol]` for `i < rows`, `j < cols`: a transposing copy.
 * Row by row, one of the two sides jumps by a whole row per element and misses the cache on
 * every access; 32 x 32 tiles keep both sides' lines in cache while they are used.
 */
function transposeCopy(
  d: TypedArray, dOff: number, dRow: number, s: TypedArray, sOff: number, sCol: number, rows: number, cols: number,
): void {
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(i0 + T, rows);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(j0 + T, cols);
      for (let i = i0; i < i1; i++) {
        const o = dOff + i * dRow;
        const k = sOff + i;
        for (let j = j0; j < j1; j++) d[o + j] = s[k + j * sCol];
      }
    }
  }
}

/**
 * Reference for {@link assign}.
 *
 * @example
 * assignNaive(zeros([2]), array([5])); // the zeros become [5, 5]
 */
export function assignNaive(dst: NDArray, src: NDArray): void {
  const ss = broadcastStrides(src.shape, src.strides, dst.shape);
  const toBool = dst.dtype === 'bool' && src.dtype !== 'bool';
  for (let i = 0; i < dst.size; i++) {
    const idx = unravel(i, dst.shape);
    const v = cpuData(src)[offsetAt(idx, ss, src.offset)];
    cpuData(dst)[offsetAt(idx, dst.strides, dst.offset)] = toBool ? (v !== 0 ? 1 : 0) : v;
  }
}

/**
 * Writes `value` into every element of the view `dst` (bool stores 0 or 1).
 *
 * @example
 * const a = zeros([2, 2]);
 * fill(a.transpose(0, 1).narrow(0, 0, 1), 7); // a = [[7, 0], [7, 0]]
 */
export function fill(dst: NDArray, value: number): void {
  const v = dst.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  const d = cpuData(dst);
  if (dst.isContiguous()) {
    d.fill(v, dst.offset, dst.offset + dst.size);
    return;
  }
  const c = new RowCursor(dst.shape, [dst.strides], [dst.offset]);
  for (let r = 0; r < c.rows; r++, c.next()) {
    const o = c.offsets[0];
    for (let j = 0; j < c.n; j++) d[o + j * c.inner[0]] = v;
  }
}

/**
 * Reference for {@link fill}: one element at a time from its multi-index.
 *
 * @example
 * const a = zeros([2]);
 * fillNaive(a, 3);
 * a.toArray(); // [3, 3]
 */
export function fillNaive(dst: NDArray, value: number): void {
  const v = dst.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  const d = cpuData(dst);
  for (let i = 0; i < dst.size; i++) d[offsetAt(unravel(i, dst.shape), dst.strides, dst.offset)] = v;
}
