/**
 * General matrix multiply, C[m,n] = A[m,k] · B[k,n], the kernel under matmul, linear and conv2d.
 *
 * `gemmNaive` is the readable triple loop and the oracle. `gemm` is the fast one, organised like
 * BLIS/GotoBLAS (see docs/internals/04-kernels.md):
 *   1. cache blocking: B is cut into KC x NC panels and A into MC x KC blocks, sized so the packed B
 *      panel stays in L2 and a packed A strip in L1 while it is reused;
 *   2. packing: each block is copied into a contiguous scratch buffer in exactly the order the
 *      micro-kernel reads it. Packing is where any strides, transposes or broadcasts of A and B are
 *      absorbed, so a transposed view never needs its own copy;
 *   3. the micro-kernel: an MR x NR tile of C kept in local variables (registers), updated by
 *      rank-1 products over the KC packed columns.
 */
import { checkIntegers, type FloatArray } from './kernel-types.js';
import { gemmWasm } from './wasm/gemm-wasm.js';
import { wasmRuntime } from './wasm/runtime.js';

/**
 * The operands of one matrix product. A and B are addressed by an offset and a stride per row
 * and per column (element `A[i][p]` is `a[aOffset + i*aRowStride + p*aColStride]`), so views,
 * transposes (swap the strides) and broadcasts (stride 0) are read in place. C is contiguous
 * row-major at `cOffset` and is overwritten, or added to when `accumulate` is true
 * (C += A·B, which lets a convolution sum its weight gradient over images without a temporary).
 * C must not overlap A or B: the fast kernel writes C while later blocks of A are still unread.
 */
export interface GemmOperands {
  m: number; k: number; n: number;
  a: FloatArray; aOffset: number; aRowStride: number; aColStride: number;
  b: FloatArray; bOffset: number; bRowStride: number; bColStride: number;
  c: FloatArray; cOffset: number;
  accumulate?: boolean;
}

/**
 * The reference matrix product: one dot product per element of C.
 *
 * @example
 * const a = new Float64Array([1, 2, 3, 4]), b = new Float64Array([5, 6, 7, 8]), c = new Float64Array(4);
 * gemmNaive({ m: 2, k: 2, n: 2, a, aOffset: 0, aRowStride: 2, aColStride: 1,
 *   b, bOffset: 0, bRowStride: 2, bColStride: 1, c, cOffset: 0 });
 * // c is [19, 22, 43, 50]
 */
export function gemmNaive(op: GemmOperands): void {
  checkGemm('gemmNaive', op);
  const { m, k, n, a, b, c } = op;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += a[op.aOffset + i * op.aRowStride + p * op.aColStride] * b[op.bOffset + p * op.bRowStride + j * op.bColStride];
      }
      if (op.accumulate === true) c[op.cOffset + i * n + j] += sum;
      else c[op.cOffset + i * n + j] = sum;
    }
  }
}

// Tile and block sizes. MR x NR accumulators live in locals; KC columns of a packed A strip
// (MR*KC doubles) stay in L1, a packed KC x NC panel of B in L2. A 4x3 tile's 12 accumulators
// plus the 7 loaded values fit in 16 double registers (4x4 spills); it measured as fast as 4x4
// on the study shapes and wastes less of a panel on odd widths such as 25.
const MR = 4;
const NR = 3;
const KC = 256;
const MC = 128;
const NC = 2048;

// Grow-only packing buffers, allocated on first use (no work at import).
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);

/**
 * Below this many multiply-adds a float32 product stays in TypeScript: packing into wasm memory
 * and copying C back costs more than the SIMD kernel saves on tiny matrices.
 */
const WASM_MIN_MULTIPLY_ADDS = 4096;

/**
 * The fast matrix product (same contract as {@link gemmNaive}). Float32 operands of a product
 * with at least `WASM_MIN_MULTIPLY_ADDS` multiply-adds run on the WebAssembly SIMD kernel
 * (./wasm/gemm-wasm.ts, float32 sums) where the engine has WebAssembly SIMD; everything else
 * runs {@link gemmBlocked}, the TypeScript kernel that stays the readable reference.
 *
 * @example
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
 * // A as given, B transposed by swapping its strides: C = A · Bᵀ
 * gemm({ m: 2, k: 2, n: 2, a, aOffset: 0, aRowStride: 2, aColStride: 1,
 *   b, bOffset: 0, bRowStride: 1, bColStride: 2, c, cOffset: 0 });
 * // c is [17, 23, 39, 53]
 */
export function gemm(op: GemmOperands): void {
  checkGemm('gemm', op);
  const { m, k, n } = op;
  const rt = m * k * n >= WASM_MIN_MULTIPLY_ADDS && op.a instanceof Float32Array && op.b instanceof Float32Array && op.c instanceof Float32Array
    ? wasmRuntime()
    : null;
  if (rt !== null) gemmWasm(op, rt);
  else gemmBlocked(op);
}

/**
 * The matrix product in TypeScript (same contract as {@link gemmNaive}): cache-blocked, packed,
 * with a 4x3 register-blocked micro-kernel. Float32 operands are accumulated in doubles.
 *
 * @example
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
 * gemmBlocked({ m: 2, k: 2, n: 2, a, aOffset: 0, aRowStride: 2, aColStride: 1,
 *   b, bOffset: 0, bRowStride: 2, bColStride: 1, c, cOffset: 0 });
 * // c is [19, 22, 43, 50]
 */
