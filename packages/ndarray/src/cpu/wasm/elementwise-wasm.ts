/**
 * Float32 elementwise work on the WebAssembly SIMD kernels (./elementwise-kernels.ts), for the
 * contiguous cases a training step spends its time in. Where the operands and the result live in
 * wasm memory (CPU storage usually does, ./heap-arrays.ts), the kernel reads and writes them in
 * place, split across threads when large enough (./threads.ts: each element is computed by the
 * same instructions on any thread, so the results are the same bits). Otherwise each function
 * copies its operands into scratch (`TypedArray.set`, a memcpy), runs the kernel there and copies
 * the result out. It returns false, doing nothing, when the case is not one it handles (not
 * float32, too small, no SIMD, an op without a kernel), and the caller runs its TypeScript loop.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { WASM_BINARY_OPS, WASM_UNARY_OPS, type WasmBinaryOp, type WasmUnaryOp } from './elementwise-kernels.js';
import type { KernelCalls } from './call-list.js';
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { shareRange, sharesFor } from './threads.js';

/** Below this many elements the copies in and out cost more than the TypeScript loop. */
export const WASM_MIN_ELEMENTS = 4096;

/**
 * Large arrays go through wasm memory in pieces of at most this many elements (1 MB of float32):
 * the scratch stays small (wasm memory never shrinks, so copying a whole evaluation batch of 86 MB
 * in would keep that much for the life of the process), and a piece stays in L2 between the copy
 * in, the kernel and the copy out.
 */
const CHUNK = 1 << 18;

/**
 * The least work a thread's share is given, in floats: 128K floats, ~40 µs of a kernel, against
 * under a microsecond to hand a share to a spinning worker, ~25 µs to wake a sleeping one, and the
 * worker's spinning after it (Table 1's activations, 173K floats, stay on one thread: faster so).
 */
const MIN_SHARE_FLOATS = 1 << 17;

const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Runs `body(calls, from, to)` over float ranges [from, to) of whole vectors covering `floats` (a multiple of 4), as shares across threads. */
function inVectorShares(rt: WasmRuntime, floats: number, body: (calls: KernelCalls, from: number, to: number) => void): void {
  const vectors = floats / 4, shares = sharesFor(rt.threads(), vectors, 4, MIN_SHARE_FLOATS);
  rt.inShares(shares, (calls, share) => {
    const [v0, v1] = shareRange(vectors, shares, share);
    if (v1 > v0) body(calls, 4 * v0, 4 * v1);
  });
}

/** Runs `body(calls, r0, r1)` over ranges of `rows` rows of `rowLength` floats, as shares across threads. */
function inRowShares(rt: WasmRuntime, rows: number, rowLength: number, body: (calls: KernelCalls, r0: number, r1: number) => void): void {
  const shares = sharesFor(rt.threads(), rows, rowLength, MIN_SHARE_FLOATS);
  rt.inShares(shares, (calls, share) => {
    const [r0, r1] = shareRange(rows, shares, share);
    if (r1 > r0) body(calls, r0, r1);
  });
}

function isWasmUnary(op: UnaryOp): op is WasmUnaryOp {
  return (WASM_UNARY_OPS as readonly UnaryOp[]).includes(op);
}

function isWasmBinary(op: BinaryOp): op is WasmBinaryOp {
  return (WASM_BINARY_OPS as readonly BinaryOp[]).includes(op);
}

/**
 * out[outOffset + i] = op(x[xOffset + i]) for i < n.
 *
 * @example
 * const out = new Float32Array(8192);
 * unaryWasm('relu', new Float32Array(8192).fill(-1), 0, 8192, out, 0); // true; out is all zeros
 */
export function unaryWasm(op: UnaryOp, x: TypedArray, xOffset: number, n: number, out: TypedArray, outOffset: number): boolean {
  if (!(x instanceof Float32Array && out instanceof Float32Array) || n < WASM_MIN_ELEMENTS || !isWasmUnary(op)) return false;
  const rt = wasmRuntime();
  if (rt === null) return false;
  const xAt = rt.addressOf(x, xOffset), outAt = rt.addressOf(out, outOffset);
  if (xAt < 0 || outAt < 0) return unaryCopying(rt, op, x, xOffset, n, out, outOffset);
  // Where they live (no copies): whole vectors here, the last n % 4 floats through scratch (a
  // vector stored past the end of out would overwrite whatever follows it).
  const whole = n - (n % 4);
  inVectorShares(rt, whole, (calls, from, to) => calls.unary(op, xAt + 4 * from, outAt + 4 * from, 4 * (to - from)));
  if (whole < n) unaryCopying(rt, op, x, xOffset + whole, n - whole, out, outOffset + whole);
  return true;
}

