/**
 * Float32 elementwise work on the WebAssembly SIMD kernels (./elementwise-kernels.ts), for the
 * contiguous cases a training step spends its time in. Each function copies its operands into
 * wasm memory (`TypedArray.set`, a memcpy), runs the kernel in place and copies the result out;
 * it returns false, doing nothing, when the case is not one it handles (not float32, too small,
 * no SIMD, an op without a kernel), and the caller runs its TypeScript loop instead.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { WASM_BINARY_OPS, WASM_UNARY_OPS, type WasmBinaryOp, type WasmUnaryOp } from './elementwise-kernels.js';
import { wasmRuntime } from './runtime.js';

/** Below this many elements the copies in and out cost more than the TypeScript loop. */
export const WASM_MIN_ELEMENTS = 4096;

/**
 * Large arrays go through wasm memory in pieces of at most this many elements (1 MB of float32):
 * the scratch stays small (wasm memory never shrinks, so copying a whole evaluation batch of 86 MB
 * in would keep that much for the life of the process), and a piece stays in L2 between the copy
 * in, the kernel and the copy out.
 */
const CHUNK = 1 << 18;

const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;

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
  const [at] = rt.scratch([Math.min(n, CHUNK)]);
  const heap = rt.heap();
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    heap.set(x.subarray(xOffset + i, xOffset + i + len), at);
    rt.unary(op, 4 * at, 4 * roundUp4(len));
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
  const [at, bt] = rt.scratch([Math.min(n, CHUNK), Math.min(n, CHUNK)]);
  const heap = rt.heap();
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    heap.set(a.subarray(aOffset + i, aOffset + i + len), at);
    heap.set(b.subarray(bOffset + i, bOffset + i + len), bt);
    rt.binary(op, 4 * at, 4 * bt, 4 * roundUp4(len));
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
  // Whole rows per piece (a row longer than a piece makes a piece of one row).
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK / rowLength));
  const [at, st] = rt.scratch([Math.min(rows, rowsPerChunk) * rowLength, rows]);
  const heap = rt.heap();
  heap.set(scalars.subarray(0, rows), st);
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const count = Math.min(rowsPerChunk, rows - r), start = r * rowLength, len = count * rowLength;
    heap.set(x.subarray(xOffset + start, xOffset + start + len), at);
    rt.rowScalar(op, 4 * at, 4 * (st + r), 4 * rowLength, count);
    out.set(heap.subarray(at, at + len), outOffset + start);
  }
  return true;
}

/** One long row and one scalar: pieces of the row, each padded to whole vectors. */
function rowScalarOne(op: WasmBinaryOp, x: Float32Array, xOffset: number, n: number, scalar: number, out: Float32Array, outOffset: number): boolean {
  const rt = wasmRuntime();
  if (rt === null) return false;
  const [at, st] = rt.scratch([Math.min(n, CHUNK), 1]);
  const heap = rt.heap();
  heap[st] = scalar;
  for (let i = 0; i < n; i += CHUNK) {
    const len = Math.min(CHUNK, n - i);
    heap.set(x.subarray(xOffset + i, xOffset + i + len), at);
    rt.rowScalar(op, 4 * at, 4 * st, 4 * roundUp4(len), 1);
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
