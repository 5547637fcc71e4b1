/**
 * The kernel calls a thread can run, and a recorder of them. A worker thread cannot run the
 * TypeScript that drives the kernels (it runs only the wasm module), so the calling thread runs
 * that TypeScript for each worker's share ahead of time with a {@link CallList} in place of the
 * kernels: every call is written down as a fixed-width entry (kernel number, arguments), and the
 * worker replays the entries in order (./threads.ts). The calling thread runs its own share with
 * the kernels themselves. The same TypeScript drives both, so a share computes the same bits on
 * whichever thread runs it.
 */

import { WASM_BINARY_OPS, WASM_UNARY_OPS, type WasmBinaryOp, type WasmUnaryOp } from './elementwise-kernels.js';

/**
 * The wasm kernels a share of work may call (a subset of ./runtime.ts's WasmRuntime, which
 * satisfies it). Addresses, strides and lengths are in bytes; see ./runtime.ts for each kernel.
 */
export interface KernelCalls {
  gemmBlock(pa: number, pb: number, c: number, mc: number, nc: number, kc: number, ldcBytes: number, accumulate: boolean): void;
  copy3d(dst: number, dA: number, dB: number, dC: number, src: number, sA: number, sB: number, sC: number, nA: number, nB: number, nC: number): void;
  addInto3d(dst: number, dA: number, dB: number, dC: number, src: number, sA: number, sB: number, sC: number, nA: number, nB: number, nC: number): void;
  packRows(dst: number, dGroup: number, src: number, sGroup: number, pitch: number, groups: number, kc: number, rows: number): void;
  /** Zeros `bytes` bytes (a multiple of 4) at `at`. */
  zero(at: number, bytes: number): void;
  maxPool(strideTwo: boolean, x: number, out: number, indices: number, planes: number, h: number, w: number, oh: number, ow: number, kh: number, kw: number, strideH: number, strideW: number): void;
  /** Fails its share (see ./threads.ts) at an index outside its plane. */
  maxPoolBackward(gy: number, indices: number, gx: number, planes: number, plane: number, outPlane: number): void;
  /** out = op(x) over `bytes` bytes (a multiple of 16); see ./elementwise-kernels.ts. */
  unary(op: WasmUnaryOp, x: number, out: number, bytes: number): void;
  /** out = a op b over `bytes` bytes (a multiple of 16). */
  binary(op: WasmBinaryOp, a: number, b: number, out: number, bytes: number): void;
  /** Row r of out = row r of x op scalars[r], rows of `rowBytes` bytes (a multiple of 16). */
  rowScalar(op: WasmBinaryOp, x: number, scalars: number, out: number, rowBytes: number, rows: number): void;
  /** Double-precision sums of `rows` consecutive rows of `rowLength` floats at x, into f64s at out. */
  rowSums(x: number, rowLength: number, rows: number, out: number): void;
  /** See ./direct-conv-kernels.ts: one image's direct convolution into out [channels, oh, ow]. */
  directConvForward(x: number, taps: number, tapCount: number, w: number, bias: number, out: number, channels: number, oh: number, ow: number, rowStep: number, outRowStep: number, outPlane: number): void;
  /** See ./direct-conv-kernels.ts: one image's weight gradient into out [channels, tapCount]. */
  directConvWeight(x: number, taps: number, tapCount: number, gy: number, out: number, channels: number, oh: number, ow: number, rowStep: number, mask: number, gyRowStep: number, gyPlane: number): void;
  /** See ./direct-conv-kernels.ts: one image's input gradient added into gx (laid out as the forward pass's input). */
  directConvInput(gx: number, taps: number, tapCount: number, w: number, gy: number, channels: number, oh: number, ow: number, rowStep: number, gyRowStep: number, gyPlane: number, mask: number): void;
}

/**
 * The module's exports a recorded entry names, by number. A kernel that returns a nonzero i32
 * has failed (only maxPoolBackward returns one).
 */
export const CALLABLE_KERNELS: readonly string[] = [
  'gemmBlock', 'copy3d', 'addInto3d', 'packRows', 'zero', 'maxPool', 'maxPoolStrideTwo', 'maxPoolBackward', 'rowSums', 'directConvForward', 'directConvWeight', 'directConvInput',
  ...WASM_UNARY_OPS.map((op) => `unary_${op}`), ...WASM_BINARY_OPS.map((op) => `binary_${op}`), ...WASM_BINARY_OPS.map((op) => `rowScalar_${op}`),
];

/** Ints per entry: the kernel's number and up to 13 arguments (unused ones are 0). */
export const ENTRY_INTS = 14;

const kernelNumber = (name: string): number => CALLABLE_KERNELS.indexOf(name);
const GEMM = kernelNumber('gemmBlock'), COPY = kernelNumber('copy3d'), ADD = kernelNumber('addInto3d'), PACK = kernelNumber('packRows');
const ZERO = kernelNumber('zero'), POOL = kernelNumber('maxPool'), POOL2 = kernelNumber('maxPoolStrideTwo'), POOL_BACK = kernelNumber('maxPoolBackward');
const ROW_SUMS = kernelNumber('rowSums');
const DIRECT_FORWARD = kernelNumber('directConvForward'), DIRECT_WEIGHT = kernelNumber('directConvWeight'), DIRECT_INPUT = kernelNumber('directConvInput');
const UNARY = new Map(WASM_UNARY_OPS.map((op) => [op, kernelNumber(`unary_${op}`)]));
const BINARY = new Map(WASM_BINARY_OPS.map((op) => [op, kernelNumber(`binary_${op}`)]));
const ROW_SCALAR = new Map(WASM_BINARY_OPS.map((op) => [op, kernelNumber(`rowScalar_${op}`)]));