/** {@link unaryWasm} through scratch: pieces of x copied in, the kernel run there, the results copied out. */
function unaryCopying(rt: WasmRuntime, op: WasmUnaryOp, x: Float32Array, xOffset: number, n: number, out: Float32Array, outOffset: number): boolean {
  const [at] = rt.scratch([Math.min(n, CHUNK)]);
  const heap = rt.heap();
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    heap.set(x.subarray(xOffset + i, xOffset + i + len), at);
    rt.unary(op, 4 * at, 4 * at, 4 * roundUp4(len));
    out.set(heap.subarray(at, at + len), outOffset + i);
  }
  return true;
}

/**
 * out[outOffset + i] = a[aOffset + i] op b[bOffset + i] for i < n.
 *
 * @example
 * const a = new Float32Array(8192).fill(2), out = new Float32Array(8192);
 * binaryWasm('mul', a, 0, a, 0, 8192, out, 0); // true; out is all 4
 */
export function binaryWasm(
  op: BinaryOp, a: TypedArray, aOffset: number, b: TypedArray, bOffset: number, n: number, out: TypedArray, outOffset: number,
): boolean {
  if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) return false;
  if (n < WASM_MIN_ELEMENTS || !isWasmBinary(op)) return false;
  const rt = wasmRuntime();
  if (rt === null) return false;
  const aAt = rt.addressOf(a, aOffset), bAt = rt.addressOf(b, bOffset), outAt = rt.addressOf(out, outOffset);
  if (aAt < 0 || bAt < 0 || outAt < 0) return binaryCopying(rt, op, a, aOffset, b, bOffset, n, out, outOffset);
  const whole = n - (n % 4); // the rest through scratch, as in unaryWasm
  inVectorShares(rt, whole, (calls, from, to) => calls.binary(op, aAt + 4 * from, bAt + 4 * from, outAt + 4 * from, 4 * (to - from)));
  if (whole < n) binaryCopying(rt, op, a, aOffset + whole, b, bOffset + whole, n - whole, out, outOffset + whole);
  return true;
}

/** {@link binaryWasm} through scratch. */
function binaryCopying(
  rt: WasmRuntime, op: WasmBinaryOp, a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, n: number, out: Float32Array, outOffset: number,
): boolean {
  const [at, bt] = rt.scratch([Math.min(n, CHUNK), Math.min(n, CHUNK)]);
  const heap = rt.heap();
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    heap.set(a.subarray(aOffset + i, aOffset + i + len), at);
    heap.set(b.subarray(bOffset + i, bOffset + i + len), bt);
    rt.binary(op, 4 * at, 4 * bt, 4 * at, 4 * roundUp4(len));
    out.set(heap.subarray(at, at + len), outOffset + i);
  }
  return true;
}

/**
 * Rows of a contiguous block, each combined with its own scalar: for row r < rows and j < rowLength,
 * out[outOffset + r*rowLength + j] = x[xOffset + r*rowLength + j] op scalars[r]. With one row its
 * length may be anything; with more it must be a multiple of 4 (rows stay 16-byte aligned).
 *
 * @example
 * const x = new Float32Array(8192), out = new Float32Array(8192);
 * rowScalarWasm('add', x, 0, 4096, 2, Float32Array.of(1, 2), out, 0); // true; out is 4096 ones, then 4096 twos
 */
