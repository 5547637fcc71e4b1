/**
 * Emits the WebAssembly strided copy: the one kernel that moves float32 data around inside wasm
 * memory for the GEMM and the convolutions (./gemm-wasm.ts, ./conv2d-wasm.ts).
 *
 *   for a < nA, b < nB, c < nC:
 *     dst[a*dA + b*dB + c*dC]  = src[a*sA + b*sB + c*sC]     (copy3d)
 *     dst[a*dA + b*dB + c*dC] += src[a*sA + b*sB + c*sC]     (addInto3d)
 *
 * with every address and stride in bytes. Packing B into 8-wide panels, A into 4-tall strips,
 * im2col, im2row, laying a gradient out as rows and scattering a result back to NCHW are all this
 * loop nest with different strides; row2im (the adjoint of im2row) is `addInto3d`. When both inner
 * strides are 4 (contiguous runs) the inner loop moves four floats per instruction with v128
 * loads and stores, then finishes the run one float at a time. The copy is exact, and the adds
 * happen in the order of the loops, one float32 rounding each, as the TypeScript loops they replace.
 */
import { FunctionBody, valueType } from './assembler.js';

const i32 = valueType.i32;

/**
 * The function `copy3d(dst, dA, dB, dC, src, sA, sB, sC, nA, nB, nC)` (all i32), or with `add`
 * the function `addInto3d` with the same parameters, which adds into dst instead of storing.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'copy3d', body: emitCopy3d(false) }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitCopy3d(add: boolean): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [dst, dA, dB, dC, src, sA, sB, sC, nA, nB, nC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const a = f.local(i32), b = f.local(i32), c = f.local(i32), vectorEnd = f.local(i32);
  const dRowA = f.local(i32), sRowA = f.local(i32), dRowB = f.local(i32), sRowB = f.local(i32);
  const d = f.local(i32), s = f.local(i32);

  /** One element or one vector: dst (+)= src at the addresses d and s. */
  const move = (vector: boolean): void => {
    f.localGet(d);
    if (vector) {
      if (add) f.localGet(d).v128Load(0).localGet(s).v128Load(0).f32x4Add();
      else f.localGet(s).v128Load(0);
      f.v128Store(0);
    } else {
      if (add) f.localGet(d).f32Load(0).localGet(s).f32Load(0).f32Add();
      else f.localGet(s).f32Load(0);
      f.f32Store(0);
    }
  };

  f.block(() => {
    // Nothing to do when any count is zero (the loops below run at least once).
    f.localGet(nA).i32Eqz().localGet(nB).i32Eqz().i32Or().localGet(nC).i32Eqz().i32Or().brIf(0);
    // Contiguous runs (dC = sC = 4) move whole vectors up to the last multiple of 4, else none.
    f.localGet(nC).i32Const(-4).i32And().i32Const(0);
    f.localGet(dC).i32Const(4).i32Eq().localGet(sC).i32Const(4).i32Eq().i32And();
    f.select().localSet(vectorEnd);
    f.i32Const(0).localSet(a);
    f.localGet(dst).localSet(dRowA);
    f.localGet(src).localSet(sRowA);
    f.loop(() => {
      f.i32Const(0).localSet(b);
      f.localGet(dRowA).localSet(dRowB);
      f.localGet(sRowA).localSet(sRowB);
      f.loop(() => {
        f.localGet(dRowB).localSet(d);
        f.localGet(sRowB).localSet(s);
        f.i32Const(0).localSet(c);
        f.block(() => {
          f.loop(() => { // four at a time
            f.localGet(c).localGet(vectorEnd).i32GeU().brIf(1);
            move(true);
            f.localGet(d).i32Const(16).i32Add().localSet(d);
            f.localGet(s).i32Const(16).i32Add().localSet(s);
            f.localGet(c).i32Const(4).i32Add().localSet(c);
            f.br(0);
          });
        });
        f.block(() => {
          f.loop(() => { // one at a time
            f.localGet(c).localGet(nC).i32GeU().brIf(1);
            move(false);
            f.localGet(d).localGet(dC).i32Add().localSet(d);
            f.localGet(s).localGet(sC).i32Add().localSet(s);
            f.localGet(c).i32Const(1).i32Add().localSet(c);
            f.br(0);
          });
        });
        f.localGet(dRowB).localGet(dB).i32Add().localSet(dRowB);
        f.localGet(sRowB).localGet(sB).i32Add().localSet(sRowB);
        f.localGet(b).i32Const(1).i32Add().localTee(b);
        f.localGet(nB).i32LtU().brIf(0);
      });
      f.localGet(dRowA).localGet(dA).i32Add().localSet(dRowA);
      f.localGet(sRowA).localGet(sA).i32Add().localSet(sRowA);
      f.localGet(a).i32Const(1).i32Add().localTee(a);
      f.localGet(nA).i32LtU().brIf(0);
    });
  });
  return f;
}

