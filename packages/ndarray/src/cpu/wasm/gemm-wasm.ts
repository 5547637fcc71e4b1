/**
 * The float32 matrix product on the WebAssembly micro-kernel: the BLIS loops of the TypeScript
 * `gemm` (../matmul.ts), with the operands in wasm memory, packing done in wasm by the strided
 * copy (./copy-kernels.ts), and the inner two loops plus the micro-kernel in wasm ({@link emitGemmBlock}).
 *
 *   for jc in steps of NC over n:
 *     for pc in steps of KC over k:   pack B[pc.., jc..] into 8-wide panels
 *       for ic in steps of MC:        pack A[ic.., pc..] into 4-tall strips; gemmBlock
 *
 * C accumulates in wasm memory across the K blocks. Edges are padded with zeros to whole 4 x 8
 * tiles. Sums are float32, in the same order for any thread count. {@link gemmInHeap} is the
 * product on operands already in wasm memory (the convolutions build theirs there, ./conv2d-wasm.ts);
 * {@link gemmWasm} copies JavaScript operands in and the result out.
 */
import type { GemmOperands } from '../matmul.js';
import type { KernelCalls } from './call-list.js';
import { MR, NR } from './gemm-kernel.js';
import type { WasmRuntime } from './runtime.js';

// KC x NC packed B (256 KB) stays in the 1 MB L2 while MC x KC of A (128 KB) streams past it;
// one 8-wide panel of B (8 KB) and one strip of A (4 KB) stay in L1 inside gemmBlock.
const KC = 256;
const MC = 128;
const NC = 256;
/** Most float32 elements of C held in wasm memory at once (4 MB); gemmWasm runs taller products in row chunks. */
const C_CHUNK = 1 << 20;

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/**
 * A matrix in wasm memory: element (i, j) is `heap[at + i*rowStride + j*colStride]` (float32
 * indices into {@link WasmRuntime.heap}). Transposes swap the strides, as in GemmOperands.
 */
export interface HeapMatrix {
  at: number;
  rowStride: number;
  colStride: number;
}

/**
 * C (+)= A·B with all three in wasm memory: A [m, k] and B [k, n] as {@link HeapMatrix}, C row-major
 * at float index `cAt` with a row pitch of `ldc` floats. The micro-kernel works in whole 4 x 8
 * tiles, so C must have room for roundUp(m, 4) rows and ldc >= roundUp(n, 8): the padding rows and
 * columns are written (with products of the zero padding) and are not part of the result.
 * With `accumulate`, C += A·B. Packing scratch ({@link gemmScratchFloats} floats) is reserved
 * from float index `scratchFrom` on. Packing runs in wasm (`copy3d`), so nothing crosses between
 * JavaScript and wasm memory here. The kernels are called through `calls` (by default the runtime,
 * which splits large blocks across threads); a thread's share of a convolution passes its own.
 *
 * @example
 * import { wasmRuntime } from './runtime.js';
 * const rt = wasmRuntime();
 * if (rt !== null) {
 *   const [a, b, c] = rt.scratch([4, 4, 4 * 8]);
 *   rt.heap().set([1, 2, 3, 4], a);
 *   rt.heap().set([5, 6, 7, 8], b);
 *   gemmInHeap(rt, 2, 2, 2, { at: a, rowStride: 2, colStride: 1 }, { at: b, rowStride: 2, colStride: 1 }, c, 8, false, c + 32);
 *   rt.heap().subarray(c, c + 2); // [19, 22]; the next row at c + 8: [43, 50]
 * }
 */
export function gemmInHeap(
  rt: WasmRuntime, m: number, k: number, n: number, a: HeapMatrix, b: HeapMatrix,
  cAt: number, ldc: number, accumulate: boolean, scratchFrom: number, calls: KernelCalls = rt,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) calls.zero(4 * (cAt + i * ldc), 4 * n);
    return;
  }
  const ncMax = roundUp(Math.min(NC, n), NR), kcMax = Math.min(KC, k);
  const [aAt, bAt] = rt.scratch([MC * kcMax, kcMax * ncMax], scratchFrom);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc), ncPad = roundUp(nc, NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(calls, b, pc, kc, jc, nc, bAt);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(calls, a, ic, mc, pc, kc, aAt);
        calls.gemmBlock(4 * aAt, 4 * bAt, 4 * (cAt + ic * ldc + jc), roundUp(mc, MR), ncPad, kc, 4 * ldc, accumulate || pc > 0);
      }
    }
  }
}

/**
 * The packing scratch {@link gemmInHeap} reserves for a product of inner size k and n columns,
 * in floats (alignment included).
 *
 * @example
 * gemmScratchFloats(25, 676); // 9604: 128·25 + 25·256, and 4 for alignment
 */
export function gemmScratchFloats(k: number, n: number): number {
  const kcMax = Math.min(KC, k);
  return roundUp(MC * kcMax, 4) + roundUp(kcMax * roundUp(Math.min(NC, n), NR), 4) + 4;
}

