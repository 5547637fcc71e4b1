/**
 * The float32 convolutions with every step in wasm memory: the input (a chunk of images), the
 * weight and the gradient are read where they live if that is wasm memory (CPU storage usually
 * is, ./heap-arrays.ts), else copied in once (a memcpy each), and the column matrix, the packed
 * operands, the GEMM's result, the scatter back to NCHW and row2im's sums never leave it; the
 * result is written in place, or copied out once. The steps are those of the TypeScript fast kernels in ../conv2d.ts
 * (the readable version, and the one these are tested against): im2col per image or im2row per
 * batch, a GEMM, a scatter or row2im. Here each step is the strided copy of ./copy-kernels.ts
 * (`copy3d`, `addInto3d`) or the GEMM on operands in wasm memory ({@link gemmInHeap}).
 *
 * Each function returns false, doing nothing, where it does not apply (not float32, no runtime),
 * and the caller runs the TypeScript kernel instead.
 *
 * **Threads.** The work is split into shares of images (`WasmRuntime.inShares`, ./threads.ts):
 * per image, each share runs the whole pass (im2col, GEMM, scatter or row2im) for its images with
 * its own column matrix, C block and packing scratch; batched, the data movement (im2row, row2im,
 * the transposes) is split by images and the one big GEMM by panels of B. Every output element
 * is computed by the same calls in the same order on any thread, so the results are the same
 * bits at any thread count. The weight gradient sums over images: each image's product is kept
 * apart and the calling thread adds them up in image order, the order of one thread.
 */
import type { Conv2dGeometry, FloatArray } from '../kernel-types.js';
import type { KernelCalls } from './call-list.js';
import { gemmInHeap, gemmScratchFloats } from './gemm-wasm.js';
import { copyOut, operandAt, resultAt } from './heap-operands.js';
import { MR, NR } from './gemm-kernel.js';
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { shareRange, sharesFor } from './threads.js';

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/**
 * The batched paths hold at most this many column-matrix elements (16 MB) in wasm memory: larger
 * batches run in chunks of images, as in ../conv2d.ts, so that the memory (which never shrinks)
 * stays bounded.
 */
const MAX_COLS = 1 << 22;

/**
 * The least work a thread's share of a convolution is given, in multiply-adds: 2^20, ~2 MFLOP,
 * ~0.1 ms. A round trip to a spinning worker costs under a microsecond, to a sleeping one ~25 µs,
 * and on a busy machine a preempted worker holds the caller for a time slice: smaller kernels
 * (Table 1's) stay on one thread.
 */
const MIN_SHARE_WORK = 1 << 20;
/** The same for shares that only move data (im2row, transposes): floats moved, each ~4 multiply-adds' time. */
const MIN_SHARE_FLOATS = 1 << 18;

/**
 * Reserves the call's scratch regions `sizes` and, after them, `count` sets of a share's regions
 * `shareSizes` (all in one reservation): the float indices of the call's regions, and per share s
 * those of its own.
 */
function reserve(rt: WasmRuntime, sizes: readonly number[], count: number, shareSizes: readonly number[]): [number[], number[][]] {
  const starts = rt.scratch([...sizes, ...Array.from({ length: count }, () => shareSizes).flat()]);
  const own = Array.from({ length: count }, (_, s) => starts.slice(sizes.length + s * shareSizes.length, sizes.length + (s + 1) * shareSizes.length));
  return [starts.slice(0, sizes.length), own];
}

/** The range [first, end) of kernel taps t whose input coordinate o*stride - pad + t*dilation lies in [0, size). */
function tapRange(o: number, stride: number, pad: number, kernel: number, dilation: number, size: number): [number, number] {
  const origin = o * stride - pad;
  const first = origin >= 0 ? 0 : Math.min(kernel, Math.ceil(-origin / dilation));
  const end = Math.max(first, Math.min(kernel, Math.floor((size - 1 - origin) / dilation) + 1));
  return [first, end];
}

/** The range [first, end) of outputs o whose tap t reads inside [0, size): o*stride - pad + t*dilation in [0, size). */
function outputRange(t: number, stride: number, pad: number, dilation: number, size: number, outSize: number): [number, number] {
  const shift = t * dilation - pad;
  const first = Math.min(outSize, Math.max(0, Math.ceil(-shift / stride)));
  const end = Math.max(first, Math.min(outSize, Math.floor((size - 1 - shift) / stride) + 1));
  return [first, end];
}

