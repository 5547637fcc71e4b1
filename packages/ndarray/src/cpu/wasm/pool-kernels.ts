/**
 * Emits the WebAssembly max pooling with indices, four outputs of a row at a time: for windows
 * without padding or dilation (every tap inside the input), the common case of a CNN.
 *
 *   for each plane, output row y, outputs x..x+3 (the last four of the row end the row):
 *     best = -Infinity (4 lanes), bestIndex = index of each window's first tap
 *     for each tap (ty, tx):
 *       v = the tap of the four windows; take = v > best or v is NaN
 *       best = take ? v : best; bestIndex = take ? the tap's index : bestIndex
 *
 * exactly the scan of the naive kernel in ../pool2d.ts (the last NaN wins, a window of -Infinity
 * reports its first tap), without a branch: comparisons give lane masks and `bitselect` picks.
 * The four values of one tap sit `strideW` floats apart; with stride 2 (the usual 2x2 pool) they
 * come from two vector loads and one shuffle, otherwise from four scalar loads.
 */
import { FunctionBody, valueType } from './assembler.js';

const i32 = valueType.i32, v128 = valueType.v128;

/**
 * The function `maxPool(x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW)`: x, out
 * and indices are byte addresses, the rest counts; needs ow >= 4 and every window inside the input.
 * With `strideTwo` the kernel assumes strideW = 2 and reads up to 4 bytes past a row's last tap
 * (the caller leaves 16 bytes of slack after x).
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'maxPool', body: emitMaxPool(true) }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitMaxPool(strideTwo: boolean): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const plane = f.local(i32), planeAt = f.local(i32), outAt = f.local(i32), y = f.local(i32), xo = f.local(i32);
  const start = f.local(i32), ty = f.local(i32), tx = f.local(i32), tap = f.local(i32);
  const laneOffsets = f.local(v128), firstIndex = f.local(v128), best = f.local(v128), bestIndex = f.local(v128);
  const v = f.local(v128), take = f.local(v128);

  /** Pushes the four values of the tap at element index `tap` (lane j at tap + j*strideW) of the plane. */
  const loadTap = (): void => {
    if (strideTwo) {
      f.localGet(planeAt).localGet(tap).i32Const(4).i32Mul().i32Add().localTee(start).v128Load(0);
      f.localGet(start).v128Load(16);
      f.i8x16Shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]); // lanes 0, 2, 4, 6
    } else {
      f.localGet(planeAt).localGet(tap).i32Const(4).i32Mul().i32Add().localTee(start).f32Load(0).f32x4Splat();
      for (let j = 1; j < 4; j++) {
        f.localGet(start).localGet(strideW).i32Const(4 * j).i32Mul().i32Add().f32Load(0).f32x4ReplaceLane(j);
      }
    }
  };

  // Lane j of a window row starts j*strideW elements after lane 0.
  f.localGet(strideW).i32x4Splat().i32x4Const([0, 1, 2, 3]).i32x4Mul().localSet(laneOffsets);
  f.localGet(x).localSet(planeAt);
  f.localGet(out).localSet(outAt);
  f.i32Const(0).localSet(plane);
  f.block(() => {
    f.localGet(planes).i32Eqz().brIf(0);
    f.loop(() => { // planes
      f.i32Const(0).localSet(y);
      f.loop(() => { // output rows
        f.i32Const(0).localSet(xo);
        f.loop(() => { // four outputs at a time; the last group is the row's last four
          f.localGet(xo).localGet(ow).i32Const(4).i32Sub().localTee(start);
          f.localGet(xo).localGet(start).i32LtU().select().localSet(xo);
          // firstIndex: each window's top-left element, y*strideH*w + (xo + j)*strideW
          f.localGet(y).localGet(strideH).i32Mul().localGet(w).i32Mul();
          f.localGet(xo).localGet(strideW).i32Mul().i32Add().i32x4Splat().localGet(laneOffsets).i32x4Add().localSet(firstIndex);
          f.f32x4Const(-Infinity).localSet(best);
          f.localGet(firstIndex).localSet(bestIndex);
          f.i32Const(0).localSet(ty);
          f.loop(() => { // taps: rows of the window
            f.i32Const(0).localSet(tx);
            f.loop(() => { // taps: columns
              // tap = element index of lane 0's tap (ty, tx)
              f.localGet(y).localGet(strideH).i32Mul().localGet(ty).i32Add().localGet(w).i32Mul();
              f.localGet(xo).localGet(strideW).i32Mul().i32Add().localGet(tx).i32Add().localSet(tap);
              loadTap();
              f.localTee(v).localGet(best).f32x4Gt().localGet(v).localGet(v).f32x4Ne().v128Or().localSet(take);
              f.localGet(v).localGet(best).localGet(take).v128Bitselect().localSet(best);
              f.localGet(tap).i32x4Splat().localGet(laneOffsets).i32x4Add().localGet(bestIndex).localGet(take).v128Bitselect().localSet(bestIndex);
              f.localGet(tx).i32Const(1).i32Add().localTee(tx).localGet(kw).i32LtU().brIf(0);
            });
            f.localGet(ty).i32Const(1).i32Add().localTee(ty).localGet(kh).i32LtU().brIf(0);
          });
          // out and indices at output (plane, y, xo)
          f.localGet(outAt).localGet(y).localGet(ow).i32Mul().localGet(xo).i32Add().i32Const(4).i32Mul().i32Add().localTee(start);
          f.localGet(best).v128Store(0);
          f.localGet(start).localGet(out).i32Sub().localGet(indices).i32Add().localGet(bestIndex).v128Store(0);
          f.localGet(xo).i32Const(4).i32Add().localTee(xo).localGet(ow).i32LtU().brIf(0);
        });
        f.localGet(y).i32Const(1).i32Add().localTee(y).localGet(oh).i32LtU().brIf(0);
      });
      f.localGet(planeAt).localGet(h).localGet(w).i32Mul().i32Const(4).i32Mul().i32Add().localSet(planeAt);
      f.localGet(outAt).localGet(oh).localGet(ow).i32Mul().i32Const(4).i32Mul().i32Add().localSet(outAt);
      f.localGet(plane).i32Const(1).i32Add().localTee(plane).localGet(planes).i32LtU().brIf(0);
    });
  });
  return f;
}

