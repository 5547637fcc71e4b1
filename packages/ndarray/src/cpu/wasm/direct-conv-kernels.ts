/**
 * Emits the direct convolutions: the forward pass, the weight gradient and the input gradient of a convolution with
 * few input channels and taps (a first layer: one channel, 9 or 25 taps), computed straight from
 * the image, with no column matrix. im2col copies the image once per tap (25 copies for a 5 x 5
 * kernel) and then multiplies small matrices whose packing costs as much as the product; here
 * each tap reads the image where it lies.
 *
 * Both kernels work on one image laid out by the caller (./direct-conv-wasm.ts) so that consecutive
 * output x read consecutive input floats: zero-padded planes, split by column phase when the
 * stride along x is not 1. Tap t = (ci, ky, kx) reads the input at a fixed byte offset from the
 * output pixel's origin, `taps[t]`, from a table the caller fills (for stride 1 and no padding,
 * `4 * (ci*h*w + ky*dilationH*w + kx*dilationW)`), so channels, dilation, padding and strides cost
 * the kernels nothing. Output row y starts `rowStep` bytes further down the image than row y - 1.
 *
 * - Forward: out[oc, y, x] = bias[oc] + Σ_t w[oc, t] · image[origin(y, x) + taps[t]], vectorised
 *   over 8 consecutive output x (two v128) and blocked by 4 output channels: per tap, two unaligned
 *   loads of the image row, four weight splats and eight multiply-adds into eight accumulators.
 *   Sums run over t in order, one accumulator per output element.
 * - Weight gradient: out[oc, t] = Σ_{y, x} gy[oc, y, x] · image[origin(y, x) + taps[t]], blocked by
 *   4 output channels and 2 taps: per four output x, two loads of the image, four of gy and eight
 *   multiply-adds into eight accumulators that sum lane-wise over the image; their four lanes are
 *   added up at the end, (l0 + l1) + (l2 + l3).
 *
 * Edges without branches: a row whose width is not a multiple of the vector width ends with a
 * vector that overlaps the previous one. The forward pass computes those outputs again (the same
 * operations, so the same bits) and stores them again; the weight gradient must not count them
 * twice, so that last vector of gy and of the image is masked (`v128.and` with a vector from a
 * table of four zero and four all-ones lanes; both, so that an infinity there adds 0, not NaN). Output channels and taps are blocked the same way: the last block
 * starts at `channels - 4` (`tapCount - 2`) and overlaps the one before. Hence the requirements:
 * channels >= 4, forward ow >= 8, weight gradient ow >= 4 and tapCount >= 2.
 *
 * All addresses and strides are bytes in the module's memory. With `fma` the multiply-adds are
 * relaxed SIMD's `f32x4.relaxed_madd`; otherwise a multiply then an add.
 */
import { FunctionBody, valueType } from './assembler.js';

/** Output channels per block: each kernel keeps four channels' accumulators in registers. */
export const DIRECT_CHANNEL_BLOCK = 4;
/** Output x positions the forward pass computes at once (two v128 per channel). */
export const DIRECT_FORWARD_LANES = 8;
/** Taps the weight gradient accumulates at once. */
export const DIRECT_WEIGHT_TAPS = 2;
/**
 * The mask table (as int32): four zero lanes, four all-ones lanes, four zero lanes. Four lanes from
 * entry r keep lanes r.. (the weight gradient's overlap); from entry 8 - r, lanes ..r-1 (the input
 * gradient's partial vector).
 */
export const DIRECT_MASK_TABLE: readonly number[] = [0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0];

const i32 = valueType.i32, v128 = valueType.v128;

/** acc = a * b + acc with `a` on the stack, fused or not; leaves nothing on the stack. */
function multiplyAdd(f: FunctionBody, fma: boolean, b: number, accumulator: number): void {
  if (fma) f.localGet(b).localGet(accumulator).f32x4RelaxedMadd();
  else f.localGet(b).f32x4Mul().localGet(accumulator).f32x4Add();
  f.localSet(accumulator);
}

/** Pushes min(a, b) of two i32 locals (unsigned: both are counts). */
function minimum(f: FunctionBody, a: number, b: number): void {
  f.localGet(a).localGet(b).localGet(a).localGet(b).i32LtU().select();
}

