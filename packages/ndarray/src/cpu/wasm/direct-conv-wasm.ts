/**
 * The direct convolutions of ./direct-conv-kernels.ts driven over a batch: the forward pass (with
 * an optional bias), the weight gradient and the input gradient of a convolution with few input
 * channels x taps, one group: the first layers of a small CNN, where im2col + GEMM spends its time
 * copying (the image once per tap) and packing tiny matrices.
 *
 * The operands are read where they live in wasm memory, or copied in, and the results written in
 * place or copied out (./heap-operands.ts, the only place that touches the caller's arrays); in
 * between everything is a kernel call on byte addresses.
 * A padded or strided convolution first copies the images into zero-bordered planes split by
 * column phase (one copy of the image, where im2col makes kh*kw); stride 1 without padding reads
 * the images where they are (the input gradient always sums into such planes, then copies their
 * inside out). Fewer than four output channels or rows narrower than the kernels'
 * vectors run the kernels on a block of the kernels' size (zero weights, zero gradient past the
 * edge) and cut the result to size.
 *
 * **Threads.** Shares of images (`WasmRuntime.inShares`): each image's output, its input gradient
 * or its part of the weight gradient is one kernel call, the same on any thread. The weight gradient keeps each
 * image's part apart and the calling thread adds them up in image order, so the results are the
 * same bits at any thread count.
 */
import type { Conv2dGeometry, FloatArray } from '../kernel-types.js';
import type { KernelCalls } from './call-list.js';
import { DIRECT_CHANNEL_BLOCK, DIRECT_FORWARD_LANES, DIRECT_MASK_TABLE, DIRECT_WEIGHT_TAPS } from './direct-conv-kernels.js';
import { copyOut, operandAt, resultAt } from './heap-operands.js';
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
 * Whether the direct kernels can compute this convolution and are turned on: one group, 2 to
 * {@link MAX_DIRECT_TAPS} input channels x taps, a nonempty output; any stride, padding and dilation.
 *
 * @example
 * const g = { n: 64, c: 1, h: 28, w: 28, o: 32, kh: 5, kw: 5, strideH: 1, strideW: 1, padH: 1, padW: 1,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 26, ow: 26 };
 * directConvApplies(g); // true: the study's Table 3 conv1
 */
export function directConvApplies(g: Conv2dGeometry): boolean {
  const taps = g.c * g.kh * g.kw;
  return directEnabled && g.groups === 1 && g.o >= 1 && g.oh >= 1 && g.ow >= 1 && g.n >= 1
    && taps >= DIRECT_WEIGHT_TAPS && taps <= MAX_DIRECT_TAPS;
}

/**
 * A convolution's input as the kernels read it: per channel, `phases` planes of hp x pitch floats.
 * Stride sW along x is turned into stride 1: phase plane p of a channel holds the zero-padded
 * image's columns p, p + sW, p + 2sW, ... so that output x's tap kx reads column
 * x + floor(kx*dW / sW) of phase (kx*dW) mod sW. The pitch leaves zero columns past the last one
 * the kernels' widest rows read. Stride 1, no padding and rows at least the forward kernel's width
 * read the caller's image where it is (`inPlace`).
 */
interface DirectLayout {
  hp: number;
  pitch: number;
  phases: number;
  inPlace: boolean;
  /** Floats of one image's planes (all channels and phases). */
  floats: number;
  /** Byte offset of each tap (ci, ky, kx) from an output pixel's origin. */
  taps: Int32Array;
  /** Bytes from one output row's origin to the next one's. */
  rowStep: number;
  /** The forward kernel's row width: ow, or one block of x when the rows are narrower (the rest is cut off after). */
  forwardWidth: number;
  /** The weight gradient's row width: ow, or one vector when the rows are narrower (gy is zero past ow). */
  weightWidth: number;
  /** The channel count the kernels see: o, or one block of channels (extra channels have zero weights and gradients). */
  channels: number;
}

const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The layout of g's input; `inPlaceAllowed` false for the input gradient, which writes whole vectors past each row. */
function layoutOf(g: Conv2dGeometry, inPlaceAllowed = true): DirectLayout {
  const phases = g.strideW, hp = g.h + 2 * g.padH, wp = g.w + 2 * g.padW;
  const forwardWidth = Math.max(g.ow, DIRECT_FORWARD_LANES), weightWidth = Math.max(g.ow, 4);
  const widestTap = Math.floor(((g.kw - 1) * g.dilationW) / phases);
  const inPlace = inPlaceAllowed && phases === 1 && g.padH === 0 && g.padW === 0 && g.ow >= DIRECT_FORWARD_LANES;
  // Wide enough for the forward kernel's blocks and the input gradient's whole vectors.
  const pitch = inPlace ? g.w : Math.max(Math.ceil(wp / phases), Math.max(forwardWidth, roundUp4(g.ow)) + widestTap);
  const taps = new Int32Array(g.c * g.kh * g.kw);
  let t = 0;
  for (let ci = 0; ci < g.c; ci++) {
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++) {
        const column = kx * g.dilationW, phase = column % phases;
        taps[t++] = 4 * (((ci * phases + phase) * hp + ky * g.dilationH) * pitch + Math.floor(column / phases));
      }
    }
  }
  return {
    hp, pitch, phases, inPlace, floats: g.c * phases * hp * pitch, taps, rowStep: 4 * g.strideH * pitch,
    forwardWidth, weightWidth, channels: Math.max(g.o, DIRECT_CHANNEL_BLOCK),
  };
}