export function rowScalarWasm(
  op: BinaryOp, x: TypedArray, xOffset: number, rowLength: number, rows: number, scalars: Float32Array, out: TypedArray, outOffset: number,
): boolean {
  const n = rowLength * rows;
  if (!(x instanceof Float32Array && out instanceof Float32Array) || n < WASM_MIN_ELEMENTS || !isWasmBinary(op)) return false;
  if (rows > 1 && rowLength % 4 !== 0) return false;
  const rt = wasmRuntime();
  if (rt === null) return false;
  if (rows === 1) return rowScalarOne(op, x, xOffset, rowLength, scalars[0], out, outOffset);
  const xAt = rt.addressOf(x, xOffset), outAt = rt.addressOf(out, outOffset);
  if (xAt >= 0 && outAt >= 0) { // where they live (no copies): whole rows of whole vectors, nothing written past out's end
    const [st] = rt.scratch([rows]);
    rt.heap().set(scalars.subarray(0, rows), st);
    const rowBytes = 4 * rowLength;
    inRowShares(rt, rows, rowLength, (calls, r0, r1) => calls.rowScalar(op, xAt + r0 * rowBytes, 4 * (st + r0), outAt + r0 * rowBytes, rowBytes, r1 - r0));
    return true;
  }
  // Whole rows per piece (a row longer than a piece makes a piece of one row).
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK / rowLength));
  const [at, st] = rt.scratch([Math.min(rows, rowsPerChunk) * rowLength, rows]);
  const heap = rt.heap();
  heap.set(scalars.subarray(0, rows), st);
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const count = Math.min(rowsPerChunk, rows - r), start = r * rowLength, len = count * rowLength;
    heap.set(x.subarray(xOffset + start, xOffset + start + len), at);
    rt.rowScalar(op, 4 * at, 4 * (st + r), 4 * at, 4 * rowLength, count);
    out.set(heap.subarray(at, at + len), outOffset + start);
  }
  return true;
}

/** One long row and one scalar: pieces of the row, each padded to whole vectors. */
function rowScalarOne(op: WasmBinaryOp, x: Float32Array, xOffset: number, n: number, scalar: number, out: Float32Array, outOffset: number): boolean {
  const rt = wasmRuntime();
  if (rt === null) return false;
  const xAt = rt.addressOf(x, xOffset), outAt = rt.addressOf(out, outOffset);
  const whole = xAt >= 0 && outAt >= 0 ? n - (n % 4) : 0; // where they live, the rest through scratch as in unaryWasm
  const [at, st] = rt.scratch([Math.min(n - whole, CHUNK), 1]);
  const heap = rt.heap();
  heap[st] = scalar;
  inVectorShares(rt, whole, (calls, from, to) => calls.rowScalar(op, xAt + 4 * from, 4 * st, outAt + 4 * from, 4 * (to - from), 1));
  for (let i = whole; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    heap.set(x.subarray(xOffset + i, xOffset + i + len), at);
    rt.rowScalar(op, 4 * at, 4 * st, 4 * at, 4 * roundUp4(len), 1);
    out.set(heap.subarray(at, at + len), outOffset + i);
  }
  return true;
}

/**
 * The double-precision sums of `rows` consecutive rows of `rowLength` floats starting at
 * x[xOffset], or null when this is not a case for wasm. The result is a view into wasm memory,
 * valid until the next wasm kernel call.
 *
 * @example
 * rowSumsWasm(new Float32Array(8192).fill(1), 0, 4096, 2); // Float64Array [4096, 4096]
 */
export function rowSumsWasm(x: TypedArray, xOffset: number, rowLength: number, rows: number): Float64Array | null {
  const n = rowLength * rows;
  if (!(x instanceof Float32Array) || n < WASM_MIN_ELEMENTS || rows < 1) return null;
  const rt = wasmRuntime();
  if (rt === null) return null;
  const xAt = rt.addressOf(x, xOffset);
  if (xAt >= 0) { // where it lives, each row summed whole by one thread
    const [st] = rt.scratch([2 * rows]);
    inRowShares(rt, rows, rowLength, (calls, r0, r1) => calls.rowSums(xAt + 4 * r0 * rowLength, rowLength, r1 - r0, 4 * (st + 2 * r0)));
    return rt.heap64().subarray(st / 2, st / 2 + rows);
  }
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK / rowLength));
  const [at, st] = rt.scratch([Math.min(rows, rowsPerChunk) * rowLength, 2 * rows]);
  const heap = rt.heap();
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const count = Math.min(rowsPerChunk, rows - r), start = xOffset + r * rowLength;
    heap.set(x.subarray(start, start + count * rowLength), at);
    rt.rowSums(4 * at, rowLength, count, 4 * (st + 2 * r));
  }
  return rt.heap64().subarray(st / 2, st / 2 + rows);
}
