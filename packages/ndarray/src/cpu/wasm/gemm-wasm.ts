/**
 * The float32 matrix product on the WebAssembly micro-kernel: the BLIS loops of the TypeScript
 * `gemm` (../matmul.ts), with packing done here in TypeScript into wasm memory and the inner
 * two loops plus the micro-kernel in wasm ({@link emitGemmBlock}).
 *
 *   for jc in steps of NC over n, for row chunks of C that fit the scratch:
 *     for pc in steps of KC over k:   pack B[pc.., jc..] into 8-wide panels
 *       for ic in steps of MC:        pack A[ic.., pc..] into 4-tall strips; gemmBlock
 *     copy the chunk of C out (store, or add when accumulating)
 *
 * C accumulates in wasm memory across the K blocks, so it is copied out once. Edges are padded
 * with zeros to whole 4 x 8 tiles. Sums are float32, in the same order for any thread count.
 */
import type { GemmOperands } from '../matmul.js';
import { MR, NR } from './gemm-kernel.js';
import type { WasmRuntime } from './runtime.js';

// KC x NC packed B (256 KB) stays in the 1 MB L2 while MC x KC of A (128 KB) streams past it;
// one 8-wide panel of B (8 KB) and one strip of A (4 KB) stay in L1 inside gemmBlock.
const KC = 256;
const MC = 128;
const NC = 256;
/** Most float32 elements of C held in wasm memory at once (4 MB); taller products run in row chunks. */
const C_CHUNK = 1 << 20;

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/**
 * C = A·B (or C += A·B) for float32 operands, same contract as the TypeScript `gemm`.
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
  const ncMax = roundUp(Math.min(NC, n), NR);
  const rowsPerChunk = Math.max(MC, Math.floor(C_CHUNK / ncMax / MC) * MC);
  const kcMax = Math.min(KC, k);
  const [aAt, bAt, cAt] = rt.scratch([MC * kcMax, kcMax * ncMax, roundUp(Math.min(rowsPerChunk, m), MR) * ncMax]);
  const heap = rt.heap();
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc), ncPad = roundUp(nc, NR);
    for (let m0 = 0; m0 < m; m0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, m - m0);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        packB(op, pc, kc, jc, nc, heap, bAt);
        for (let ic = 0; ic < rows; ic += MC) {
          const mc = Math.min(MC, rows - ic);
          packA(op, m0 + ic, mc, pc, kc, heap, aAt);
          rt.gemmBlock(4 * aAt, 4 * bAt, 4 * (cAt + ic * ncPad), roundUp(mc, MR), ncPad, kc, 4 * ncPad, pc > 0);
        }
      }
      copyOut(heap, cAt, ncPad, op, m0, rows, jc, nc);
    }
  }
}

/** Packs A[i0:i0+mc, pc:pc+kc] into strips of MR rows at heap[at..]; rows past mc are zeros. */
function packA(op: GemmOperands, i0: number, mc: number, pc: number, kc: number, heap: Float32Array, at: number): void {
  const { a, aRowStride: rs, aColStride: cs } = op;
  let dst = at;
  for (let ir = 0; ir < mc; ir += MR) {
    const base = op.aOffset + (i0 + ir) * rs + pc * cs;
    if (ir + MR <= mc) {
      for (let p = 0, src = base; p < kc; p++, src += cs, dst += MR) {
        heap[dst] = a[src];
        heap[dst + 1] = a[src + rs];
        heap[dst + 2] = a[src + 2 * rs];
        heap[dst + 3] = a[src + 3 * rs];
      }
    } else {
      const mr = mc - ir;
      for (let p = 0; p < kc; p++, dst += MR) {
        for (let i = 0; i < MR; i++) heap[dst + i] = i < mr ? a[base + i * rs + p * cs] : 0;
      }
    }
  }
}

/** Packs B[pc:pc+kc, j0:j0+nc] into panels of NR columns at heap[at..]; columns past nc are zeros. */
function packB(op: GemmOperands, pc: number, kc: number, j0: number, nc: number, heap: Float32Array, at: number): void {
  const { b, bRowStride: rs, bColStride: cs } = op;
  let dst = at;
  for (let jr = 0; jr < nc; jr += NR) {
    const base = op.bOffset + pc * rs + (j0 + jr) * cs;
    if (jr + NR <= nc) {
      for (let p = 0, src = base; p < kc; p++, src += rs, dst += NR) {
        heap[dst] = b[src];
        heap[dst + 1] = b[src + cs];
        heap[dst + 2] = b[src + 2 * cs];
        heap[dst + 3] = b[src + 3 * cs];
        heap[dst + 4] = b[src + 4 * cs];
        heap[dst + 5] = b[src + 5 * cs];
        heap[dst + 6] = b[src + 6 * cs];
        heap[dst + 7] = b[src + 7 * cs];
      }
    } else {
      const nr = nc - jr;
      for (let p = 0; p < kc; p++, dst += NR) {
        for (let j = 0; j < NR; j++) heap[dst + j] = j < nr ? b[base + p * rs + j * cs] : 0;
      }
    }
  }
}

/** Stores (or adds) rows m0..m0+rows-1, columns j0..j0+nc-1 of the padded C block into op.c. */
function copyOut(heap: Float32Array, at: number, ncPad: number, op: GemmOperands, m0: number, rows: number, j0: number, nc: number): void {
  const { c, n } = op;
  const accumulate = op.accumulate === true;
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
