/**
 * The direct convolutions of ./direct-conv-kernels.ts driven over a batch: the forward pass (with
 * an optional bias) and the weight gradient of a convolution with few input channels x taps, stride
 * 1 along x, one group: the first layer of a CNN, where im2col + GEMM spends its time copying
 * (the image once per tap) and packing tiny matrices.
 *
 * The operands are copied into wasm memory and the result out (`copyIn` / `copyOut`, the only
 * places that touch the caller's arrays); in between everything is a kernel call on byte addresses.
 * A padded convolution first copies each image into a zero-bordered plane (one copy of the image,
 * where im2col makes kh*kw); an unpadded one reads the image where it is.
 *
 * **Threads.** Shares of images (`WasmRuntime.inShares`): each image's output, or its part of the
 * weight gradient, is one kernel call, the same on any thread. The weight gradient keeps each
 * image's part apart and the calling thread adds them up in image order, so the results are the
 * same bits at any thread count.
 */
import type { Conv2dGeometry, FloatArray } from '../kernel-types.js';
import type { KernelCalls } from './call-list.js';
import { DIRECT_CHANNEL_BLOCK, DIRECT_FORWARD_LANES, DIRECT_MASK_TABLE, DIRECT_WEIGHT_TAPS } from './direct-conv-kernels.js';
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { shareRange, sharesFor } from './threads.js';

/**
 * The most input channels x taps the direct path takes. Each tap costs the forward kernel seven
 * loads per 32 multiply-adds (the GEMM's micro-kernel: six), so the direct path does not win on
 * arithmetic; it wins by skipping im2col, whose cost grows with the taps as the product's does.
 * The study's first layers have 9 and 25; measured faster than im2col + GEMM there (see
 * {@link directConvApplies}).
 */
export const MAX_DIRECT_TAPS = 64;

/** Images per chunk hold at most this many floats in wasm memory (16 MB), as the im2col paths. */
const MAX_FLOATS = 1 << 22;

/** The least work a thread's share is given, in multiply-adds (~2 MFLOP), as in ./conv2d-wasm.ts. */
const MIN_SHARE_WORK = 1 << 20;

let directEnabled = true;

/**
 * Turns the direct convolutions on or off (on by default); off, the convolutions they would take
 * run through im2col + GEMM. For benchmarks and tests that compare the two.
 *
 * @example
 * setDirectConv(false); // conv1 now runs im2col + GEMM
 * setDirectConv(true);
 */
export function setDirectConv(enabled: boolean): void {
  directEnabled = enabled;
}

/**
 * Whether the direct kernels can compute this convolution and are turned on: one group, stride 1
 * along x, at least 4 output channels (a block of them), output rows at least 8 wide (one block of
 * x), 2 to {@link MAX_DIRECT_TAPS} input channels x taps.
 *
 * @example
 * const g = { n: 64, c: 1, h: 28, w: 28, o: 32, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 26, ow: 26 };
 * directConvApplies(g); // true: the study's Table 3 conv1
 */
export function directConvApplies(g: Conv2dGeometry): boolean {
  const taps = g.c * g.kh * g.kw;
  return directEnabled && g.groups === 1 && g.strideW === 1 && g.o >= DIRECT_CHANNEL_BLOCK && g.ow >= DIRECT_FORWARD_LANES
    && g.oh >= 1 && g.n >= 1 && taps >= DIRECT_WEIGHT_TAPS && taps <= MAX_DIRECT_TAPS;
}

/** A convolution's layout in wasm memory: the padded plane, the tap table, the row step. */
interface DirectLayout {
  /** Height and width of an image plane after zero padding. */
  hp: number;
  wp: number;
  padded: boolean;
  /** Byte offset of each tap (ci, ky, kx) from an output pixel's origin in the padded image. */
  taps: Int32Array;
  /** Bytes from one output row's origin to the next one's. */
  rowStep: number;
}

function layoutOf(g: Conv2dGeometry): DirectLayout {
  const hp = g.h + 2 * g.padH, wp = g.w + 2 * g.padW;
  const taps = new Int32Array(g.c * g.kh * g.kw);
  let t = 0;
  for (let ci = 0; ci < g.c; ci++) {
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++) taps[t++] = 4 * (ci * hp * wp + ky * g.dilationH * wp + kx * g.dilationW);
    }
  }
  return { hp, wp, padded: g.padH > 0 || g.padW > 0, taps, rowStep: 4 * g.strideH * wp };
}