/** Per output row and column, the in-bounds taps: the tables im2row and row2im read per pixel. */
function tapTables(g: Conv2dGeometry): { rows: [number, number][]; cols: [number, number][] } {
  return {
    rows: Array.from({ length: g.oh }, (_, y) => tapRange(y, g.strideH, g.padH, g.kh, g.dilationH, g.h)),
    cols: Array.from({ length: g.ow }, (_, x) => tapRange(x, g.strideW, g.padW, g.kw, g.dilationW, g.w)),
  };
}

/**
 * cols [K, oh*ow] at colsAt for the image at imageAt (float indices), channel group grp: row
 * (ci, ky, kx) holds, for every output pixel, the input value that tap reads, zero for padding.
 * One copy3d per tap over the rectangle of pixels whose tap is inside the image.
 */
function im2col(calls: KernelCalls, g: Conv2dGeometry, grp: number, imageAt: number, colsAt: number): void {
  const cg = g.c / g.groups, ohw = g.oh * g.ow, K = cg * g.kh * g.kw;
  calls.zero(4 * colsAt, 4 * K * ohw);
  let tap = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = imageAt + (grp * cg + ci) * g.h * g.w;
    for (let ky = 0; ky < g.kh; ky++) {
      const [y0, y1] = outputRange(ky, g.strideH, g.padH, g.dilationH, g.h, g.oh);
      for (let kx = 0; kx < g.kw; kx++, tap++) {
        const [x0, x1] = outputRange(kx, g.strideW, g.padW, g.dilationW, g.w, g.ow);
        const iy0 = y0 * g.strideH - g.padH + ky * g.dilationH, ix0 = x0 * g.strideW - g.padW + kx * g.dilationW;
        calls.copy3d(
          4 * (colsAt + tap * ohw + y0 * g.ow + x0), 4 * g.ow, 0, 4,
          4 * (plane + iy0 * g.w + ix0), 4 * g.strideH * g.w, 0, 4 * g.strideW,
          y1 - y0, 1, x1 - x0,
        );
      }
    }
  }
}

/**
 * Between a row of the column matrix [P, K] (row pitch `pitch`) and the input, for images
 * b0..b1-1 (the first at imagesAt) and group grp: `copy3d` from the input is im2row, `addInto3d`
 * into the input is row2im, its adjoint. One call per output pixel over (ci, in-bounds ky, in-bounds kx).
 */
function rowsAndImages(
  calls: KernelCalls, direction: 'im2row' | 'row2im', g: Conv2dGeometry, tables: ReturnType<typeof tapTables>, grp: number,
  images: number, imagesAt: number, colsAt: number, pitch: number,
): void {
  const cg = g.c / g.groups, taps = g.kh * g.kw, plane = g.h * g.w;
  const { rows, cols } = tables;
  // Byte strides over (ci, ky, kx) in a row of the column matrix and in the image.
  const colA = 4 * taps, colB = 4 * g.kw, imageA = 4 * plane, imageB = 4 * g.dilationH * g.w, imageC = 4 * g.dilationW;
  // im2row writes only the taps inside the image: the padding taps are zeros.
  if (direction === 'im2row') calls.zero(4 * colsAt, 4 * images * g.oh * g.ow * pitch);
  let row = colsAt;
  for (let b = 0; b < images; b++) {
    const groupAt = imagesAt + (b * g.c + grp * cg) * plane;
    for (let y = 0; y < g.oh; y++) {
      const [ky0, ky1] = rows[y];
      const iy0 = y * g.strideH - g.padH + ky0 * g.dilationH;
      for (let x = 0; x < g.ow; x++, row += pitch) {
        const [kx0, kx1] = cols[x];
        const ix0 = x * g.strideW - g.padW + kx0 * g.dilationW;
        const inCols = 4 * (row + ky0 * g.kw + kx0), inImage = 4 * (groupAt + iy0 * g.w + ix0);
        if (direction === 'im2row') calls.copy3d(inCols, colA, colB, 4, inImage, imageA, imageB, imageC, cg, ky1 - ky0, kx1 - kx0);
        else calls.addInto3d(inImage, imageA, imageB, imageC, inCols, colA, colB, 4, cg, ky1 - ky0, kx1 - kx0);
      }
    }
  }
}

/** Images per chunk of the batched paths (at least one), so the column matrix stays under MAX_COLS. */
function chunkOf(g: Conv2dGeometry, K: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(MAX_COLS / Math.max(1, g.oh * g.ow * K))));
}