function numberOf<K>(kernels: Map<K, number>, op: K): number {
  const n = kernels.get(op);
  if (n === undefined) throw new Error(`CallList: no kernel for ${String(op)}`);
  return n;
}

/**
 * Kernel calls written down instead of run: `ints()` holds one {@link ENTRY_INTS}-wide entry per call.
 *
 * @example
 * const list = new CallList();
 * list.zero(64, 32);
 * list.ints(); // Int32Array [4, 64, 32, 0, ...]: kernel 4 ('zero'), then its arguments
 */
export class CallList implements KernelCalls {
  private data = new Int32Array(ENTRY_INTS * 64);
  private length = 0;

  /** The entries recorded so far. */
  ints(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  private entry(kernel: number): number {
    if (this.length + ENTRY_INTS > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const at = this.length;
    this.data.fill(0, at, at + ENTRY_INTS);
    this.data[at] = kernel;
    this.length += ENTRY_INTS;
    return at + 1;
  }

  private put(kernel: number, a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l = 0): void {
    const at = this.entry(kernel), x = this.data;
    x[at] = a; x[at + 1] = b; x[at + 2] = c; x[at + 3] = d; x[at + 4] = e; x[at + 5] = f;
    x[at + 6] = g; x[at + 7] = h; x[at + 8] = i; x[at + 9] = j; x[at + 10] = k; x[at + 11] = l;
  }

  gemmBlock(pa: number, pb: number, c: number, mc: number, nc: number, kc: number, ldcBytes: number, accumulate: boolean): void {
    this.put(GEMM, pa, pb, c, mc, nc, kc, ldcBytes, accumulate ? 1 : 0, 0, 0, 0);
  }

  copy3d(dst: number, dA: number, dB: number, dC: number, src: number, sA: number, sB: number, sC: number, nA: number, nB: number, nC: number): void {
    this.put(COPY, dst, dA, dB, dC, src, sA, sB, sC, nA, nB, nC);
  }

  addInto3d(dst: number, dA: number, dB: number, dC: number, src: number, sA: number, sB: number, sC: number, nA: number, nB: number, nC: number): void {
    this.put(ADD, dst, dA, dB, dC, src, sA, sB, sC, nA, nB, nC);
  }

  packRows(dst: number, dGroup: number, src: number, sGroup: number, pitch: number, groups: number, kc: number, rows: number): void {
    this.put(PACK, dst, dGroup, src, sGroup, pitch, groups, kc, rows, 0, 0, 0);
  }

  zero(at: number, bytes: number): void {
    this.put(ZERO, at, bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  maxPool(strideTwo: boolean, x: number, out: number, indices: number, planes: number, h: number, w: number, oh: number, ow: number, kh: number, kw: number, strideH: number, strideW: number): void {
    this.put(strideTwo ? POOL2 : POOL, x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW);
  }

  maxPoolBackward(gy: number, indices: number, gx: number, planes: number, plane: number, outPlane: number): void {
    this.put(POOL_BACK, gy, indices, gx, planes, plane, outPlane, 0, 0, 0, 0, 0);
  }

  unary(op: WasmUnaryOp, x: number, out: number, bytes: number): void {
    this.put(numberOf(UNARY, op), x, out, bytes, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  binary(op: WasmBinaryOp, a: number, b: number, out: number, bytes: number): void {
    this.put(numberOf(BINARY, op), a, b, out, bytes, 0, 0, 0, 0, 0, 0, 0);
  }

  rowScalar(op: WasmBinaryOp, x: number, scalars: number, out: number, rowBytes: number, rows: number): void {
    this.put(numberOf(ROW_SCALAR, op), x, scalars, out, rowBytes, rows, 0, 0, 0, 0, 0, 0);
  }

  rowSums(x: number, rowLength: number, rows: number, out: number): void {
    this.put(ROW_SUMS, x, rowLength, rows, out, 0, 0, 0, 0, 0, 0, 0);
  }

  directConvForward(x: number, taps: number, tapCount: number, w: number, bias: number, out: number, channels: number, oh: number, ow: number, rowStep: number, outRowStep: number, outPlane: number): void {
    this.put(DIRECT_FORWARD, x, taps, tapCount, w, bias, out, channels, oh, ow, rowStep, outRowStep, outPlane);
  }

  directConvWeight(x: number, taps: number, tapCount: number, gy: number, out: number, channels: number, oh: number, ow: number, rowStep: number, mask: number, gyRowStep: number, gyPlane: number): void {
    this.put(DIRECT_WEIGHT, x, taps, tapCount, gy, out, channels, oh, ow, rowStep, mask, gyRowStep, gyPlane);
  }

  directConvInput(gx: number, taps: number, tapCount: number, w: number, gy: number, channels: number, oh: number, ow: number, rowStep: number, gyRowStep: number, gyPlane: number, mask: number): void {
    this.put(DIRECT_INPUT, gx, taps, tapCount, w, gy, channels, oh, ow, rowStep, gyRowStep, gyPlane, mask);
  }
}