/** Images per chunk: `floatsPerImage` of each in wasm memory, at most MAX_FLOATS in all (at least one image). */
function imagesPerChunk(g: Conv2dGeometry, floatsPerImage: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(MAX_FLOATS / Math.max(1, floatsPerImage))));
}

/** Copies `from` into wasm memory at float index `at`. */
function copyIn(rt: WasmRuntime, from: FloatArray, at: number): void {
  rt.heap().set(from, at);
}

/** Copies `length` floats at float index `at` of wasm memory into `to` from index `toAt`. */
function copyOut(rt: WasmRuntime, at: number, length: number, to: FloatArray, toAt: number): void {
  to.set(rt.heap().subarray(at, at + length), toAt);
}

/** Writes int32 values into wasm memory at float index `at` (the tap and mask tables). */
function writeInts(rt: WasmRuntime, values: ArrayLike<number>, at: number): void {
  new Int32Array(rt.heap().buffer, 4 * at, values.length).set(values);
}

/**
 * The byte address of image `b`'s planes as the kernels read them: the image itself, or its copy
 * into the share's zero-bordered planes at paddedAt (whose border was zeroed before the first image).
 */
function imageFor(calls: KernelCalls, g: Conv2dGeometry, layout: DirectLayout, imageAt: number, paddedAt: number): number {
  if (!layout.padded) return 4 * imageAt;
  const { hp, wp } = layout;
  calls.copy3d(4 * (paddedAt + g.padH * wp + g.padW), 4 * hp * wp, 4 * wp, 4, 4 * imageAt, 4 * g.h * g.w, 4 * g.w, 4, g.c, g.h, g.w);
  return 4 * paddedAt;
}

/**
 * The forward pass through the direct kernel: out [n, o, oh, ow] = conv(x, w) + bias (bias [o] or
 * null), float32. Returns false, doing nothing, where it does not apply (see
 * {@link directConvApplies}; not float32; no WebAssembly SIMD) and the caller runs another kernel.
 * `rt` is the runtime to run on (the default one; tests pass others to compare FMA settings).
 *
 * @example
 * const g = { n: 1, c: 1, h: 3, w: 10, o: 4, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 9 };
 * const x = new Float32Array(30).fill(1), w = new Float32Array(16).fill(0.5), out = new Float32Array(72);
 * conv2dForwardDirect(x, w, new Float32Array([0, 1, 2, 3]), g, out); // true; out[0] = 2, out[71] = 5
 */
export function conv2dForwardDirect(
  x: FloatArray, w: FloatArray, bias: FloatArray | null, g: Conv2dGeometry, out: FloatArray, rt: WasmRuntime | null = wasmRuntime(),
): boolean {
  if (rt === null || !directConvApplies(g) || !(x instanceof Float32Array && w instanceof Float32Array && out instanceof Float32Array)) return false;
  if (bias !== null && !(bias instanceof Float32Array)) return false;
  const layout = layoutOf(g), K = layout.taps.length, blocks = Math.ceil(g.o / DIRECT_CHANNEL_BLOCK);
  const image = g.c * g.h * g.w, outImage = g.o * g.oh * g.ow, padded = layout.padded ? g.c * layout.hp * layout.wp : 0;
  const chunk = imagesPerChunk(g, image + outImage);
  const shares = sharesFor(rt.threads(), chunk, g.o * K * g.oh * g.ow, MIN_SHARE_WORK);
  const starts = rt.scratch([K, blocks * K * DIRECT_CHANNEL_BLOCK, blocks * DIRECT_CHANNEL_BLOCK, chunk * image, chunk * outImage, ...new Array<number>(shares).fill(padded)]);
  const [tapsAt, wAt, biasAt, xAt, outAt] = starts, paddedAt = starts.slice(5);
  // The weights and bias by blocks of four channels, the last block overlapping (the kernel's layout).
  const wBlocks = new Float32Array(blocks * K * DIRECT_CHANNEL_BLOCK), biasBlocks = new Float32Array(blocks * DIRECT_CHANNEL_BLOCK);
  for (let block = 0; block < blocks; block++) {
    const oc0 = Math.min(block * DIRECT_CHANNEL_BLOCK, g.o - DIRECT_CHANNEL_BLOCK);
    for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
      biasBlocks[block * DIRECT_CHANNEL_BLOCK + j] = bias === null ? 0 : bias[oc0 + j];
      for (let t = 0; t < K; t++) wBlocks[(block * K + t) * DIRECT_CHANNEL_BLOCK + j] = w[(oc0 + j) * K + t];
    }
  }
  writeInts(rt, layout.taps, tapsAt);
  copyIn(rt, wBlocks, wAt);
  copyIn(rt, biasBlocks, biasAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    copyIn(rt, x.subarray(b0 * image, (b0 + images) * image), xAt);
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (layout.padded && i1 > i0) calls.zero(4 * paddedAt[share], 4 * padded);
      for (let b = i0; b < i1; b++) {
        const at = imageFor(calls, g, layout, xAt + b * image, paddedAt[share]);
        calls.directConvForward(at, 4 * tapsAt, K, 4 * wAt, 4 * biasAt, 4 * (outAt + b * outImage), g.o, g.oh, g.ow, layout.rowStep);
      }
    });
    copyOut(rt, outAt, images * outImage, out, b0 * outImage);
  }
  return true;
}