/** The runtime when this call can run in wasm: float32 throughout and SIMD available. */
function runtimeFor(...arrays: FloatArray[]): WasmRuntime | null {
  return arrays.every((a) => a instanceof Float32Array) ? wasmRuntime() : null;
}


/** Images per chunk of the per-image paths (at least one): `floatsPerImage` of each in wasm memory, at most MAX_COLS in all. */
function imagesPerChunk(g: Conv2dGeometry, floatsPerImage: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(MAX_COLS / Math.max(1, floatsPerImage))));
}

/**
 * The forward pass in wasm memory (same contract as ../conv2d.ts's conv2dForward), per image
 * (`perImage`: im2col, then y_b = W · cols lands in NCHW) or batched (im2row, Y = cols · Wᵀ, then
 * a scatter to NCHW). Returns false where it does not apply.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const out = new Float32Array(1);
 * conv2dForwardWasm(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), g, out, true); // true; out[0] = 5
 */
export function conv2dForwardWasm(x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray, perImage: boolean): boolean {
  const rt = runtimeFor(x, w, out);
  if (rt === null) return false;
  if (perImage) forwardPerImage(rt, x, w, g, out);
  else forwardBatched(rt, x, w, g, out);
  return true;
}

function forwardPerImage(rt: WasmRuntime, x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray): void {
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w, outImage = g.o * ohw;
  const chunk = imagesPerChunk(g, image + outImage), ldc = roundUp(ohw, NR);
  const shares = sharesFor(rt.threads(), chunk, g.o * K * ohw, MIN_SHARE_WORK);
  const sizes = [w.length, chunk * image, chunk * outImage];
  // Each share's column matrix [K, ohw], C block [og, ohw] and packing scratch.
  const [[wAt, xAt, outAt], own] = reserve(rt, sizes, shares, [K * ohw, roundUp(og, MR) * ldc, gemmScratchFloats(K, ohw)]);
  const wIn = operandAt(rt, w, 0, w.length, wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const xIn = operandAt(rt, x, b0 * image, images * image, xAt), outIn = resultAt(rt, out, b0 * outImage, outAt);
    rt.inShares(shares, (calls, share) => {
      const [colsAt, cAt, packAt] = own[share];
      const [i0, i1] = shareRange(images, shares, share);
      for (let b = i0; b < i1; b++) {
        for (let grp = 0; grp < g.groups; grp++) {
          im2col(calls, g, grp, xIn + b * image, colsAt);
          // y_b[grp*og.., ohw] = W_grp [og, K] · cols [K, ohw], then its og rows into the output.
          gemmInHeap(rt, og, K, ohw, { at: wIn + grp * og * K, rowStride: K, colStride: 1 }, { at: colsAt, rowStride: ohw, colStride: 1 }, cAt, ldc, false, packAt, calls);
          calls.copy3d(4 * (outIn + b * outImage + grp * og * ohw), 0, 4 * ohw, 4, 4 * cAt, 0, 4 * ldc, 4, 1, og, ohw);
        }
      }
    });
    copyOut(rt, out, b0 * outImage, images * outImage, outIn, outAt);
  }
}

function forwardBatched(rt: WasmRuntime, x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray): void {
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w, outImage = g.o * ohw;
  const chunk = chunkOf(g, K), ldc = roundUp(og, NR), tables = tapTables(g);
  const shares = sharesFor(rt.threads(), chunk, ohw * K * og, MIN_SHARE_WORK);
  // Share s's rows of Y start MR rows per share further down, so that its padding rows never reach the next share's.
  const sizes = [w.length, chunk * image, chunk * ohw * K, (roundUp(chunk * ohw, MR) + shares * MR) * ldc, chunk * outImage];
  const [[wAt, xAt, colsAt, cAt, outAt], own] = reserve(rt, sizes, shares, [gemmScratchFloats(K, og)]);
  const wIn = operandAt(rt, w, 0, w.length, wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const xIn = operandAt(rt, x, b0 * image, images * image, xAt), outIn = resultAt(rt, out, b0 * outImage, outAt);
    // Each share runs the whole pass for its images: im2row, its rows of Y, their scatter to NCHW.
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (i1 <= i0) return;
      const rowsAt = colsAt + i0 * ohw * K, yAt = cAt + (i0 * ohw + share * MR) * ldc;
      for (let grp = 0; grp < g.groups; grp++) {
        rowsAndImages(calls, 'im2row', g, tables, grp, i1 - i0, xIn + i0 * image, rowsAt, K);
        // Y [pixels, og] = cols [pixels, K] · W_grpᵀ, then Y [(b, pixel), oc] into out [b, grp*og + oc, pixel].
        gemmInHeap(rt, (i1 - i0) * ohw, K, og, { at: rowsAt, rowStride: K, colStride: 1 }, { at: wIn + grp * og * K, rowStride: 1, colStride: K }, yAt, ldc, false, own[share][0], calls);
        calls.copy3d(4 * (outIn + i0 * outImage + grp * og * ohw), 4 * outImage, 4 * ohw, 4, 4 * yAt, 4 * ohw * ldc, 4, 4 * ldc, i1 - i0, og, ohw);
      }
    });
    copyOut(rt, out, b0 * outImage, images * outImage, outIn, outAt);
  }
}