/**
 * The function `maxPoolBackward(gy, indices, gx, planes, plane, outPlane) -> i32`: for each of
 * `planes` planes, gx[plane + indices[o]] += gy[o] over its outPlane outputs, in order (byte
 * addresses; gx zeroed by the caller). Returns 1, stopping, at the first index outside
 * [0, plane) (the caller then reports it), else 0.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'maxPoolBackward', body: emitMaxPoolBackward() }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true
 */
export function emitMaxPoolBackward(): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32], [i32]);
  const [gy, indices, gx, planes, plane, outPlane] = [0, 1, 2, 3, 4, 5];
  const p = f.local(i32), o = f.local(i32), end = f.local(i32), at = f.local(i32), gxPlane = f.local(i32);
  f.localGet(gx).localSet(gxPlane);
  f.i32Const(0).localSet(o);
  f.i32Const(0).localSet(p);
  f.block(() => {
    f.localGet(planes).i32Eqz().localGet(outPlane).i32Eqz().i32Or().brIf(0);
    f.loop(() => { // planes
      f.localGet(o).localGet(outPlane).i32Const(4).i32Mul().i32Add().localSet(end);
      f.loop(() => { // outputs of the plane
        f.localGet(indices).localGet(o).i32Add().i32Load(0).localTee(at);
        f.localGet(plane).i32GeU().ifElse(() => { f.i32Const(1).return(); });
        f.localGet(gxPlane).localGet(at).i32Const(4).i32Mul().i32Add().localTee(at);
        f.localGet(at).f32Load(0).localGet(gy).localGet(o).i32Add().f32Load(0).f32Add().f32Store(0);
        f.localGet(o).i32Const(4).i32Add().localTee(o).localGet(end).i32LtU().brIf(0);
      });
      f.localGet(gxPlane).localGet(plane).i32Const(4).i32Mul().i32Add().localSet(gxPlane);
      f.localGet(p).i32Const(1).i32Add().localTee(p).localGet(planes).i32LtU().brIf(0);
    });
  });
  f.i32Const(0);
  return f;
}
