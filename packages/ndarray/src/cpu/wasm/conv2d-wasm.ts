/**
 * The float32 convolutions with every step in wasm memory: the input (a chunk of images), the
 * weight and the gradient are copied in once (a memcpy each), and the column matrix, the packed
 * operands, the GEMM's result, the scatter back to NCHW and row2im's sums never leave it; the
 * result is copied out once. The steps are those of the TypeScript fast kernels in ../conv2d.ts
 * (the readable version, and the one these are tested against): im2col per image or im2row per
 * batch, a GEMM, a scatter or row2im. Here each step is the strided copy of ./copy-kernels.ts
 * (`copy3d`, `addInto3d`) or the GEMM on operands in wasm memory ({@link gemmInHeap}).
 *
 * Each function returns false, doing nothing, where it does not apply (not float32, no runtime),
 * and the caller runs the TypeScript kernel instead.
 */
import type { Conv2dGeometry, FloatArray } from '../kernel-types.js';
import { gemmInHeap } from './gemm-wasm.js';
import { MR, NR } from './gemm-kernel.js';
import { wasmRuntime, type WasmRuntime } from './runtime.js';

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/**
 * The batched paths hold at most this many column-matrix elements (16 MB) in wasm memory: larger
 * batches run in chunks of images, as in ../conv2d.ts, so that the memory (which never shrinks)
 * stays bounded.
 */