/**
 * The input gradient in wasm memory (same contract as ../conv2d.ts's conv2dBackwardInput, dense
 * path): gcols = G · W per image or per batch, then row2im adds it into gx. Returns false where it
 * does not apply.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const gx = new Float32Array(4);
 * conv2dBackwardInputWasm(new Float32Array([2]), new Float32Array([1, 0, 0, 1]), g, gx, true); // true; gx = [2, 0, 0, 2]
 */
export function conv2dBackwardInputWasm(gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray, perImage: boolean): boolean {
  const rt = runtimeFor(gy, w, gx);
  if (rt === null) return false;
  if (perImage) backwardInputPerImage(rt, gy, w, g, gx);
  else backwardInputBatched(rt, gy, w, g, gx);
  return true;
}

function backwardInputPerImage(rt: WasmRuntime, gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray): void {
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w, outImage = g.o * ohw;
  const chunk = imagesPerChunk(g, image + outImage), ldc = roundUp(K, NR), tables = tapTables(g);
  const shares = sharesFor(rt.threads(), chunk, g.o * K * ohw, MIN_SHARE_WORK);
  // Each share's gcols block [ohw, K] and packing scratch.
  const [[wAt, gyAt, gxAt], own] = reserve(rt, [w.length, chunk * outImage, chunk * image], shares, [roundUp(ohw, MR) * ldc, gemmScratchFloats(og, K)]);
  const wIn = operandAt(rt, w, 0, w.length, wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const gyIn = operandAt(rt, gy, b0 * outImage, images * outImage, gyAt), gxIn = resultAt(rt, gx, b0 * image, gxAt);
    rt.inShares(shares, (calls, share) => {
      const [cAt, packAt] = own[share];
      const [i0, i1] = shareRange(images, shares, share);
      calls.zero(4 * (gxIn + i0 * image), 4 * (i1 - i0) * image);
      for (let b = i0; b < i1; b++) {
        for (let grp = 0; grp < g.groups; grp++) {
          // gcols [ohw, K] = gy_b[grp*og.., ohw]ᵀ · W_grp [og, K], then row2im into gx_b.
          const a = { at: gyIn + b * outImage + grp * og * ohw, rowStride: 1, colStride: ohw };
          gemmInHeap(rt, ohw, og, K, a, { at: wIn + grp * og * K, rowStride: K, colStride: 1 }, cAt, ldc, false, packAt, calls);
          rowsAndImages(calls, 'row2im', g, tables, grp, 1, gxIn + b * image, cAt, ldc);
        }
      }
    });
    copyOut(rt, gx, b0 * image, images * image, gxIn, gxAt);
  }
}