/**
 * The function `directConvForward(x, taps, tapCount, w, bias, out, channels, oh, ow, rowStep,
 * outRowStep, outPlane)`, all i32, addresses in bytes: one image at x, the tap table at taps
 * (tapCount i32 byte offsets), the weights by blocks of four channels (block b holds, for t <
 * tapCount, the four weights of channels min(4b, channels - 4) + 0..3 at tap t), the bias by the
 * same blocks (four floats each), the output [channels, oh, ow] at out with rows outRowStep and
 * planes outPlane bytes apart.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'directConvForward', body: emitDirectConvForward(false) }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitDirectConvForward(fma: boolean): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [x, taps, tapCount, w, bias, out, channels, oh, ow, rowStep, outRowStep, plane] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const tapsEnd = f.local(i32), lastBlock = f.local(i32), lastX = f.local(i32);
  const block = f.local(i32), wBlock = f.local(i32), biasBlock = f.local(i32);
  const xRow = f.local(i32), outRow = f.local(i32), y = f.local(i32), xb = f.local(i32), xs = f.local(i32);
  const base = f.local(i32), tp = f.local(i32), wp = f.local(i32), at = f.local(i32);
  const acc = Array.from({ length: 2 * DIRECT_CHANNEL_BLOCK }, () => f.local(v128)); // acc[2j + v]: channel j, x 4v..4v+3
  const in0 = f.local(v128), in1 = f.local(v128), weight = f.local(v128);

  f.localGet(taps).localGet(tapCount).i32Const(4).i32Mul().i32Add().localSet(tapsEnd);
  f.localGet(channels).i32Const(DIRECT_CHANNEL_BLOCK).i32Sub().localSet(lastBlock);
  f.localGet(ow).i32Const(DIRECT_FORWARD_LANES).i32Sub().localSet(lastX);
  f.i32Const(0).localSet(block);
  f.localGet(w).localSet(wBlock);
  f.localGet(bias).localSet(biasBlock);
  f.loop(() => { // over blocks of four output channels
    f.localGet(x).localSet(xRow);
    minimum(f, block, lastBlock);
    f.localGet(plane).i32Mul().localGet(out).i32Add().localSet(outRow);
    f.i32Const(0).localSet(y);
    f.loop(() => { // over output rows
      f.i32Const(0).localSet(xb);
      f.loop(() => { // over blocks of eight output x; the last one ends at ow
        minimum(f, xb, lastX);
        f.localSet(xs);
        for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
          f.localGet(biasBlock).v128Load32Splat(4 * j).localTee(acc[2 * j]).localSet(acc[2 * j + 1]);
        }
        f.localGet(taps).localSet(tp);
        f.localGet(wBlock).localSet(wp);
        f.localGet(xRow).localGet(xs).i32Const(4).i32Mul().i32Add().localSet(base);
        f.loop(() => { // over taps
          f.localGet(base).localGet(tp).i32Load(0).i32Add().localTee(at).v128Load(0).localSet(in0);
          f.localGet(at).v128Load(16).localSet(in1);
          for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
            f.localGet(wp).v128Load32Splat(4 * j).localTee(weight);
            multiplyAdd(f, fma, in0, acc[2 * j]);
            f.localGet(weight);
            multiplyAdd(f, fma, in1, acc[2 * j + 1]);
          }
          f.localGet(wp).i32Const(4 * DIRECT_CHANNEL_BLOCK).i32Add().localSet(wp);
          f.localGet(tp).i32Const(4).i32Add().localTee(tp);
          f.localGet(tapsEnd).i32LtU().brIf(0);
        });
        // Channel j's row starts j planes after channel 0's.
        f.localGet(outRow).localGet(xs).i32Const(4).i32Mul().i32Add().localSet(at);
        for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
          if (j > 0) f.localGet(at).localGet(plane).i32Add().localSet(at);
          f.localGet(at).localGet(acc[2 * j]).v128Store(0);
          f.localGet(at).localGet(acc[2 * j + 1]).v128Store(16);
        }
        f.localGet(xb).i32Const(DIRECT_FORWARD_LANES).i32Add().localTee(xb);
        f.localGet(ow).i32LtU().brIf(0);
      });
      f.localGet(xRow).localGet(rowStep).i32Add().localSet(xRow);
      f.localGet(outRow).localGet(outRowStep).i32Add().localSet(outRow);
      f.localGet(y).i32Const(1).i32Add().localTee(y);
      f.localGet(oh).i32LtU().brIf(0);
    });
    f.localGet(wBlock).localGet(tapCount).i32Const(4 * DIRECT_CHANNEL_BLOCK).i32Mul().i32Add().localSet(wBlock);
    f.localGet(biasBlock).i32Const(4 * DIRECT_CHANNEL_BLOCK).i32Add().localSet(biasBlock);
    f.localGet(block).i32Const(DIRECT_CHANNEL_BLOCK).i32Add().localTee(block);
    f.localGet(channels).i32LtU().brIf(0);
  });
  return f;
}

/**
 * The function `directConvWeight(x, taps, tapCount, gy, out, channels, oh, ow, rowStep, mask, gyRowStep,
 * gyPlane)`, all i32, addresses in bytes: one image at x and its tap table as for the forward pass,
 * its gradient gy [channels, oh, ow] with rows gyRowStep and planes gyPlane bytes apart, the product
 * out [channels, tapCount] (overwritten), the mask table ({@link DIRECT_MASK_TABLE}) at mask.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'directConvWeight', body: emitDirectConvWeight(false) }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitDirectConvWeight(fma: boolean): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [x, taps, tapCount, gy, out, channels, oh, ow, rowStep, mask, gyRowStep, plane] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const plane2 = f.local(i32), plane3 = f.local(i32), fullBytes = f.local(i32), tail = f.local(i32);
  const lastBlock = f.local(i32), lastTap = f.local(i32), block = f.local(i32), gyBlock = f.local(i32), outBlock = f.local(i32);
  const tb = f.local(i32), t0 = f.local(i32), off0 = f.local(i32), off1 = f.local(i32);
  const xRow = f.local(i32), gyRow = f.local(i32), y = f.local(i32), xp = f.local(i32), gp = f.local(i32), gpEnd = f.local(i32), at = f.local(i32);
  const acc = Array.from({ length: DIRECT_CHANNEL_BLOCK * DIRECT_WEIGHT_TAPS }, () => f.local(v128)); // acc[2j + t]
  const in0 = f.local(v128), in1 = f.local(v128), g = f.local(v128), maskVector = f.local(v128);

  /** Four output x at gp (gradient) and xp (image): eight multiply-adds, gy and the image masked on the row's overlapping last vector. */
  const step = (masked: boolean): void => {
    // Masked, both factors: 0 · inf would be NaN, 0 · 0 is 0.
    f.localGet(xp).localGet(off0).i32Add().v128Load(0);
    if (masked) f.localGet(maskVector).v128And();
    f.localSet(in0);
    f.localGet(xp).localGet(off1).i32Add().v128Load(0);
    if (masked) f.localGet(maskVector).v128And();
    f.localSet(in1);
    const planes = [null, plane, plane2, plane3];
    for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
      f.localGet(gp);
      const offset = planes[j];
      if (offset !== null) f.localGet(offset).i32Add();
      f.v128Load(0);
      if (masked) f.localGet(maskVector).v128And();
      f.localTee(g);
      multiplyAdd(f, fma, in0, acc[2 * j]);
      f.localGet(g);
      multiplyAdd(f, fma, in1, acc[2 * j + 1]);
    }
  };

  f.localGet(plane).i32Const(2).i32Mul().localSet(plane2);
  f.localGet(plane).i32Const(3).i32Mul().localSet(plane3);
  f.localGet(ow).i32Const(-4).i32And().i32Const(4).i32Mul().localSet(fullBytes);
  f.localGet(ow).i32Const(3).i32And().localSet(tail);
  // Lane i of the last vector overlaps the one before when i < 4 - tail: those lanes load zeros.
  f.localGet(mask).localGet(tail).i32Const(4).i32Mul().i32Add().v128Load(0).localSet(maskVector);
  f.localGet(channels).i32Const(DIRECT_CHANNEL_BLOCK).i32Sub().localSet(lastBlock);
  f.localGet(tapCount).i32Const(DIRECT_WEIGHT_TAPS).i32Sub().localSet(lastTap);
  f.i32Const(0).localSet(block);
  f.loop(() => { // over blocks of four output channels
    minimum(f, block, lastBlock);
    f.localTee(at).localGet(plane).i32Mul().localGet(gy).i32Add().localSet(gyBlock);
    f.localGet(at).localGet(tapCount).i32Mul().i32Const(4).i32Mul().localGet(out).i32Add().localSet(outBlock);
    f.i32Const(0).localSet(tb);
    f.loop(() => { // over pairs of taps
      minimum(f, tb, lastTap);
      f.localTee(t0).i32Const(4).i32Mul().localGet(taps).i32Add().localTee(at).i32Load(0).localSet(off0);
      f.localGet(at).i32Load(4).localSet(off1);
      for (const a of acc) f.v128Zero().localSet(a);
      f.localGet(x).localSet(xRow);
      f.localGet(gyBlock).localSet(gyRow);
      f.i32Const(0).localSet(y);
      f.loop(() => { // over output rows
        f.localGet(xRow).localSet(xp);
        f.localGet(gyRow).localTee(gp).localGet(fullBytes).i32Add().localSet(gpEnd);
        f.loop(() => { // over the row's whole vectors (ow >= 4: at least one)
          step(false);
          f.localGet(xp).i32Const(16).i32Add().localSet(xp);
          f.localGet(gp).i32Const(16).i32Add().localTee(gp);
          f.localGet(gpEnd).i32LtU().brIf(0);
        });
        f.localGet(tail).ifElse(() => { // the last four x of the row, the overlap masked
          f.localGet(xp).i32Const(-16).i32Add().localGet(tail).i32Const(4).i32Mul().i32Add().localSet(xp);
          f.localGet(gp).i32Const(-16).i32Add().localGet(tail).i32Const(4).i32Mul().i32Add().localSet(gp);
          step(true);
        });
        f.localGet(xRow).localGet(rowStep).i32Add().localSet(xRow);
        f.localGet(gyRow).localGet(gyRowStep).i32Add().localSet(gyRow);
        f.localGet(y).i32Const(1).i32Add().localTee(y);
        f.localGet(oh).i32LtU().brIf(0);
      });
      // Each accumulator's lanes summed: (l0 + l1) + (l2 + l3), into out[oc0 + j, t0 + t].
      f.localGet(outBlock).localGet(t0).i32Const(4).i32Mul().i32Add().localSet(at);
      for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
        if (j > 0) f.localGet(at).localGet(tapCount).i32Const(4).i32Mul().i32Add().localSet(at);
        for (let t = 0; t < DIRECT_WEIGHT_TAPS; t++) {
          const a = acc[2 * j + t];
          f.localGet(at);
          f.localGet(a).f32x4ExtractLane(0).localGet(a).f32x4ExtractLane(1).f32Add();
          f.localGet(a).f32x4ExtractLane(2).localGet(a).f32x4ExtractLane(3).f32Add();
          f.f32Add().f32Store(4 * t);
        }
      }
      f.localGet(tb).i32Const(DIRECT_WEIGHT_TAPS).i32Add().localTee(tb);
      f.localGet(tapCount).i32LtU().brIf(0);
    });
    f.localGet(block).i32Const(DIRECT_CHANNEL_BLOCK).i32Add().localTee(block);
    f.localGet(channels).i32LtU().brIf(0);
  });
  return f;
}

