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