/** Images per chunk: `floatsPerImage` of each in wasm memory, at most MAX_FLOATS in all (at least one image). */
function imagesPerChunk(g: Conv2dGeometry, floatsPerImage: number): number {
  return Math.max(1, Math.min(g.n, Math.floor(MAX_FLOATS / Math.max(1, floatsPerImage))));
}

/** Writes floats into wasm memory at float index `at` (the weights rearranged into blocks). */
function writeFloats(rt: WasmRuntime, values: Float32Array, at: number): void {
  rt.heap().set(values, at);
}

/** Writes int32 values into wasm memory at float index `at` (the tap and mask tables). */
function writeInts(rt: WasmRuntime, values: ArrayLike<number>, at: number): void {
  new Int32Array(rt.heap().buffer, 4 * at, values.length).set(values);
}

/**
 * Lays `images` images at imagesAt out as the kernels read them (unless they read them in place):
 * zeros (the padding and the columns past the image), then one strided copy per phase for all the
 * images' channels, into planes at planesAt, `layout.floats` per image.
 */
function layOut(calls: KernelCalls, g: Conv2dGeometry, layout: DirectLayout, images: number, imagesAt: number, planesAt: number): void {
  if (layout.inPlace) return;
  const { hp, pitch, phases } = layout;
  calls.zero(4 * planesAt, 4 * images * layout.floats);
  for (let phase = 0; phase < phases; phase++) {
    // Padded column j*phases + phase is image column j*phases + phase - padW.
    const j0 = Math.max(0, Math.ceil((g.padW - phase) / phases)), ix0 = j0 * phases + phase - g.padW;
    if (ix0 >= g.w) continue;
    calls.copy3d(
      4 * (planesAt + (phase * hp + g.padH) * pitch + j0), 4 * phases * hp * pitch, 4 * pitch, 4,
      4 * (imagesAt + ix0), 4 * g.h * g.w, 4 * g.w, 4 * phases,
      images * g.c, g.h, Math.ceil((g.w - ix0) / phases),
    );
  }
}

/**
 * The input gradient's way back from the kernels' layout (`layOut`'s adjoint, for the planes'
 * interior: what lands on the padding belongs to no input): the images' planes at planesAt into
 * `images` images at imagesAt.
 */
function layBack(calls: KernelCalls, g: Conv2dGeometry, layout: DirectLayout, images: number, planesAt: number, imagesAt: number): void {
  const { hp, pitch, phases } = layout;
  for (let phase = 0; phase < phases; phase++) {
    const j0 = Math.max(0, Math.ceil((g.padW - phase) / phases)), ix0 = j0 * phases + phase - g.padW;
    if (ix0 >= g.w) continue;
    calls.copy3d(
      4 * (imagesAt + ix0), 4 * g.h * g.w, 4 * g.w, 4 * phases,
      4 * (planesAt + (phase * hp + g.padH) * pitch + j0), 4 * phases * hp * pitch, 4 * pitch, 4,
      images * g.c, g.h, Math.ceil((g.w - ix0) / phases),
    );
  }
}

/**
 * The weights [o, K] by blocks of four channels of `channels` (o or more: the extra ones zero), as
 * the kernels read them: block b holds, for each tap, the four weights of channels
 * min(4b, channels - 4) + 0..3 (the last block overlaps the one before when channels is not a
 * multiple of 4).
 */