/**
 * The function `directConvInput(gx, taps, tapCount, w, gy, channels, oh, ow, rowStep, gyRowStep, gyPlane, mask)`,
 * all i32, addresses in bytes: the input gradient of one image, the adjoint of the forward pass.
 * For each tap t, output row y and four output x: gx[origin + taps[t]] += Σ_oc w[oc, t] · gy[oc, y, x..x+3],
 * into gx laid out as the forward pass's input (zeroed by the caller, with room for whole vectors
 * past each row). The channels come in blocks of four with no overlap (channels a multiple of 4,
 * extra ones with zero weights), the weights as for the forward pass, gy [channels, oh, ow] with
 * rows gyRowStep and planes gyPlane bytes apart, readable up to the next multiple of 4 past ow. A
 * row's last, partial vector adds only its lanes below ow (the sum masked with the table's
 * four all-ones then four zero lanes, at mask + 16). Per four x: four loads of gy, four
 * multiply-adds with the tap's four weights (in registers for the whole image) and one
 * load-add-store of gx. The adds into each gx element come in a fixed order (tap, block, row, x).
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'directConvInput', body: emitDirectConvInput(false) }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitDirectConvInput(fma: boolean): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [gx, taps, tapCount, w, gy, channels, oh, ow, rowStep, gyRowStep, plane, mask] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const tp = f.local(i32), tapsEnd = f.local(i32), off = f.local(i32), block = f.local(i32), wp = f.local(i32), gyBlock = f.local(i32);
  const gxRow = f.local(i32), gyRow = f.local(i32), y = f.local(i32), xb = f.local(i32), at = f.local(i32), gp = f.local(i32);
  const fullBytes = f.local(i32), tail = f.local(i32);
  const weights = Array.from({ length: DIRECT_CHANNEL_BLOCK }, () => f.local(v128)), sum = f.local(v128), tailMask = f.local(v128);

  /** Four output x at byte xb of the rows: the channels' sum, masked past ow on the partial vector, added into gx. */
  const step = (masked: boolean): void => {
    f.localGet(gyRow).localGet(xb).i32Add().localSet(gp);
    for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) {
      f.localGet(gp);
      if (j > 0) f.localGet(plane).i32Add().localTee(gp);
      f.v128Load(0);
      if (j === 0) f.localGet(weights[0]).f32x4Mul().localSet(sum);
      else multiplyAdd(f, fma, weights[j], sum);
    }
    f.localGet(gxRow).localGet(xb).i32Add().localTee(at);
    f.localGet(at).v128Load(0).localGet(sum);
    if (masked) f.localGet(tailMask).v128And();
    f.f32x4Add().v128Store(0);
  };

  f.localGet(ow).i32Const(-4).i32And().i32Const(4).i32Mul().localSet(fullBytes);
  f.localGet(ow).i32Const(3).i32And().localTee(tail);
  // Lanes i < tail kept: the table's entries 8 - tail + i are all-ones for i < tail.
  f.i32Const(8).i32Sub().i32Const(-4).i32Mul().localGet(mask).i32Add().v128Load(0).localSet(tailMask);
  f.localGet(taps).localSet(tp);
  f.localGet(taps).localGet(tapCount).i32Const(4).i32Mul().i32Add().localSet(tapsEnd);
  f.loop(() => { // over taps
    f.localGet(tp).i32Load(0).localSet(off);
    f.i32Const(0).localSet(block);
    f.localGet(gy).localSet(gyBlock);
    // Block b's weights at tap t: w + (b*tapCount + t) * 16.
    f.localGet(tp).localGet(taps).i32Sub().i32Const(4).i32Mul().localGet(w).i32Add().localSet(wp);
    f.loop(() => { // over blocks of four channels
      for (let j = 0; j < DIRECT_CHANNEL_BLOCK; j++) f.localGet(wp).v128Load32Splat(4 * j).localSet(weights[j]);
      f.localGet(gx).localGet(off).i32Add().localSet(gxRow);
      f.localGet(gyBlock).localSet(gyRow);
      f.i32Const(0).localSet(y);
      f.loop(() => { // over output rows
        f.i32Const(0).localSet(xb);
        f.block(() => {
          f.localGet(fullBytes).i32Eqz().brIf(0);
          f.loop(() => { // over the row's whole vectors
            step(false);
            f.localGet(xb).i32Const(16).i32Add().localTee(xb);
            f.localGet(fullBytes).i32LtU().brIf(0);
          });
        });
        f.localGet(tail).ifElse(() => step(true));
        f.localGet(gxRow).localGet(rowStep).i32Add().localSet(gxRow);
        f.localGet(gyRow).localGet(gyRowStep).i32Add().localSet(gyRow);
        f.localGet(y).i32Const(1).i32Add().localTee(y);
        f.localGet(oh).i32LtU().brIf(0);
      });
      f.localGet(gyBlock).localGet(plane).i32Const(DIRECT_CHANNEL_BLOCK).i32Mul().i32Add().localSet(gyBlock);
      f.localGet(wp).localGet(tapCount).i32Const(4 * DIRECT_CHANNEL_BLOCK).i32Mul().i32Add().localSet(wp);
      f.localGet(block).i32Const(DIRECT_CHANNEL_BLOCK).i32Add().localTee(block);
      f.localGet(channels).i32LtU().brIf(0);
    });
    f.localGet(tp).i32Const(4).i32Add().localTee(tp);
    f.localGet(tapsEnd).i32LtU().brIf(0);
  });
  return f;
}
