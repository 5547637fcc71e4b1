/**
 * 2-d convolution (cross-correlation, as PyTorch's `conv2d`), forward and both backward passes.
 *
 * Layouts, all contiguous: x `[n, c, h, w]`, weight `[o, c/groups, kh, kw]`, y `[n, o, oh, ow]`.
 * Zero padding; stride, dilation and groups as in PyTorch. Outputs are preallocated by the
 * caller in the inputs' float type and overwritten.
 *
 * The naive kernels are the direct seven-deep loops, the oracles. The fast kernels turn each
 * pass into matrix products, per group (docs/internals/04-kernels.md):
 *   im2row: cols[(b, y, x), (ci, ky, kx)] = xpadded[b, ci, y*sH + ky*dH, x*sW + kx*dW]
 *   forward:         Y   [P, O]  = cols [P, K] · Wᵀ [K, O]      then Y is scattered to NCHW
 *   weight gradient: gW  [O, K]  = Gᵀ   [O, P] · cols [P, K]
 *   input gradient:  gcols[P, K] = G    [P, O] · W [O, K]       then row2im adds it back into gx
 * where P = n*oh*ow output pixels, K = (c/groups)*kh*kw, and G is gy laid out as [P, O].
 * The products run per image or batched over all images (`perImage`), and the backward passes
 * skip the gemm for a mostly-zero gy (`SPARSE_GRAD_DENSITY`).
 */
import { checkIntegers, checkLength, type Conv2dGeometry, type FloatArray } from './kernel-types.js';
import { gemm } from './matmul.js';
import { conv2dBackwardInputWasm, conv2dBackwardWeightWasm, conv2dForwardWasm } from './wasm/conv2d-wasm.js';
import { conv2dBackwardInputDirect, conv2dBackwardWeightDirect, conv2dForwardDirect } from './wasm/direct-conv-wasm.js';
import { wasmRuntime } from './wasm/runtime.js';

/**
 * The reference forward pass: out[b,oc,y,x] = Σ w[oc,ci,ky,kx] · x[b, g*Cg+ci, y*sH-pH+ky*dH, x*sW-pW+kx*dW].
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const out = new Float64Array(1);
 * conv2dForwardNaive(new Float64Array([1, 2, 3, 4]), new Float64Array([1, 0, 0, 1]), g, out); // out[0] = 5
 */
export function conv2dForwardNaive(x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray): void {
  checkConv('conv2dForwardNaive', g, { x, w, out });
  const cg = g.c / g.groups, og = g.o / g.groups;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.o; oc++) {
      const grp = Math.floor(oc / og);
      for (let y = 0; y < g.oh; y++) {
        for (let xo = 0; xo < g.ow; xo++) {
          let sum = 0;
          for (let ci = 0; ci < cg; ci++) {
            for (let ky = 0; ky < g.kh; ky++) {
              const iy = y * g.strideH - g.padH + ky * g.dilationH;
              if (iy < 0 || iy >= g.h) continue;
              for (let kx = 0; kx < g.kw; kx++) {
                const ix = xo * g.strideW - g.padW + kx * g.dilationW;
                if (ix < 0 || ix >= g.w) continue;
                sum += w[((oc * cg + ci) * g.kh + ky) * g.kw + kx] * x[((b * g.c + grp * cg + ci) * g.h + iy) * g.w + ix];
              }
            }
          }
          out[((b * g.o + oc) * g.oh + y) * g.ow + xo] = sum;
        }
      }
    }
  }
}

/**
 * The reference input gradient: every (output, tap) pair adds gy · w to the input element it read.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const gx = new Float64Array(4);
 * conv2dBackwardInputNaive(new Float64Array([2]), new Float64Array([1, 0, 0, 1]), g, gx); // gx = [2, 0, 0, 2]
 */
