/**
 * Emits the WebAssembly GEMM macro-kernel: C[mc, nc] (+)= A[mc, kc] · B[kc, nc] over packed
 * operands, with a 4 x 8 micro-kernel that keeps its tile of C in eight v128 locals.
 *
 * The packed layouts are the BLIS ones (docs/internals/05-fast-kernels.md):
 * - A in strips of MR = 4 rows: strip s holds, for p = 0..kc-1, the four values A[4s..4s+3, p];
 * - B in panels of NR = 8 columns: panel t holds, for p = 0..kc-1, the eight values B[p, 8t..8t+7];
 * - C row-major with a row pitch of `ldc` bytes. mc and nc are multiples of 4 and 8 (the caller
 *   pads with zeros), kc is at least 1.
 * One step of the k loop loads two vectors of B, splats four values of A and does eight
 * vector multiply-adds: 32 multiply-adds for 6 loads. Eight accumulators + 2 of B + 1 of A
 * fit in the 16 vector registers; a 6 x 8 tile or an unrolled k loop makes V8 spill.
 */
import { FunctionBody, valueType } from './assembler.js';

/** Rows and columns of the micro-kernel's tile of C. */
export const MR = 4;
export const NR = 8;

/**
 * The function `gemmBlock(pa, pb, c, mc, nc, kc, ldc, accumulate)`, all i32, addresses in bytes.
 * With `fma`, the multiply-adds are relaxed SIMD's `f32x4.relaxed_madd`; otherwise a multiply then an add.
 *
 * @example
 * import { buildModule } from './module-builder.js';
 * const bytes = buildModule([{ name: 'gemmBlock', body: emitGemmBlock(false) }], { minimumPages: 1 });
 * WebAssembly.validate(bytes); // true where WebAssembly SIMD is supported
 */
export function emitGemmBlock(fma: boolean): FunctionBody {
  const i32 = valueType.i32;
  const f = new FunctionBody([i32, i32, i32, i32, i32, i32, i32, i32]);
  const [pa, pb, c, mc, nc, kc, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7];
  const aStride = f.local(i32), bStride = f.local(i32); // bytes per packed strip / panel
  const bPanel = f.local(i32), cColumn = f.local(i32), cColumnEnd = f.local(i32);
  const aStrip = f.local(i32), cTile = f.local(i32), cTileEnd = f.local(i32);
  const aPtr = f.local(i32), bPtr = f.local(i32);
  const acc = Array.from({ length: 2 * MR }, () => f.local(valueType.v128)); // acc[2r + h]: row r, columns 4h..4h+3
  const b0 = f.local(valueType.v128), b1 = f.local(valueType.v128), a = f.local(valueType.v128);

  /** Pushes the byte address of row r of the current tile of C. */
  const cRow = (r: number): void => {
    f.localGet(cTile);
    if (r > 0) f.localGet(ldc).i32Const(r).i32Mul().i32Add();
  };
  /** acc += a * b, fused or not; `a` is already on the stack. */
  const multiplyAdd = (accumulator: number, b: number): void => {
    if (fma) f.localGet(b).localGet(accumulator).f32x4RelaxedMadd();
    else f.localGet(b).f32x4Mul().localGet(accumulator).f32x4Add();
    f.localSet(accumulator);
  };

  f.localGet(kc).i32Const(4 * MR).i32Mul().localSet(aStride);
  f.localGet(kc).i32Const(4 * NR).i32Mul().localSet(bStride);
  f.localGet(pb).localSet(bPanel);
  f.localGet(c).localSet(cColumn);
  f.localGet(c).localGet(nc).i32Const(4).i32Mul().i32Add().localSet(cColumnEnd);
  f.loop(() => { // over panels of B: columns j..j+7 of C
    f.localGet(pa).localSet(aStrip);
    f.localGet(cColumn).localSet(cTile);
    f.localGet(cColumn).localGet(mc).localGet(ldc).i32Mul().i32Add().localSet(cTileEnd);
    f.loop(() => { // over strips of A: rows i..i+3 of C
      // Start from C (accumulate) or from zeros.
      f.localGet(accumulate).ifElse(() => {
        for (let r = 0; r < MR; r++) {
          cRow(r); f.v128Load(0).localSet(acc[2 * r]);
          cRow(r); f.v128Load(16).localSet(acc[2 * r + 1]);
        }
      }, () => {
        for (const v of acc) f.v128Zero().localSet(v);
      });
      f.localGet(aStrip).localSet(aPtr);
      f.localGet(bPanel).localSet(bPtr);
      f.loop(() => { // over k: one rank-1 update of the 4 x 8 tile
        f.localGet(bPtr).v128Load(0).localSet(b0);
        f.localGet(bPtr).v128Load(16).localSet(b1);
        for (let r = 0; r < MR; r++) {
          f.localGet(aPtr).v128Load32Splat(4 * r).localTee(a);
          multiplyAdd(acc[2 * r], b0);
          f.localGet(a);
          multiplyAdd(acc[2 * r + 1], b1);
        }
        f.localGet(bPtr).i32Const(4 * NR).i32Add().localSet(bPtr);
        f.localGet(aPtr).i32Const(4 * MR).i32Add().localTee(aPtr);
        f.localGet(aStrip).localGet(aStride).i32Add().i32LtU().brIf(0);
      });
      for (let r = 0; r < MR; r++) {
        cRow(r); f.localGet(acc[2 * r]).v128Store(0);
        cRow(r); f.localGet(acc[2 * r + 1]).v128Store(16);
      }
      f.localGet(aPtr).localSet(aStrip); // the next strip starts where this one ended
      f.localGet(cTile).localGet(ldc).i32Const(MR).i32Mul().i32Add().localTee(cTile);
      f.localGet(cTileEnd).i32LtU().brIf(0);
    });
    f.localGet(bPanel).localGet(bStride).i32Add().localSet(bPanel);
    f.localGet(cColumn).i32Const(4 * NR).i32Add().localTee(cColumn);
    f.localGet(cColumnEnd).i32LtU().brIf(0);
  });
  return f;
}