/**
 * The weight gradient through the direct kernel: gw [o, c, kh, kw] = Σ over images and output
 * pixels of gy · the input each tap read, float32; each image's part summed lane-wise in the
 * kernel, the parts added in image order. Returns false, doing nothing, where it does not apply
 * (as {@link conv2dForwardDirect}).
 *
 * @example
 * const g = { n: 1, c: 1, h: 3, w: 10, o: 4, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 9 };
 * const x = new Float32Array(30).fill(1), gy = new Float32Array(72).fill(1), gw = new Float32Array(16);
 * conv2dBackwardWeightDirect(gy, x, g, gw); // true; every gw element is 18 (the 2 x 9 output pixels)
 */
export function conv2dBackwardWeightDirect(gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray, rt: WasmRuntime | null = wasmRuntime()): boolean {
  if (rt === null || !directConvApplies(g) || !(gy instanceof Float32Array && x instanceof Float32Array && gw instanceof Float32Array)) return false;
  const layout = layoutOf(g), K = layout.taps.length;
  const image = g.c * g.h * g.w, outImage = g.o * g.oh * g.ow, product = g.o * K, padded = layout.padded ? g.c * layout.hp * layout.wp : 0;
  const chunk = imagesPerChunk(g, image + outImage + product);
  const shares = sharesFor(rt.threads(), chunk, g.o * K * g.oh * g.ow, MIN_SHARE_WORK);
  const starts = rt.scratch([K, DIRECT_MASK_TABLE.length, chunk * image, chunk * outImage, chunk * product, product, ...new Array<number>(shares).fill(padded)]);
  const [tapsAt, maskAt, xAt, gyAt, productsAt, totalAt] = starts, paddedAt = starts.slice(6);
  writeInts(rt, layout.taps, tapsAt);
  writeInts(rt, DIRECT_MASK_TABLE, maskAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    copyIn(rt, x.subarray(b0 * image, (b0 + images) * image), xAt);
    copyIn(rt, gy.subarray(b0 * outImage, (b0 + images) * outImage), gyAt);
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (layout.padded && i1 > i0) calls.zero(4 * paddedAt[share], 4 * padded);
      for (let b = i0; b < i1; b++) {
        const at = imageFor(calls, g, layout, xAt + b * image, paddedAt[share]);
        calls.directConvWeight(at, 4 * tapsAt, K, 4 * (gyAt + b * outImage), 4 * (productsAt + b * product), g.o, g.oh, g.ow, layout.rowStep, 4 * maskAt);
      }
    });
    // The sum over images in image order whatever the thread count: the first image's part is the
    // total, each next one is added to it.
    for (let b = 0; b < images; b++) {
      const from = 4 * (productsAt + b * product), to = 4 * totalAt;
      if (b0 + b === 0) rt.copy3d(to, 0, 0, 4, from, 0, 0, 4, 1, 1, product);
      else rt.addInto3d(to, 0, 0, 4, from, 0, 0, 4, 1, 1, product);
    }
  }
  copyOut(rt, totalAt, product, gw, 0);
  return true;
}