function backwardInputBatched(rt: WasmRuntime, gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray): void {
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w, outImage = g.o * ohw;
  const chunk = chunkOf(g, K), ldc = roundUp(K, NR), tables = tapTables(g);
  const shares = sharesFor(rt.threads(), chunk, ohw * K * og, MIN_SHARE_WORK);
  // Share s's rows of gcols start MR rows per share further down (its padding rows stay its own).
  const sizes = [w.length, chunk * outImage, chunk * ohw * g.o, (roundUp(chunk * ohw, MR) + shares * MR) * ldc, chunk * image];
  const [[wAt, gyAt, rowsAt, cAt, gxAt], own] = reserve(rt, sizes, shares, [gemmScratchFloats(og, K)]);
  const wIn = operandAt(rt, w, 0, w.length, wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const gyIn = operandAt(rt, gy, b0 * outImage, images * outImage, gyAt), gxIn = resultAt(rt, gx, b0 * image, gxAt);
    // Each share runs the whole pass for its images: the gradient as rows G [(b, pixel), oc], its
    // rows of gcols = G · W, and row2im into its images of gx.
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (i1 <= i0) return;
      const gAt = rowsAt + i0 * ohw * g.o, gcolsAt = cAt + (i0 * ohw + share * MR) * ldc;
      calls.copy3d(4 * gAt, 4 * ohw * g.o, 4, 4 * g.o, 4 * (gyIn + i0 * outImage), 4 * outImage, 4 * ohw, 4, i1 - i0, g.o, ohw);
      calls.zero(4 * (gxIn + i0 * image), 4 * (i1 - i0) * image);
      for (let grp = 0; grp < g.groups; grp++) {
        // gcols [pixels, K] = G[pixels, grp*og : (grp+1)*og] · W_grp [og, K]
        gemmInHeap(rt, (i1 - i0) * ohw, og, K, { at: gAt + grp * og, rowStride: g.o, colStride: 1 }, { at: wIn + grp * og * K, rowStride: K, colStride: 1 }, gcolsAt, ldc, false, own[share][0], calls);
        rowsAndImages(calls, 'row2im', g, tables, grp, i1 - i0, gxIn + i0 * image, gcolsAt, ldc);
      }
    });
    copyOut(rt, gx, b0 * image, images * image, gxIn, gxAt);
  }
}

/**
 * The weight gradient in wasm memory (same contract as ../conv2d.ts's conv2dBackwardWeight, dense
 * path): gW_grp = G_grpᵀ · cols summed over images (per image: im2col, gy_b · colsᵀ) or chunks of
 * images (im2row, Gᵀ · cols), each image's or chunk's product added to the total in order, as the
 * TypeScript path sums them (the same float32 results). Returns false where it does not apply.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const gw = new Float32Array(4);
 * conv2dBackwardWeightWasm(new Float32Array([2]), new Float32Array([1, 2, 3, 4]), g, gw, true); // true; gw = [2, 4, 6, 8]
 */
export function conv2dBackwardWeightWasm(gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray, perImage: boolean): boolean {
  const rt = runtimeFor(gy, x, gw);
  if (rt === null) return false;
  if (perImage) backwardWeightPerImage(rt, gy, x, g, gw);
  else backwardWeightBatched(rt, gy, x, g, gw);
  return true;
}

function backwardWeightPerImage(rt: WasmRuntime, gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray): void {
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w, outImage = g.o * ohw;
  const ldc = roundUp(K, NR), groupRows = roundUp(og, MR), product = g.groups * groupRows * ldc;
  const chunk = imagesPerChunk(g, image + outImage + product);
  const shares = sharesFor(rt.threads(), chunk, g.o * K * ohw, MIN_SHARE_WORK);
  // Each image's product, per group a block [groupRows, ldc] (the tiles' padding rows stay in it), and the total.
  const sizes = [chunk * image, chunk * outImage, chunk * product, product, g.o * K];
  // Each share's column matrix [K, ohw] and packing scratch.
  const [[xAt, gyAt, productsAt, totalAt, gwAt], own] = reserve(rt, sizes, shares, [K * ohw, gemmScratchFloats(ohw, K)]);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const xIn = operandAt(rt, x, b0 * image, images * image, xAt);
    const gyIn = operandAt(rt, gy, b0 * outImage, images * outImage, gyAt);
    rt.inShares(shares, (calls, share) => {
      const [colsAt] = own[share], packAt = own[share][1];
      const [i0, i1] = shareRange(images, shares, share);
      for (let b = i0; b < i1; b++) {
        for (let grp = 0; grp < g.groups; grp++) {
          im2col(calls, g, grp, xIn + b * image, colsAt);
          // product [og, K] = gy_b[grp*og.., ohw] · colsᵀ [ohw, K]
          const a = { at: gyIn + b * outImage + grp * og * ohw, rowStride: ohw, colStride: 1 };
          gemmInHeap(rt, og, ohw, K, a, { at: colsAt, rowStride: 1, colStride: ohw }, productsAt + b * product + grp * groupRows * ldc, ldc, false, packAt, calls);
        }
      }
    });
    // The sum over images, in image order whatever the thread count (so the same bits): the first
    // image's product is the total, each next one is added to it as a whole.
    for (let b = 0; b < images; b++) {
      const from = 4 * (productsAt + b * product), to = 4 * totalAt;
      if (b0 + b === 0) rt.copy3d(to, 0, 4 * ldc, 4, from, 0, 4 * ldc, 4, 1, g.groups * groupRows, K);
      else rt.addInto3d(to, 0, 4 * ldc, 4, from, 0, 4 * ldc, 4, 1, g.groups * groupRows, K);
    }
  }
  const gwIn = resultAt(rt, gw, 0, gwAt);
  for (let grp = 0; grp < g.groups; grp++) rt.copy3d(4 * (gwIn + grp * og * K), 0, 4 * K, 4, 4 * (totalAt + grp * groupRows * ldc), 0, 4 * ldc, 4, 1, og, K);
  copyOut(rt, gw, 0, g.o * K, gwIn, gwAt);
}