const MAX_COLS = 1 << 22;

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
function im2col(rt: WasmRuntime, g: Conv2dGeometry, grp: number, imageAt: number, colsAt: number): void {
  const cg = g.c / g.groups, ohw = g.oh * g.ow, K = cg * g.kh * g.kw;
  rt.heap().fill(0, colsAt, colsAt + K * ohw);
  let tap = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = imageAt + (grp * cg + ci) * g.h * g.w;
    for (let ky = 0; ky < g.kh; ky++) {
      const [y0, y1] = outputRange(ky, g.strideH, g.padH, g.dilationH, g.h, g.oh);
      for (let kx = 0; kx < g.kw; kx++, tap++) {
        const [x0, x1] = outputRange(kx, g.strideW, g.padW, g.dilationW, g.w, g.ow);
        const iy0 = y0 * g.strideH - g.padH + ky * g.dilationH, ix0 = x0 * g.strideW - g.padW + kx * g.dilationW;
        rt.copy3d(
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
  rt: WasmRuntime, direction: 'im2row' | 'row2im', g: Conv2dGeometry, grp: number, images: number,
  imagesAt: number, colsAt: number, pitch: number,
): void {
  const cg = g.c / g.groups, taps = g.kh * g.kw, plane = g.h * g.w;
  const { rows, cols } = tapTables(g);
  // Byte strides over (ci, ky, kx) in a row of the column matrix and in the image.
  const colA = 4 * taps, colB = 4 * g.kw, imageA = 4 * plane, imageB = 4 * g.dilationH * g.w, imageC = 4 * g.dilationW;
  // im2row writes only the taps inside the image: the padding taps are zeros.
  if (direction === 'im2row') rt.heap().fill(0, colsAt, colsAt + images * g.oh * g.ow * pitch);
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
        if (direction === 'im2row') rt.copy3d(inCols, colA, colB, 4, inImage, imageA, imageB, imageC, cg, ky1 - ky0, kx1 - kx0);
        else rt.addInto3d(inImage, imageA, imageB, imageC, inCols, colA, colB, 4, cg, ky1 - ky0, kx1 - kx0);
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
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w;
  const chunk = perImage ? 1 : chunkOf(g, K);
  const ldc = roundUp(perImage ? ohw : og, NR), cRows = roundUp(perImage ? og : chunk * ohw, MR);
  const [wAt, xAt, colsAt, cAt, outAt] = rt.scratch([w.length, chunk * image, chunk * ohw * K, cRows * ldc, chunk * g.o * ohw]);
  const scratchFrom = outAt + chunk * g.o * ohw;
  rt.heap().set(w, wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    rt.heap().set(x.subarray(b0 * image, (b0 + images) * image), xAt);
    for (let grp = 0; grp < g.groups; grp++) {
      if (perImage) {
        im2col(rt, g, grp, xAt, colsAt);
        // y_b[grp*og.., ohw] = W_grp [og, K] · cols [K, ohw], then its og rows into the output.
        gemmInHeap(rt, og, K, ohw, { at: wAt + grp * og * K, rowStride: K, colStride: 1 }, { at: colsAt, rowStride: ohw, colStride: 1 }, cAt, ldc, false, scratchFrom);
        rt.copy3d(4 * (outAt + grp * og * ohw), 0, 4 * ohw, 4, 4 * cAt, 0, 4 * ldc, 4, 1, og, ohw);
      } else {
        rowsAndImages(rt, 'im2row', g, grp, images, xAt, colsAt, K);
        // Y [pixels, og] = cols [pixels, K] · W_grpᵀ, then Y [(b, pixel), oc] into out [b, grp*og + oc, pixel].
        gemmInHeap(rt, images * ohw, K, og, { at: colsAt, rowStride: K, colStride: 1 }, { at: wAt + grp * og * K, rowStride: 1, colStride: K }, cAt, ldc, false, scratchFrom);
        rt.copy3d(4 * (outAt + grp * og * ohw), 4 * g.o * ohw, 4 * ohw, 4, 4 * cAt, 4 * ohw * ldc, 4, 4 * ldc, images, og, ohw);
      }
    }
    out.set(rt.heap().subarray(outAt, outAt + images * g.o * ohw), b0 * g.o * ohw);
  }
  return true;
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
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w;
  const chunk = perImage ? 1 : chunkOf(g, K), ldc = roundUp(K, NR);
  const [wAt, gyAt, rowsAt, cAt, gxAt] = rt.scratch([w.length, chunk * g.o * ohw, perImage ? 0 : chunk * ohw * g.o, roundUp(chunk * ohw, MR) * ldc, chunk * image]);
  const scratchFrom = gxAt + chunk * image;
  rt.heap().set(w, wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    rt.heap().set(gy.subarray(b0 * g.o * ohw, (b0 + images) * g.o * ohw), gyAt);
    rt.heap().fill(0, gxAt, gxAt + images * image);
    // The gradient as rows G [(b, pixel), oc] (per image, gy_bᵀ read through its strides instead).
    if (!perImage) rt.copy3d(4 * rowsAt, 4 * ohw * g.o, 4, 4 * g.o, 4 * gyAt, 4 * g.o * ohw, 4 * ohw, 4, images, g.o, ohw);
    for (let grp = 0; grp < g.groups; grp++) {
      const a = perImage
        ? { at: gyAt + grp * og * ohw, rowStride: 1, colStride: ohw }
        : { at: rowsAt + grp * og, rowStride: g.o, colStride: 1 };
      // gcols [pixels, K] = G[pixels, grp*og : (grp+1)*og] · W_grp [og, K]
      gemmInHeap(rt, images * ohw, og, K, a, { at: wAt + grp * og * K, rowStride: K, colStride: 1 }, cAt, ldc, false, scratchFrom);
      rowsAndImages(rt, 'row2im', g, grp, images, gxAt, cAt, ldc);
    }
    gx.set(rt.heap().subarray(gxAt, gxAt + images * image), b0 * image);
  }
  return true;
}

/**
 * The weight gradient in wasm memory (same contract as ../conv2d.ts's conv2dBackwardWeight, dense
 * path): gW_grp = G_grpᵀ · cols summed over images (per image: im2col, gy_b · colsᵀ) or chunks of
 * images (im2row, Gᵀ · cols), each image's or chunk's product added to the total, as the
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
  const cg = g.c / g.groups, og = g.o / g.groups, K = cg * g.kh * g.kw, ohw = g.oh * g.ow, image = g.c * g.h * g.w;
  const chunk = perImage ? 1 : chunkOf(g, K), ldc = roundUp(K, NR), groupRows = roundUp(og, MR);
  const [xAt, gyAt, rowsAt, colsAt, cAt, partAt, gwAt] = rt.scratch([
    chunk * image, chunk * g.o * ohw, perImage ? 0 : chunk * ohw * g.o, chunk * ohw * K, g.groups * groupRows * ldc, groupRows * ldc, g.o * K,
  ]);
  const scratchFrom = gwAt + g.o * K;
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    rt.heap().set(x.subarray(b0 * image, (b0 + images) * image), xAt);
    rt.heap().set(gy.subarray(b0 * g.o * ohw, (b0 + images) * g.o * ohw), gyAt);
    if (!perImage) rt.copy3d(4 * rowsAt, 4 * ohw * g.o, 4, 4 * g.o, 4 * gyAt, 4 * g.o * ohw, 4 * ohw, 4, images, g.o, ohw);
    for (let grp = 0; grp < g.groups; grp++) {
      if (perImage) {
        im2col(rt, g, grp, xAt, colsAt);
        // part [og, K] = gy_b[grp*og.., ohw] · colsᵀ [ohw, K]
        gemmInHeap(rt, og, ohw, K, { at: gyAt + grp * og * ohw, rowStride: ohw, colStride: 1 }, { at: colsAt, rowStride: 1, colStride: ohw }, partAt, ldc, false, scratchFrom);
      } else {
        rowsAndImages(rt, 'im2row', g, grp, images, xAt, colsAt, K);
        // part [og, K] = (G[pixels, grp*og : (grp+1)*og])ᵀ · cols [pixels, K]
        gemmInHeap(rt, og, images * ohw, K, { at: rowsAt + grp * og, rowStride: 1, colStride: g.o }, { at: colsAt, rowStride: K, colStride: 1 }, partAt, ldc, false, scratchFrom);
      }
      // Each image's (or chunk's) sum is added to the total as a whole, as the TypeScript path does:
      // the same float32 sums, and a shorter chain of roundings than one running sum over all images.
      // Each group has its own block of C (the tiles' padding rows must not reach the next group).
      const groupAt = cAt + grp * groupRows * ldc;
      if (b0 === 0) rt.copy3d(4 * groupAt, 0, 4 * ldc, 4, 4 * partAt, 0, 4 * ldc, 4, 1, og, K);
      else rt.addInto3d(4 * groupAt, 0, 4 * ldc, 4, 4 * partAt, 0, 4 * ldc, 4, 1, og, K);
    }
  }
  for (let grp = 0; grp < g.groups; grp++) rt.copy3d(4 * (gwAt + grp * og * K), 0, 4 * K, 4, 4 * (cAt + grp * groupRows * ldc), 0, 4 * ldc, 4, 1, og, K);
  gw.set(rt.heap().subarray(gwAt, gwAt + g.o * K));
  return true;
}