function weightBlocks(w: FloatArray, o: number, K: number, channels: number): Float32Array {
  const blocks = Math.ceil(channels / DIRECT_CHANNEL_BLOCK), out = new Float32Array(blocks * K * DIRECT_CHANNEL_BLOCK);
  for (let block = 0; block < blocks; block++) {
    const oc0 = Math.min(block * DIRECT_CHANNEL_BLOCK, channels - DIRECT_CHANNEL_BLOCK);
    for (let j = 0; j < DIRECT_CHANNEL_BLOCK && oc0 + j < o; j++) {
      for (let t = 0; t < K; t++) out[(block * K + t) * DIRECT_CHANNEL_BLOCK + j] = w[(oc0 + j) * K + t];
    }
  }
  return out;
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
  const layout = layoutOf(g), K = layout.taps.length, channels = layout.channels, blocks = Math.ceil(channels / DIRECT_CHANNEL_BLOCK);
  const image = g.c * g.h * g.w, outImage = g.o * g.oh * g.ow, width = layout.forwardWidth;
  // Narrow rows or fewer than four channels: the kernel writes a wider block, cut to size after.
  const staged = width !== g.ow || channels !== g.o, stage = staged ? channels * g.oh * width : 0;
  const chunk = imagesPerChunk(g, image + outImage + (layout.inPlace ? 0 : layout.floats) + stage);
  const shares = sharesFor(rt.threads(), chunk, channels * K * g.oh * width, MIN_SHARE_WORK);
  const planes = layout.inPlace ? 0 : layout.floats;
  const [tapsAt, wAt, biasAt, xAt, outAt, planesAt, stageAt] = rt.scratch([
    K, blocks * K * DIRECT_CHANNEL_BLOCK, blocks * DIRECT_CHANNEL_BLOCK, chunk * image, chunk * outImage, chunk * planes, chunk * stage,
  ]);
  // The weights and the bias (a weight of a one-tap conv) by blocks of four channels, the kernel's layout.
  writeInts(rt, layout.taps, tapsAt);
  writeFloats(rt, weightBlocks(w, g.o, K, channels), wAt);
  writeFloats(rt, weightBlocks(bias ?? new Float32Array(g.o), g.o, 1, channels), biasAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const xIn = operandAt(rt, x, b0 * image, images * image, xAt), outIn = resultAt(rt, out, b0 * outImage, outAt);
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (i1 <= i0) return;
      layOut(calls, g, layout, i1 - i0, xIn + i0 * image, planesAt + i0 * planes);
      for (let b = i0; b < i1; b++) {
        const at = layout.inPlace ? xIn + b * image : planesAt + b * planes;
        if (staged) calls.directConvForward(4 * at, 4 * tapsAt, K, 4 * wAt, 4 * biasAt, 4 * (stageAt + b * stage), channels, g.oh, width, layout.rowStep, 4 * width, 4 * g.oh * width);
        else calls.directConvForward(4 * at, 4 * tapsAt, K, 4 * wAt, 4 * biasAt, 4 * (outIn + b * outImage), channels, g.oh, width, layout.rowStep, 4 * g.ow, 4 * g.oh * g.ow);
      }
      // The staged blocks cut to size: per image, the first o planes' first ow columns.
      if (staged) calls.copy3d(4 * (outIn + i0 * outImage), 4 * outImage, 4 * g.ow, 4, 4 * (stageAt + i0 * stage), 4 * stage, 4 * width, 4, i1 - i0, g.o * g.oh, g.ow);
    });
    copyOut(rt, out, b0 * outImage, images * outImage, outIn, outAt);
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
  const layout = layoutOf(g), K = layout.taps.length, channels = layout.channels, width = layout.weightWidth;
  const image = g.c * g.h * g.w, outImage = g.o * g.oh * g.ow, product = channels * K;
  // Rows narrower than a vector or fewer than four channels: gy is copied into zeros of the kernel's size.
  const staged = width !== g.ow || channels !== g.o, stage = staged ? channels * g.oh * width : 0;
  const chunk = imagesPerChunk(g, image + outImage + product + (layout.inPlace ? 0 : layout.floats) + stage);
  const shares = sharesFor(rt.threads(), chunk, channels * K * g.oh * width, MIN_SHARE_WORK);
  const planes = layout.inPlace ? 0 : layout.floats;
  const [tapsAt, maskAt, xAt, gyAt, productsAt, totalAt, planesAt, stageAt] = rt.scratch([
    K, DIRECT_MASK_TABLE.length, chunk * image, chunk * outImage, chunk * product, product, chunk * planes, chunk * stage,
  ]);
  writeInts(rt, layout.taps, tapsAt);
  writeInts(rt, DIRECT_MASK_TABLE, maskAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const xIn = operandAt(rt, x, b0 * image, images * image, xAt), gyIn = operandAt(rt, gy, b0 * outImage, images * outImage, gyAt);
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (i1 <= i0) return;
      layOut(calls, g, layout, i1 - i0, xIn + i0 * image, planesAt + i0 * planes);
      if (staged) { // each image's gy into zeros of the kernel's size
        calls.zero(4 * (stageAt + i0 * stage), 4 * (i1 - i0) * stage);
        calls.copy3d(4 * (stageAt + i0 * stage), 4 * stage, 4 * width, 4, 4 * (gyIn + i0 * outImage), 4 * outImage, 4 * g.ow, 4, i1 - i0, g.o * g.oh, g.ow);
      }
      for (let b = i0; b < i1; b++) {
        const at = 4 * (layout.inPlace ? xIn + b * image : planesAt + b * planes), productAt = 4 * (productsAt + b * product);
        if (staged) calls.directConvWeight(at, 4 * tapsAt, K, 4 * (stageAt + b * stage), productAt, channels, g.oh, width, layout.rowStep, 4 * maskAt, 4 * width, 4 * g.oh * width);
        else calls.directConvWeight(at, 4 * tapsAt, K, 4 * (gyIn + b * outImage), productAt, channels, g.oh, width, layout.rowStep, 4 * maskAt, 4 * g.ow, 4 * g.oh * g.ow);
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
  // The first o rows of the product [channels, K] (the extra channels' are zero), into gw.
  const gwIn = resultAt(rt, gw, 0, totalAt);
  if (gwIn !== totalAt) rt.copy3d(4 * gwIn, 0, 0, 4, 4 * totalAt, 0, 0, 4, 1, 1, g.o * K);
  copyOut(rt, gw, 0, g.o * K, gwIn, totalAt);
  return true;
}

/**
 * The input gradient through the direct kernel: gx [n, c, h, w] = Σ over output pixels and taps of
 * gy · the weight, added where each tap read, float32 (the adjoint of the forward pass). gy is
 * copied into zeros of the kernel's size (channels a multiple of 4, rows a multiple of 4 wide), each
 * image's gradient is summed in the forward pass's layout and copied back out of it. Returns false,
 * doing nothing, where it does not apply (as {@link conv2dForwardDirect}).
 *
 * @example
 * const g = { n: 1, c: 1, h: 3, w: 10, o: 4, kh: 2, kw: 2, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 9 };
 * const w = new Float32Array(16).fill(1), gy = new Float32Array(72).fill(1), gx = new Float32Array(30);
 * conv2dBackwardInputDirect(gy, w, g, gx); // true; gx[0] = 4 (one tap of 4 channels), gx[11] = 16 (four taps)
 */
export function conv2dBackwardInputDirect(gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray, rt: WasmRuntime | null = wasmRuntime()): boolean {
  if (rt === null || !directConvApplies(g) || !(gy instanceof Float32Array && w instanceof Float32Array && gx instanceof Float32Array)) return false;
  const layout = layoutOf(g, false), K = layout.taps.length, channels = roundUp4(g.o), width = roundUp4(g.ow);
  const image = g.c * g.h * g.w, outImage = g.o * g.oh * g.ow, planes = layout.floats, stage = channels * g.oh * width;
  const chunk = imagesPerChunk(g, image + outImage + planes + stage);
  const shares = sharesFor(rt.threads(), chunk, channels * K * g.oh * width, MIN_SHARE_WORK);
  const [tapsAt, maskAt, wAt, gyAt, gxAt, planesAt, stageAt] = rt.scratch([
    K, DIRECT_MASK_TABLE.length, (channels / DIRECT_CHANNEL_BLOCK) * K * DIRECT_CHANNEL_BLOCK, chunk * outImage, chunk * image, chunk * planes, chunk * stage,
  ]);
  writeInts(rt, layout.taps, tapsAt);
  writeInts(rt, DIRECT_MASK_TABLE, maskAt);
  writeFloats(rt, weightBlocks(w, g.o, K, channels), wAt);
  for (let b0 = 0; b0 < g.n; b0 += chunk) {
    const images = Math.min(chunk, g.n - b0);
    const gyIn = operandAt(rt, gy, b0 * outImage, images * outImage, gyAt), gxIn = resultAt(rt, gx, b0 * image, gxAt);
    rt.inShares(shares, (calls, share) => {
      const [i0, i1] = shareRange(images, shares, share);
      if (i1 <= i0) return;
      calls.zero(4 * (planesAt + i0 * planes), 4 * (i1 - i0) * planes);
      calls.zero(4 * (stageAt + i0 * stage), 4 * (i1 - i0) * stage);
      calls.copy3d(4 * (stageAt + i0 * stage), 4 * stage, 4 * width, 4, 4 * (gyIn + i0 * outImage), 4 * outImage, 4 * g.ow, 4, i1 - i0, g.o * g.oh, g.ow);
      for (let b = i0; b < i1; b++) {
        calls.directConvInput(4 * (planesAt + b * planes), 4 * tapsAt, K, 4 * wAt, 4 * (stageAt + b * stage), channels, g.oh, g.ow, layout.rowStep, 4 * width, 4 * g.oh * width, 4 * maskAt);
      }
      layBack(calls, g, layout, i1 - i0, planesAt + i0 * planes, gxIn + i0 * image);
    });
    copyOut(rt, gx, b0 * image, images * image, gxIn, gxAt);
  }
  return true;
}