/** Byte lanes of an i8x16.shuffle that picks the given 32-bit lanes (0-3 from a, 4-7 from b). */
const lanes32 = (l: readonly number[]): number[] => l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]);

/**
 * The function `packRows(dst, dGroup, src, sGroup, pitch, groups, kc, rows)` (all i32, bytes but
 * for the counts): for g < groups, r < rows (a multiple of 4), p < kc,
 *
 *   dst[g*dGroup + p*rows*4 + r*4] = src[g*sGroup + r*pitch + p*4]
 *
 * i.e. `rows` source rows, contiguous along p, interleaved into the GEMM's packed layout: strips of
 * A (rows = 4) when A is row-major, panels of B (rows = 8) when B is column-major. The strided copy
 * would move these one float at a time; here each 4 x 4 block is four vector loads, a transpose in
 * eight shuffles and four vector stores. The last kc mod 4 columns go one float at a time.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'packRows', body: emitPackRows() }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitPackRows(): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32]);
  const [dst, dGroup, src, sGroup, pitch, groups, kc, rows] = [0, 1, 2, 3, 4, 5, 6, 7];
  const g = f.local(i32), r0 = f.local(i32), p = f.local(i32), kc4 = f.local(i32), pStride = f.local(i32);
  const s = f.local(i32), d = f.local(i32), i = f.local(i32);
  const v = [f.local(valueType.v128), f.local(valueType.v128), f.local(valueType.v128), f.local(valueType.v128)];
  const t = [f.local(valueType.v128), f.local(valueType.v128), f.local(valueType.v128), f.local(valueType.v128)];

  f.block(() => {
    f.localGet(groups).i32Eqz().localGet(kc).i32Eqz().i32Or().localGet(rows).i32Eqz().i32Or().brIf(0);
    f.localGet(kc).i32Const(-4).i32And().localSet(kc4);
    f.localGet(rows).i32Const(4).i32Mul().localSet(pStride);
    f.i32Const(0).localSet(g);
    f.loop(() => { // groups
      f.i32Const(0).localSet(r0);
      f.loop(() => { // blocks of four rows
        f.i32Const(0).localSet(p);
        f.block(() => {
          f.loop(() => { // four columns at a time: a 4 x 4 transpose
            f.localGet(p).localGet(kc4).i32GeU().brIf(1);
            // s = src + g*sGroup + r0*pitch + p*4; d = dst + g*dGroup + p*rows*4 + r0*4
            f.localGet(src).localGet(g).localGet(sGroup).i32Mul().i32Add().localGet(r0).localGet(pitch).i32Mul().i32Add();
            f.localGet(p).i32Const(4).i32Mul().i32Add().localSet(s);
            f.localGet(dst).localGet(g).localGet(dGroup).i32Mul().i32Add().localGet(p).localGet(pStride).i32Mul().i32Add();
            f.localGet(r0).i32Const(4).i32Mul().i32Add().localSet(d);
            for (let k = 0; k < 4; k++) {
              f.localGet(s);
              if (k > 0) f.localGet(pitch).i32Const(k).i32Mul().i32Add();
              f.v128Load(0).localSet(v[k]); // row r0+k, columns p..p+3
            }
            f.localGet(v[0]).localGet(v[1]).i8x16Shuffle(lanes32([0, 4, 1, 5])).localSet(t[0]); // a0 b0 a1 b1
            f.localGet(v[0]).localGet(v[1]).i8x16Shuffle(lanes32([2, 6, 3, 7])).localSet(t[1]); // a2 b2 a3 b3
            f.localGet(v[2]).localGet(v[3]).i8x16Shuffle(lanes32([0, 4, 1, 5])).localSet(t[2]); // c0 d0 c1 d1
            f.localGet(v[2]).localGet(v[3]).i8x16Shuffle(lanes32([2, 6, 3, 7])).localSet(t[3]); // c2 d2 c3 d3
            const column = (k: number, a: number, b: number, pick: readonly number[]): void => {
              f.localGet(d);
              if (k > 0) f.localGet(pStride).i32Const(k).i32Mul().i32Add();
              f.localGet(t[a]).localGet(t[b]).i8x16Shuffle(lanes32(pick)).v128Store(0); // column p+k: a b c d
            };
            column(0, 0, 2, [0, 1, 4, 5]);
            column(1, 0, 2, [2, 3, 6, 7]);
            column(2, 1, 3, [0, 1, 4, 5]);
            column(3, 1, 3, [2, 3, 6, 7]);
            f.localGet(p).i32Const(4).i32Add().localSet(p);
            f.br(0);
          });
        });
        f.block(() => {
          f.loop(() => { // the last kc mod 4 columns, one float at a time
            f.localGet(p).localGet(kc).i32GeU().brIf(1);
            f.i32Const(0).localSet(i);
            f.loop(() => {
              f.localGet(dst).localGet(g).localGet(dGroup).i32Mul().i32Add().localGet(p).localGet(pStride).i32Mul().i32Add();
              f.localGet(r0).localGet(i).i32Add().i32Const(4).i32Mul().i32Add();
              f.localGet(src).localGet(g).localGet(sGroup).i32Mul().i32Add().localGet(r0).localGet(i).i32Add().localGet(pitch).i32Mul().i32Add();
              f.localGet(p).i32Const(4).i32Mul().i32Add().f32Load(0).f32Store(0);
              f.localGet(i).i32Const(1).i32Add().localTee(i).i32Const(4).i32LtU().brIf(0);
            });
            f.localGet(p).i32Const(1).i32Add().localSet(p);
            f.br(0);
          });
        });
        f.localGet(r0).i32Const(4).i32Add().localTee(r0).localGet(rows).i32LtU().brIf(0);
      });
      f.localGet(g).i32Const(1).i32Add().localTee(g).localGet(groups).i32LtU().brIf(0);
    });
  });
  return f;
}

/**
 * The function `zero(at, bytes)`: zeros `bytes` bytes (a multiple of 4) from byte address `at`,
 * 16 bytes per store, then the last floats one at a time. The column matrices' padding taps and
 * the GEMM's padded panels are zeroed with it, inside a thread's share of work.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'zero', body: emitZero() }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitZero(): FunctionBody {
  const f = new FunctionBody([i32, i32]);
  const [at, bytes] = [0, 1];
  const end = f.local(i32), vectorEnd = f.local(i32);
  f.localGet(at).localGet(bytes).i32Add().localSet(end);
  f.localGet(at).localGet(bytes).i32Const(-16).i32And().i32Add().localSet(vectorEnd);
  f.block(() => {
    f.loop(() => {
      f.localGet(at).localGet(vectorEnd).i32GeU().brIf(1);
      f.localGet(at).v128Zero().v128Store(0);
      f.localGet(at).i32Const(16).i32Add().localSet(at);
      f.br(0);
    });
  });
  f.block(() => {
    f.loop(() => {
      f.localGet(at).localGet(end).i32GeU().brIf(1);
      f.localGet(at).i32Const(0).i32Store(0);
      f.localGet(at).i32Const(4).i32Add().localSet(at);
      f.br(0);
    });
  });
  return f;
}