export function conv2dBackwardInputNaive(gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray): void {
  checkConv('conv2dBackwardInputNaive', g, { gy, w, gx });
  gx.fill(0);
  const cg = g.c / g.groups, og = g.o / g.groups;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.o; oc++) {
      const grp = Math.floor(oc / og);
      for (let y = 0; y < g.oh; y++) {
        for (let xo = 0; xo < g.ow; xo++) {
          const gv = gy[((b * g.o + oc) * g.oh + y) * g.ow + xo];
          for (let ci = 0; ci < cg; ci++) {
            for (let ky = 0; ky < g.kh; ky++) {
              const iy = y * g.strideH - g.padH + ky * g.dilationH;
              if (iy < 0 || iy >= g.h) continue;
              for (let kx = 0; kx < g.kw; kx++) {
                const ix = xo * g.strideW - g.padW + kx * g.dilationW;
                if (ix < 0 || ix >= g.w) continue;
                gx[((b * g.c + grp * cg + ci) * g.h + iy) * g.w + ix] += gv * w[((oc * cg + ci) * g.kh + ky) * g.kw + kx];
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The reference weight gradient: gw[oc,ci,ky,kx] = Σ over images and output pixels of gy · the input element that tap read.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const gw = new Float64Array(4);
 * conv2dBackwardWeightNaive(new Float64Array([2]), new Float64Array([1, 2, 3, 4]), g, gw); // gw = [2, 4, 6, 8]
 */
export function conv2dBackwardWeightNaive(gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray): void {
  checkConv('conv2dBackwardWeightNaive', g, { gy, x, gw });
  const cg = g.c / g.groups, og = g.o / g.groups;
  for (let oc = 0; oc < g.o; oc++) {
    const grp = Math.floor(oc / og);
    for (let ci = 0; ci < cg; ci++) {
      for (let ky = 0; ky < g.kh; ky++) {
        for (let kx = 0; kx < g.kw; kx++) {
          let sum = 0;
          for (let b = 0; b < g.n; b++) {
            for (let y = 0; y < g.oh; y++) {
              const iy = y * g.strideH - g.padH + ky * g.dilationH;
              if (iy < 0 || iy >= g.h) continue;
              for (let xo = 0; xo < g.ow; xo++) {
                const ix = xo * g.strideW - g.padW + kx * g.dilationW;
                if (ix < 0 || ix >= g.w) continue;
                sum += gy[((b * g.o + oc) * g.oh + y) * g.ow + xo] * x[((b * g.c + grp * cg + ci) * g.h + iy) * g.w + ix];
              }
            }
          }
          gw[((oc * cg + ci) * g.kh + ky) * g.kw + kx] = sum;
        }
      }
    }
  }
}

// Grow-only scratch buffers, one set per float width so the gemm reads one element type;
// slot 0 holds the column matrix, slot 1 the gemm's [P, O]-shaped operand.
const scratch32: Float32Array[] = [];
const scratch64: Float64Array[] = [];

function scratchLike(like: FloatArray, slot: number, size: number): FloatArray {
  if (like instanceof Float32Array) {
    const cur = scratch32[slot];
    if (cur !== undefined && cur.length >= size) return cur;
    const next = new Float32Array(size);
    scratch32[slot] = next;
    return next;
  }
  const cur = scratch64[slot];
  if (cur !== undefined && cur.length >= size) return cur;
  const next = new Float64Array(size);
  scratch64[slot] = next;
  return next;
}

/** A Float64Array scratch (slots apart from scratchLike's), for sums kept in double precision. */
function scratchFloat64(slot: number, size: number): Float64Array {
  const cur = scratch64[slot];
  if (cur !== undefined && cur.length >= size) return cur;
  const next = new Float64Array(size);
  scratch64[slot] = next;
  return next;
}

/**
 * Below this fraction of nonzeros in gy, the backward passes skip the dense gemm and add only the
 * nonzero gradients, one row of length K each. Behind a max pool gy is mostly zeros: a k x k pool
 * passes one gradient per window, so the study's conv1 (pool 2) sees at most 1/4 nonzeros, its
 * conv2 (pool 4) at most 1/16. Measured on the study's layers: at conv2's ~0.05 in training the
 * sparse path is three to four times faster; at conv1's ~0.14 both cost about the same, and at
 * 0.23 (conv1 of an untrained network) the gemm wins.
 */
export const SPARSE_GRAD_DENSITY = 0.15;

/**
 * The same threshold when the convolution runs in wasm memory (float32 where the engine has SIMD,
 * ./wasm/conv2d-wasm.ts), for the batched geometry; the per-image geometry never takes the sparse
 * path there. The dense wasm path is several times faster than the TypeScript one, while the
 * sparse path stays TypeScript (its im2row alone costs more than the whole dense pass when K is
 * small). Measured at batch 64 (CPU ms, dense / sparse): the study's conv2 weight gradient at
 * density 0.002: 6.2 / 4.1, 0.01: 5.6 / 4.7, 0.03: 5.6 / 7.3; Table 1's conv1 (per image, K = 9)
 * at 0.002: 0.9 / 2.6, at 0.03: 0.7 / 4.0 — behind two max pools its gy is ~3 % nonzero, and the
 * sparse path was a third of a Table 1 step.
 */
export const SPARSE_GRAD_DENSITY_WASM = 0.015;

/** The density below which `gy` takes the sparse path, for this gy and geometry. */
function sparseBelow(gy: FloatArray, g: Conv2dGeometry): number {
  if (!(gy instanceof Float32Array) || wasmRuntime() === null) return SPARSE_GRAD_DENSITY;
  return perImage(g) ? 0 : SPARSE_GRAD_DENSITY_WASM;
}

/** dst[d .. d+len) += v * src[s .. s+len), unrolled by four (1.4-1.7x faster in V8, which does not unroll). */
function addScaled(dst: Float64Array, d: number, src: FloatArray, s: number, v: number, len: number): void {
  let q = 0;
  for (; q + 3 < len; q += 4) {
    dst[d + q] += v * src[s + q];
    dst[d + q + 1] += v * src[s + q + 1];
    dst[d + q + 2] += v * src[s + q + 2];
    dst[d + q + 3] += v * src[s + q + 3];
  }
  for (; q < len; q++) dst[d + q] += v * src[s + q];
}

/**
 * Whether fewer than `fraction` of the entries are nonzero (NaN counts as nonzero, so it still
 * propagates). Counts in blocks and stops as soon as the answer is no, so a dense gy is decided
 * after a small part of it.
 */
function sparserThan(a: FloatArray, fraction: number): boolean {
  const limit = fraction * a.length;
  let nonzeros = 0;
  for (let start = 0; start < a.length; start += 4096) {
    const end = Math.min(a.length, start + 4096);
    // +(bool) compiles without a branch: 3x faster than `if` on data that is zero at random.
    for (let i = start; i < end; i++) nonzeros += +(a[i] !== 0);
    if (nonzeros >= limit) return false;
  }
  return nonzeros < limit;
}

/**
 * Two ways to cut the work into gemms, chosen by which costs less extra memory traffic:
 * - per image: one gemm per image reads gy and writes y in their NCHW layout directly (the
 *   [o, oh*ow] block of an image is a matrix), but repacks the weight [o, K] for every image;
 * - batched: one gemm over all n*oh*ow pixels packs the weight once, but y and gy must be
 *   transposed between NCHW and [P, o].
 * Per image wins when K is small next to oh*ow (conv1 of the study: K = 25, oh*ow = 676);
 * batched when the image is small (conv2: K = 800, oh*ow = 16). The per-image column matrix
 * is also small enough to stay in cache between im2row and the gemm.
 */
function perImage(g: Conv2dGeometry): boolean {
  return (g.c / g.groups) * g.kh * g.kw <= 2 * g.oh * g.ow;
}

/**
 * The batched path's column matrix holds at most this many elements (16 MB in float32): larger
 * batches (evaluation at 1000 images, say) run in chunks of images, so the grow-only scratch
 * stays bounded. The study's conv2 at batch 64 (819,200 elements) is one chunk.
 */
const MAX_BATCHED_COLS = 1 << 22;

function imagesPerChunk(g: Conv2dGeometry, K: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(MAX_BATCHED_COLS / Math.max(1, g.oh * g.ow * K))));
}

/**
 * Fills cols [(b1-b0)*oh*ow, K] for images b0..b1-1 and channel group `grp`: row (b, y, x)
 * holds the K = cg*kh*kw input values that output pixel reads, zero where the tap is padding.
 */
function im2row(x: FloatArray, g: Conv2dGeometry, grp: number, b0: number, b1: number, cols: FloatArray): void {
  const { c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  const cg = c / g.groups;
  let dst = 0;
  for (let b = b0; b < b1; b++) {
    const imageBase = (b * c + grp * cg) * h * w;
    for (let y = 0; y < oh; y++) {
      const iy0 = y * strideH - padH;
      for (let xo = 0; xo < ow; xo++) {
        const ix0 = xo * strideW - padW;
        // Taps kx in [kx0, kx1) are inside the row; the rest are padding.
        const kx0 = ix0 >= 0 ? 0 : Math.min(kw, Math.ceil(-ix0 / dilationW));
        const kx1 = Math.max(kx0, Math.min(kw, Math.ceil((w - ix0) / dilationW)));
        for (let ci = 0; ci < cg; ci++) {
          const planeBase = imageBase + ci * h * w;
          for (let ky = 0; ky < kh; ky++) {
            const iy = iy0 + ky * dilationH;
            if (iy < 0 || iy >= h) {
              for (let kx = 0; kx < kw; kx++) cols[dst++] = 0;
              continue;
            }
            const rowBase = planeBase + iy * w + ix0;
            let kx = 0;
            for (; kx < kx0; kx++) cols[dst++] = 0;
            for (; kx < kx1; kx++) cols[dst++] = x[rowBase + kx * dilationW];
            for (; kx < kw; kx++) cols[dst++] = 0;
          }
        }
      }
    }
  }
}

/**
 * Fills cols [K, oh*ow] for image b and channel group grp: row (ci, ky, kx) holds, for every
 * output pixel, the input value that tap reads, zero where it reads padding. The transpose of
 * im2row's layout for one image. A row is built from runs along input rows: the range of pixels
 * whose tap falls inside the row is worked out once per (tap, output row), not once per pixel,
 * and the gemm packs 8 consecutive pixels of a row at a time.
 */
function im2col(x: FloatArray, g: Conv2dGeometry, grp: number, b: number, cols: FloatArray): void {
  const { c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  const cg = c / g.groups;
  let dst = 0;
  for (let ci = 0; ci < cg; ci++) {
    const planeBase = (b * c + grp * cg + ci) * h * w;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        // Pixel xo reads input column xo*strideW + shift; inside the row for xo in [xo0, xo1).
        const shift = kx * dilationW - padW;
        const xo0 = Math.min(ow, Math.max(0, Math.ceil(-shift / strideW)));
        const xo1 = Math.max(xo0, Math.min(ow, Math.floor((w - 1 - shift) / strideW) + 1));
        for (let y = 0; y < oh; y++) {
          const iy = y * strideH - padH + ky * dilationH;
          if (iy < 0 || iy >= h) {
            for (let xo = 0; xo < ow; xo++) cols[dst++] = 0;
            continue;
          }
          const src = planeBase + iy * w + shift;
          let xo = 0;
          for (; xo < xo0; xo++) cols[dst++] = 0;
          for (; xo < xo1; xo++) cols[dst++] = x[src + xo * strideW];
          for (; xo < ow; xo++) cols[dst++] = 0;
        }
      }
    }
  }
}

/** The adjoint of im2row: adds every entry of gcols into the gx element it was copied from. */
function row2im(gcols: FloatArray, g: Conv2dGeometry, grp: number, b0: number, b1: number, gx: FloatArray): void {
  const { c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  const cg = c / g.groups;
  let src = 0;
  for (let b = b0; b < b1; b++) {
    const imageBase = (b * c + grp * cg) * h * w;
    for (let y = 0; y < oh; y++) {
      const iy0 = y * strideH - padH;
      for (let xo = 0; xo < ow; xo++) {
        const ix0 = xo * strideW - padW;
        const kx0 = ix0 >= 0 ? 0 : Math.min(kw, Math.ceil(-ix0 / dilationW));
        const kx1 = Math.max(kx0, Math.min(kw, Math.ceil((w - ix0) / dilationW)));
        for (let ci = 0; ci < cg; ci++) {
          const planeBase = imageBase + ci * h * w;
          for (let ky = 0; ky < kh; ky++) {
            const iy = iy0 + ky * dilationH;
            if (iy >= 0 && iy < h) {
              const rowBase = planeBase + iy * w + ix0;
              for (let kx = kx0; kx < kx1; kx++) gx[rowBase + kx * dilationW] += gcols[src + kx];
            }
            src += kw;
          }
        }
      }
    }
  }
}

/**
 * The fast forward pass (same contract as {@link conv2dForwardNaive}): im2row, then gemms
 * (per image or batched, see `perImage`).
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const out = new Float32Array(1);
 * conv2dForward(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), g, out); // out[0] = 5
 */
export function conv2dForward(x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray): void {
  checkConv('conv2dForward', g, { x, w, out });
  const cg = g.c / g.groups, og = g.o / g.groups;
  const K = cg * g.kh * g.kw, ohw = g.oh * g.ow, P = g.n * ohw;
  if (P === 0 || g.o === 0) return;
  // float32 with WebAssembly SIMD: a first layer (few channels x taps) directly from the image
  // (./wasm/direct-conv-wasm.ts), else the same steps as below, all in wasm memory (./wasm/conv2d-wasm.ts).
  if (conv2dForwardDirect(x, w, null, g, out)) return;
  if (conv2dForwardWasm(x, w, g, out, perImage(g))) return;
  if (perImage(g)) {
    const cols = scratchLike(x, 0, ohw * K);
    for (let b = 0; b < g.n; b++) {
      for (let grp = 0; grp < g.groups; grp++) {
        im2col(x, g, grp, b, cols);
        // y_b[grp*og.., ohw] = W_grp [og, K] · cols [K, ohw]: lands in NCHW as is.
        gemm({
          m: og, k: K, n: ohw,
          a: w, aOffset: grp * og * K, aRowStride: K, aColStride: 1,
          b: cols, bOffset: 0, bRowStride: ohw, bColStride: 1,
          c: out, cOffset: (b * g.o + grp * og) * ohw,
        });
      }
    }
    return;
  }
  const chunk = imagesPerChunk(g, K);
  const cols = scratchLike(x, 0, chunk * ohw * K);
  const y = scratchLike(x, 1, chunk * ohw * og);
  for (let grp = 0; grp < g.groups; grp++) {
    for (let b0 = 0; b0 < g.n; b0 += chunk) {
      const b1 = Math.min(g.n, b0 + chunk);
      im2row(x, g, grp, b0, b1, cols);
      // Y[pixels, og] = cols[pixels, K] · W_grpᵀ, reading W_grp [og, K] transposed through its strides.
      gemm({
        m: (b1 - b0) * ohw, k: K, n: og,
        a: cols, aOffset: 0, aRowStride: K, aColStride: 1,
        b: w, bOffset: grp * og * K, bRowStride: 1, bColStride: K,
        c: y, cOffset: 0,
      });
      // Scatter Y [(b, pixel), oc] into out [b, grp*og + oc, pixel].
      for (let b = b0; b < b1; b++) {
        for (let oc = 0; oc < og; oc++) {
          const dst = (b * g.o + grp * og + oc) * ohw;
          let src = (b - b0) * ohw * og + oc;
          for (let p = 0; p < ohw; p++) {
            out[dst + p] = y[src];
            src += og;
          }
        }
      }
    }
  }
}

/** Lays gy [n, o, oh*ow] out as G [P, o] (row = output pixel), the orientation the batched gemms read. */
function gradToRows(gy: FloatArray, g: Conv2dGeometry, rows: FloatArray): void {
  const ohw = g.oh * g.ow, o = g.o;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const src = (b * o + oc) * ohw;
      let dst = b * ohw * o + oc;
      for (let p = 0; p < ohw; p++) {
        rows[dst] = gy[src + p];
        dst += o;
      }
    }
  }
}

/**
 * The fast input gradient (same contract as {@link conv2dBackwardInputNaive}): gcols = G · W per group, then row2im.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const gx = new Float32Array(4);
 * conv2dBackwardInput(new Float32Array([2]), new Float32Array([1, 0, 0, 1]), g, gx); // gx = [2, 0, 0, 2]
 */
export function conv2dBackwardInput(gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray): void {
  checkConv('conv2dBackwardInput', g, { gy, w, gx });
  gx.fill(0);
  const cg = g.c / g.groups, og = g.o / g.groups;
  const K = cg * g.kh * g.kw, ohw = g.oh * g.ow, P = g.n * ohw;
  if (P === 0 || K === 0) return;
  if (sparserThan(gy, sparseBelow(gy, g))) {
    // gcols_b [ohw, K] = Σ over nonzero gy[b, oc, p] of gy · W[oc, :] into row p; then row2im.
    const gcols = scratchFloat64(2, ohw * K);
    for (let b = 0; b < g.n; b++) {
      for (let grp = 0; grp < g.groups; grp++) {
        gcols.fill(0, 0, ohw * K);
        for (let oc = grp * og; oc < (grp + 1) * og; oc++) {
          const gyRow = (b * g.o + oc) * ohw, wRow = oc * K;
          for (let p = 0; p < ohw; p++) {
            const v = gy[gyRow + p];
            if (v === 0) continue;
            addScaled(gcols, p * K, w, wRow, v, K);
          }
        }
        row2im(gcols, g, grp, b, b + 1, gx);
      }
    }
    return;
  }
  // Direct only at stride 1 along x: with a stride, splitting the input gradient's columns by phase
  // and back costs as much as im2col saves (Table 1's conv2: 0.9-1.0x, scripts/bench-direct-conv.mjs).
  if (g.strideW === 1 && conv2dBackwardInputDirect(gy, w, g, gx)) return;
  if (conv2dBackwardInputWasm(gy, w, g, gx, perImage(g))) return;
  if (perImage(g)) {
    const gcols = scratchLike(gy, 0, ohw * K);
    for (let b = 0; b < g.n; b++) {
      for (let grp = 0; grp < g.groups; grp++) {
        // gcols [ohw, K] = gy_b[grp*og.., ohw]ᵀ · W_grp [og, K], the transpose read through strides.
        gemm({
          m: ohw, k: og, n: K,
          a: gy, aOffset: (b * g.o + grp * og) * ohw, aRowStride: 1, aColStride: ohw,
          b: w, bOffset: grp * og * K, bRowStride: K, bColStride: 1,
          c: gcols, cOffset: 0,
        });
        row2im(gcols, g, grp, b, b + 1, gx);
      }
    }
    return;
  }
  const chunk = imagesPerChunk(g, K);
  const gcols = scratchLike(gy, 0, chunk * ohw * K);
  const rows = scratchLike(gy, 1, P * g.o);
  gradToRows(gy, g, rows);
  for (let grp = 0; grp < g.groups; grp++) {
    for (let b0 = 0; b0 < g.n; b0 += chunk) {
      const b1 = Math.min(g.n, b0 + chunk);
      // gcols[pixels, K] = G[pixels of b0..b1, grp*og : (grp+1)*og] · W_grp [og, K]
      gemm({
        m: (b1 - b0) * ohw, k: og, n: K,
        a: rows, aOffset: b0 * ohw * g.o + grp * og, aRowStride: g.o, aColStride: 1,
        b: w, bOffset: grp * og * K, bRowStride: K, bColStride: 1,
        c: gcols, cOffset: 0,
      });
      row2im(gcols, g, grp, b0, b1, gx);
    }
  }
}

/**
 * The fast weight gradient (same contract as {@link conv2dBackwardWeightNaive}): gW_grp = G_grpᵀ · cols per group.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, o: 1, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 1, ow: 1 };
 * const gw = new Float32Array(4);
 * conv2dBackwardWeight(new Float32Array([2]), new Float32Array([1, 2, 3, 4]), g, gw); // gw = [2, 4, 6, 8]
 */
export function conv2dBackwardWeight(gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray): void {
  checkConv('conv2dBackwardWeight', g, { gy, x, gw });
  const cg = g.c / g.groups, og = g.o / g.groups;
  const K = cg * g.kh * g.kw, ohw = g.oh * g.ow, P = g.n * ohw;
  if (P === 0) {
    gw.fill(0);
    return;
  }
  if (K === 0 || og === 0) return;
  if (sparserThan(gy, sparseBelow(gy, g))) {
    // gW[oc, :] = Σ over nonzero gy[b, oc, p] of gy · cols_b[p, :], summed in doubles.
    const sum = scratchFloat64(2, g.o * K);
    sum.fill(0, 0, g.o * K);
    const cols = scratchLike(x, 0, ohw * K);
    for (let b = 0; b < g.n; b++) {
      for (let grp = 0; grp < g.groups; grp++) {
        im2row(x, g, grp, b, b + 1, cols);
        for (let oc = grp * og; oc < (grp + 1) * og; oc++) {
          const gyRow = (b * g.o + oc) * ohw, wRow = oc * K;
          for (let p = 0; p < ohw; p++) {
            const v = gy[gyRow + p];
            if (v === 0) continue;
            addScaled(sum, wRow, cols, p * K, v, K);
          }
        }
      }
    }
    for (let i = 0; i < g.o * K; i++) gw[i] = sum[i];
    return;
  }
  if (conv2dBackwardWeightDirect(gy, x, g, gw)) return;
  if (conv2dBackwardWeightWasm(gy, x, g, gw, perImage(g))) return;
  if (perImage(g)) {
    const cols = scratchLike(x, 0, ohw * K);
    for (let b = 0; b < g.n; b++) {
      for (let grp = 0; grp < g.groups; grp++) {
        im2col(x, g, grp, b, cols);
        // gW_grp [og, K] (+)= gy_b[grp*og.., ohw] · colsᵀ [ohw, K], the transpose read through
        // strides: the first image overwrites, the rest add.
        gemm({
          m: og, k: ohw, n: K,
          a: gy, aOffset: (b * g.o + grp * og) * ohw, aRowStride: ohw, aColStride: 1,
          b: cols, bOffset: 0, bRowStride: 1, bColStride: ohw,
          c: gw, cOffset: grp * og * K, accumulate: b > 0,
        });
      }
    }
    return;
  }
  const chunk = imagesPerChunk(g, K);
  const cols = scratchLike(x, 0, chunk * ohw * K);
  const rows = scratchLike(x, 1, P * g.o);
  gradToRows(gy, g, rows);
  for (let grp = 0; grp < g.groups; grp++) {
    for (let b0 = 0; b0 < g.n; b0 += chunk) {
      const b1 = Math.min(g.n, b0 + chunk);
      im2row(x, g, grp, b0, b1, cols);
      // gW_grp [og, K] (+)= (G[pixels of b0..b1, grp*og : (grp+1)*og])ᵀ · cols, the transpose read
      // through strides; the first chunk overwrites, the rest add.
      gemm({
        m: og, k: (b1 - b0) * ohw, n: K,
        a: rows, aOffset: b0 * ohw * g.o + grp * og, aRowStride: 1, aColStride: g.o,
        b: cols, bOffset: 0, bRowStride: K, bColStride: 1,
        c: gw, cOffset: grp * og * K, accumulate: b0 > 0,
      });
    }
  }
}

/** Validates the geometry and the length of every buffer handed to a conv kernel. */
function checkConv(kernel: string, g: Conv2dGeometry, buffers: Partial<Record<'x' | 'w' | 'out' | 'gy' | 'gx' | 'gw', FloatArray>>): void {
  checkIntegers(kernel, { n: g.n, c: g.c, h: g.h, w: g.w, o: g.o, padH: g.padH, padW: g.padW, oh: g.oh, ow: g.ow }, 0);
  checkIntegers(kernel, { kh: g.kh, kw: g.kw, strideH: g.strideH, strideW: g.strideW, dilationH: g.dilationH, dilationW: g.dilationW, groups: g.groups }, 1);
  if (g.c % g.groups !== 0 || g.o % g.groups !== 0) {
    throw new Error(`${kernel}: groups (${g.groups}) must divide both in channels (${g.c}) and out channels (${g.o})`);
  }
  const cg = g.c / g.groups;
  const dims = `n=${g.n}, c=${g.c}, h=${g.h}, w=${g.w}, o=${g.o}, kh=${g.kh}, kw=${g.kw}, oh=${g.oh}, ow=${g.ow}, groups=${g.groups}`;
  const input = g.n * g.c * g.h * g.w, weight = g.o * cg * g.kh * g.kw, output = g.n * g.o * g.oh * g.ow;
  if (buffers.x) checkLength(kernel, 'x', buffers.x, input, `n*c*h*w (${dims})`);
  if (buffers.gx) checkLength(kernel, 'gx', buffers.gx, input, `n*c*h*w (${dims})`);
  if (buffers.w) checkLength(kernel, 'w', buffers.w, weight, `o*(c/groups)*kh*kw (${dims})`);
  if (buffers.gw) checkLength(kernel, 'gw', buffers.gw, weight, `o*(c/groups)*kh*kw (${dims})`);
  if (buffers.out) checkLength(kernel, 'out', buffers.out, output, `n*o*oh*ow (${dims})`);
  if (buffers.gy) checkLength(kernel, 'gy', buffers.gy, output, `n*o*oh*ow (${dims})`);
}