/**
 * C = A·B (or C += A·B) for float32 operands, same contract as the TypeScript `gemm`: A and B are
 * read where they are if they live in wasm memory (CPU storage usually does, ./heap-arrays.ts),
 * else copied in (one memcpy each, of the span their strides cover), multiplied there by
 * {@link gemmInHeap} in row chunks of C, and each chunk of C is copied out.
 *
 * @example
 * import { wasmRuntime } from './runtime.js';
 * const rt = wasmRuntime();
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
 * if (rt !== null) gemmWasm({ m: 2, k: 2, n: 2, a, aOffset: 0, aRowStride: 2, aColStride: 1,
 *   b, bOffset: 0, bRowStride: 2, bColStride: 1, c, cOffset: 0 }, rt); // c is [19, 22, 43, 50]
 */
export function gemmWasm(op: GemmOperands, rt: WasmRuntime): void {
  const { m, k, n } = op;
  if (m === 0 || n === 0) return;
  const aSpan = span(m, k, op.aRowStride, op.aColStride), bSpan = span(k, n, op.bRowStride, op.bColStride);
  const ldc = roundUp(n, NR);
  const rowsPerChunk = Math.max(MC, Math.floor(C_CHUNK / ldc / MC) * MC);
  // An operand that lives in wasm memory is read where it is; any other is copied into scratch.
  const aIn = rt.addressOf(op.a, op.aOffset), bIn = rt.addressOf(op.b, op.bOffset);
  const [aAt, bAt, cAt, packAt] = rt.scratch([aIn >= 0 ? 0 : aSpan, bIn >= 0 ? 0 : bSpan, roundUp(Math.min(rowsPerChunk, m), MR) * ldc, gemmScratchFloats(k, n)]);
  const heap = rt.heap();
  if (aIn < 0) heap.set(op.a.subarray(op.aOffset, op.aOffset + aSpan), aAt);
  if (bIn < 0) heap.set(op.b.subarray(op.bOffset, op.bOffset + bSpan), bAt);
  const aFrom = aIn >= 0 ? aIn / 4 : aAt;
  const b = { at: bIn >= 0 ? bIn / 4 : bAt, rowStride: op.bRowStride, colStride: op.bColStride };
  for (let m0 = 0; m0 < m; m0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, m - m0);
    const a = { at: aFrom + m0 * op.aRowStride, rowStride: op.aRowStride, colStride: op.aColStride };
    gemmInHeap(rt, rows, k, n, a, b, cAt, ldc, false, packAt);
    copyOut(rt.heap(), cAt, ldc, op, m0, rows, 0, n);
  }
}

/** How many elements a rows x cols matrix with these (non-negative) strides spans from its first. */
function span(rows: number, cols: number, rowStride: number, colStride: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * rowStride + (cols - 1) * colStride + 1;
}

/** Packs A[i0:i0+mc, pc:pc+kc] into strips of MR rows at heap[at..]; rows past mc are zeros. */
function packA(calls: KernelCalls, a: HeapMatrix, i0: number, mc: number, pc: number, kc: number, at: number): void {
  packPanels(calls, at, a.at + i0 * a.rowStride + pc * a.colStride, mc, kc, MR, a.rowStride, a.colStride);
}

/** Packs B[pc:pc+kc, j0:j0+nc] into panels of NR columns at heap[at..]; columns past nc are zeros. */
function packB(calls: KernelCalls, b: HeapMatrix, pc: number, kc: number, j0: number, nc: number, at: number): void {
  packPanels(calls, at, b.at + pc * b.rowStride + j0 * b.colStride, nc, kc, NR, b.colStride, b.rowStride);
}

/**
 * Packs n lines (A's rows or B's columns, `lane` apart) of kc elements (`step` apart) into panels
 * of `width` lines at heap[at..]: panel t, step p, line j <- src + (width*t + j)*lane + p*step;
 * lines past n are zeros. Lines that are contiguous rows go by 4 x 4 transposes.
 */
function packPanels(calls: KernelCalls, at: number, src: number, n: number, kc: number, width: number, lane: number, step: number): void {
  const full = Math.floor(n / width), rest = n - full * width;
  if (step === 1 && lane !== 1) calls.packRows(4 * at, 4 * width * kc, 4 * src, 4 * width * lane, 4 * lane, full, kc, width);
  else calls.copy3d(4 * at, 4 * width * kc, 4 * width, 4, 4 * src, 4 * width * lane, 4 * step, 4 * lane, full, kc, width);
  if (rest > 0) {
    const panel = at + full * width * kc;
    calls.zero(4 * panel, 4 * width * kc);
    calls.copy3d(4 * panel, 0, 4 * width, 4, 4 * (src + full * width * lane), 0, 4 * step, 4 * lane, 1, kc, rest);
  }
}

/** Stores (or adds) rows m0..m0+rows-1, columns j0..j0+nc-1 of the padded C block into op.c. */
function copyOut(heap: Float32Array, at: number, ncPad: number, op: GemmOperands, m0: number, rows: number, j0: number, nc: number): void {
  const { c, n } = op;
  const accumulate = op.accumulate === true;
  if (!accumulate && ncPad === n && j0 === 0) { // no padding columns: the chunk is one run
    c.set(heap.subarray(at, at + rows * n), op.cOffset + m0 * n);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const src = at + i * ncPad, dst = op.cOffset + (m0 + i) * n + j0;
    if (accumulate) {
      for (let j = 0; j < nc; j++) c[dst + j] += heap[src + j];
    } else if (nc >= 64) {
      c.set(heap.subarray(src, src + nc), dst);
    } else {
      for (let j = 0; j < nc; j++) c[dst + j] = heap[src + j];
    }
  }
}