export function gemmBlocked(op: GemmOperands): void {
  checkGemm('gemmBlocked', op);
  const { m, k, n, c, cOffset } = op;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (op.accumulate !== true) c.fill(0, cOffset, cOffset + m * n);
    return;
  }
  const kcMax = Math.min(KC, k);
  const ncMax = Math.min(NC, n);
  const mcMax = Math.min(MC, m);
  const needB = kcMax * roundUp(ncMax, NR);
  const needA = kcMax * roundUp(mcMax, MR);
  if (packedB.length < needB) packedB = new Float64Array(needB);
  if (packedA.length < needA) packedA = new Float64Array(needA);
  const pa = packedA;
  const pb = packedB;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const accumulate = pc > 0 || op.accumulate === true; // the first K block overwrites C, later ones add to it
      packB(op, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(op, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bIndex = jr * kc; // panel jr/NR starts at (jr/NR) * NR * kc
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, pa, ir * kc, pb, bIndex, c, cOffset + (ic + ir) * n + jc + jr, n, mr, nr, accumulate);
          }
        }
      }
    }
  }
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/** Packs A[ic:ic+mc, pc:pc+kc] as strips of MR rows: strip s, column p holds rows s*MR..s*MR+MR-1. Missing rows are zeros. */
function packA(op: GemmOperands, ic: number, mc: number, pc: number, kc: number, pa: Float64Array): void {
  const { a, aRowStride: rs, aColStride: cs } = op;
  let dst = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = Math.min(MR, mc - ir);
    const base = op.aOffset + (ic + ir) * rs + pc * cs;
    if (mr === MR) {
      let src = base;
      for (let p = 0; p < kc; p++) {
        pa[dst] = a[src];
        pa[dst + 1] = a[src + rs];
        pa[dst + 2] = a[src + 2 * rs];
        pa[dst + 3] = a[src + 3 * rs];
        dst += MR;
        src += cs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) pa[dst + i] = i < mr ? a[base + i * rs + p * cs] : 0;
        dst += MR;
      }
    }
  }
}

/** Packs B[pc:pc+kc, jc:jc+nc] as panels of NR columns: panel t, row p holds columns t*NR..t*NR+NR-1. Missing columns are zeros. */
function packB(op: GemmOperands, pc: number, kc: number, jc: number, nc: number, pb: Float64Array): void {
  const { b, bRowStride: rs, bColStride: cs } = op;
  let dst = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    const base = op.bOffset + pc * rs + (jc + jr) * cs;
    if (nr === NR) {
      let src = base;
      for (let p = 0; p < kc; p++) {
        pb[dst] = b[src];
        pb[dst + 1] = b[src + cs];
        pb[dst + 2] = b[src + 2 * cs];
        dst += NR;
        src += rs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) pb[dst + j] = j < nr ? b[base + p * rs + j * cs] : 0;
        dst += NR;
      }
    }
  }
}

/** C tile (mr x nr valid of MR x NR) = or += packed A strip · packed B panel, over kc. */
function microKernel(
  kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number,
  c: FloatArray, ci: number, ldc: number, mr: number, nr: number, accumulate: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let c30 = 0, c31 = 0, c32 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
    ia += MR;
    ib += NR;
  }
  if (mr === MR && nr === NR) {
    const r1 = ci + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    if (accumulate) {
      c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02;
      c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12;
      c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22;
      c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32;
    } else {
      c[ci] = c00; c[ci + 1] = c01; c[ci + 2] = c02;
      c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12;
      c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22;
      c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32;
    }
    return;
  }
  // An edge tile: store only the valid mr x nr corner.
  const tile = [c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32];
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const at = ci + i * ldc + j;
      c[at] = accumulate ? c[at] + tile[i * NR + j] : tile[i * NR + j];
    }
  }
}

/** Checks sizes and that every element the strides address lies inside its buffer. */
function checkGemm(kernel: string, op: GemmOperands): void {
  const { m, k, n } = op;
  checkIntegers(kernel, { m, k, n, aOffset: op.aOffset, bOffset: op.bOffset, cOffset: op.cOffset }, 0);
  checkIntegers(kernel, { aRowStride: op.aRowStride, aColStride: op.aColStride, bRowStride: op.bRowStride, bColStride: op.bColStride }, 0);
  if (op.c.length < op.cOffset + m * n) {
    throw new Error(`${kernel}: c has ${op.c.length} elements, too few for a [${m},${n}] result at offset ${op.cOffset}`);
  }
  if (m === 0 || n === 0 || k === 0) return;
  const lastA = op.aOffset + (m - 1) * op.aRowStride + (k - 1) * op.aColStride;
  if (lastA >= op.a.length) {
    throw new Error(`${kernel}: a [${m},${k}] at offset ${op.aOffset} with strides [${op.aRowStride},${op.aColStride}] reaches element ${lastA}, but a has ${op.a.length}`);
  }
  const lastB = op.bOffset + (k - 1) * op.bRowStride + (n - 1) * op.bColStride;
  if (lastB >= op.b.length) {
    throw new Error(`${kernel}: b [${k},${n}] at offset ${op.bOffset} with strides [${op.bRowStride},${op.bColStride}] reaches element ${lastB}, but b has ${op.b.length}`);
  }
}