function backwardWeightBatched(rt: WasmRuntime, gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray): void {
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w, outImage = g.o * ohw;
  const chunk = chunkOf(g, K), ldc = roundUp(K, NR), groupRows = roundUp(og, MR), tables = tapTables(g);
  const shares = sharesFor(rt.threads(), chunk, ohw * K, MIN_SHARE_FLOATS);
  // The product sums over pixels: it is split by columns (panels of 8 of the K columns), so that
  // each element is the same sum in the same order on any thread.
  const panels = ldc / NR, gemmShares = sharesFor(rt.threads(), panels, og * chunk * ohw * NR, MIN_SHARE_WORK);
  const sizes = [chunk * image, chunk * outImage, chunk * ohw * g.o, chunk * ohw * K, g.groups * groupRows * ldc, groupRows * ldc, g.o * K];
  const [[xAt, gyAt, rowsAt, colsAt, cAt, partAt, gwAt], own] = reserve(rt, sizes, gemmShares, [gemmScratchFloats(chunk * ohw, NR * Math.ceil(panels / gemmShares))]);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const xIn = operandAt(rt, x, b0 * image, images * image, xAt);
    const gyIn = operandAt(rt, gy, b0 * outImage, images * outImage, gyAt);
    // The gradient as rows G [(b, pixel), oc], by shares of images.
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (i1 > i0) calls.copy3d(4 * (rowsAt + i0 * ohw * g.o), 4 * ohw * g.o, 4, 4 * g.o, 4 * (gyIn + i0 * outImage), 4 * outImage, 4 * ohw, 4, i1 - i0, g.o, ohw);
    });
    for (let grp = 0; grp < g.groups; grp++) {
      rt.inShares(shares, (calls, share) => {
        const [i0, i1] = shareRange(images, shares, share);
        if (i1 > i0) rowsAndImages(calls, 'im2row', g, tables, grp, i1 - i0, xIn + i0 * image, colsAt + i0 * ohw * K, K);
      });
      // part [og, K] = (G[pixels, grp*og : (grp+1)*og])ᵀ · cols [pixels, K], by shares of columns
      rt.inShares(gemmShares, (calls, share) => {
        const [p0, p1] = shareRange(panels, gemmShares, share);
        const j0 = p0 * NR, j1 = Math.min(K, p1 * NR);
        if (j1 <= j0) return;
        gemmInHeap(rt, og, images * ohw, j1 - j0, { at: rowsAt + grp * og, rowStride: 1, colStride: g.o }, { at: colsAt + j0, rowStride: K, colStride: 1 }, partAt + j0, ldc, false, own[share][0], calls);
      });
      // Each chunk's sum is added to the total as a whole, as the TypeScript path does: the same
      // float32 sums, and a shorter chain of roundings than one running sum over all images.
      // Each group has its own block of C (the tiles' padding rows must not reach the next group).
      const groupAt = cAt + grp * groupRows * ldc;
      if (b0 === 0) rt.copy3d(4 * groupAt, 0, 4 * ldc, 4, 4 * partAt, 0, 4 * ldc, 4, 1, og, K);
      else rt.addInto3d(4 * groupAt, 0, 4 * ldc, 4, 4 * partAt, 0, 4 * ldc, 4, 1, og, K);
    }
  }
  const gwIn = resultAt(rt, gw, 0, gwAt);
  for (let grp = 0; grp < g.groups; grp++) rt.copy3d(4 * (gwIn + grp * og * K), 0, 4 * K, 4, 4 * (cAt + grp * groupRows * ldc), 0, 4 * ldc, 4, 1, og, K);
  copyOut(rt, gw, 0, g.o * K, gwIn, gwAt);
}
