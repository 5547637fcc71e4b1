/**
 * Emits the WebAssembly elementwise kernels on float32 vectors (four lanes per step): the
 * unary ops and same-shape binary ops of a training step, a binary op with one scalar per row
 * (a bias [C,1,1] added to [N,C,H,W] is N*C rows of H*W with the bias value of the row's channel),
 * and row sums in double precision (a bias gradient). Each reads its operands and writes its
 * result at addresses in wasm memory (the same address, in place, or another); lengths are in
 * bytes and multiples of 16 (the caller pads), except `rowSums`, which takes any row length.
 *
 * Each op is exactly its scalar definition in ../elementwise.ts: relu keeps -0 and NaN
 * (v & ~(v < 0)), sign gives NaN for NaN and 0 for ±0.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
import { FunctionBody, valueType } from './assembler.js';

/** The unary ops with a SIMD kernel. */
export const WASM_UNARY_OPS = ['relu', 'neg', 'abs', 'sqrt', 'square', 'sign'] as const satisfies readonly UnaryOp[];
export type WasmUnaryOp = (typeof WASM_UNARY_OPS)[number];
/** The binary ops with a SIMD kernel. */
export const WASM_BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const satisfies readonly BinaryOp[];
export type WasmBinaryOp = (typeof WASM_BINARY_OPS)[number];

const i32 = valueType.i32;

/** Runs `body(address)` for address = start, start+16, ... < end (end > start). */
function forEachVector(f: FunctionBody, start: number, end: number, body: (at: number) => void): void {
  const at = f.local(i32);
  f.localGet(start).localSet(at);
  f.loop(() => {
    body(at);
    f.localGet(at).i32Const(16).i32Add().localTee(at);
    f.localGet(end).i32LtU().brIf(0);
  });
}

function applyBinary(f: FunctionBody, op: WasmBinaryOp): void {
  if (op === 'add') f.f32x4Add();
  else if (op === 'sub') f.f32x4Sub();
  else if (op === 'mul') f.f32x4Mul();
  else f.f32x4Div();
}

/**
 * `unary(x, out, bytes)`: out = op(x) over the vectors at x (out may be x).
 *
 * @example
 * const body = emitUnary('relu'); // export it with buildModule
 */
export function emitUnary(op: WasmUnaryOp): FunctionBody {
  const f = new FunctionBody([i32, i32, i32]);
  const [x, out, bytes] = [0, 1, 2];
  const end = f.local(i32), delta = f.local(i32), v = f.local(valueType.v128), nan = f.local(valueType.v128);
  f.localGet(x).localGet(bytes).i32Add().localSet(end);
  f.localGet(out).localGet(x).i32Sub().localSet(delta); // out's address = x's + delta
  forEachVector(f, x, end, (at) => {
    f.localGet(at).v128Load(0).localSet(v);
    f.localGet(at).localGet(delta).i32Add(); // the store's address, under the value
    switch (op) {
      case 'relu': // v & ~(v < 0): zero where negative, v itself otherwise (-0 and NaN included)
        f.localGet(v).localGet(v).v128Zero().f32x4Lt().v128AndNot();
        break;
      case 'neg':
        f.localGet(v).f32x4Neg();
        break;
      case 'abs':
        f.localGet(v).f32x4Abs();
        break;
      case 'sqrt':
        f.localGet(v).f32x4Sqrt();
        break;
      case 'square':
        f.localGet(v).localGet(v).f32x4Mul();
        break;
      case 'sign': // NaN where v is NaN, else (1 & (v > 0)) | (-1 & (v < 0))
        f.localGet(v).localGet(v).f32x4Ne().localSet(nan);
        f.localGet(v);
        f.f32x4Const(1).localGet(v).v128Zero().f32x4Gt().v128And();
        f.f32x4Const(-1).localGet(v).v128Zero().f32x4Lt().v128And();
        f.v128Or();
        f.localGet(nan).v128Bitselect();
        break;
    }
    f.v128Store(0);
  });
  return f;
}

/**
 * `binary(a, b, out, bytes)`: out = a op b, vector by vector (out may be a or b).
 *
 * @example
 * const body = emitBinary('mul');
 */
export function emitBinary(op: WasmBinaryOp): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32]);
  const [a, b, out, bytes] = [0, 1, 2, 3];
  const end = f.local(i32), delta = f.local(i32), outDelta = f.local(i32);
  f.localGet(a).localGet(bytes).i32Add().localSet(end);
  f.localGet(b).localGet(a).i32Sub().localSet(delta); // b's address = a's + delta
  f.localGet(out).localGet(a).i32Sub().localSet(outDelta); // out's = a's + outDelta
  forEachVector(f, a, end, (at) => {
    f.localGet(at).localGet(outDelta).i32Add();
    f.localGet(at).v128Load(0);
    f.localGet(at).localGet(delta).i32Add().v128Load(0);
    applyBinary(f, op);
    f.v128Store(0);
  });
  return f;
}

/**
 * `rowScalar(x, scalars, out, rowBytes, rows)`: row r of out = row r of x op scalars[r] (rows of
 * rowBytes each, consecutive; out may be x).
 *
 * @example
 * const body = emitRowScalar('add'); // a bias add: one scalar per (image, channel) row
 */
export function emitRowScalar(op: WasmBinaryOp): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32, i32]);
  const [x, scalars, out, rowBytes, rows] = [0, 1, 2, 3, 4];
  const row = f.local(i32), rowEnd = f.local(i32), scalarAt = f.local(i32), scalarsEnd = f.local(i32), outDelta = f.local(i32);
  const s = f.local(valueType.v128);
  f.localGet(out).localGet(x).i32Sub().localSet(outDelta); // out's address = x's + outDelta
  f.localGet(x).localSet(row);
  f.localGet(scalars).localSet(scalarAt);
  f.localGet(scalars).localGet(rows).i32Const(4).i32Mul().i32Add().localSet(scalarsEnd);
  f.loop(() => {
    f.localGet(scalarAt).v128Load32Splat(0).localSet(s);
    f.localGet(row).localGet(rowBytes).i32Add().localSet(rowEnd);
    forEachVector(f, row, rowEnd, (at) => {
      f.localGet(at).localGet(outDelta).i32Add();
      f.localGet(at).v128Load(0).localGet(s);
      applyBinary(f, op);
      f.v128Store(0);
    });
    f.localGet(rowEnd).localSet(row);
    f.localGet(scalarAt).i32Const(4).i32Add().localTee(scalarAt);
    f.localGet(scalarsEnd).i32LtU().brIf(0);
  });
  return f;
}

/**
 * `rowSums(x, rowLength, rows, out)`: out[r] (f64) = the sum of row r of x (rowLength floats,
 * rows consecutive, any length), in double precision: two f64 lanes, each fed every other pair.
 *
 * @example
 * const body = emitRowSums();
 */
export function emitRowSums(): FunctionBody {
  const f = new FunctionBody([i32, i32, i32, i32]);
  const [x, rowLength, rows, out] = [0, 1, 2, 3];
  const at = f.local(i32), pairsEnd = f.local(i32), rowEnd = f.local(i32), outEnd = f.local(i32);
  const acc = f.local(valueType.v128), sum = f.local(valueType.f64);
  f.localGet(x).localSet(at);
  f.localGet(out).localGet(rows).i32Const(8).i32Mul().i32Add().localSet(outEnd);
  f.loop(() => { // over rows
    f.localGet(at).localGet(rowLength).i32Const(4).i32Mul().i32Add().localSet(rowEnd);
    f.localGet(rowEnd).localGet(rowLength).i32Const(1).i32And().i32Const(4).i32Mul().i32Sub().localSet(pairsEnd);
    f.v128Zero().localSet(acc);
    f.block(() => {
      f.loop(() => { // pairs of floats, widened to f64x2 and added
        f.localGet(at).localGet(pairsEnd).i32LtU().i32Eqz().brIf(1);
        f.localGet(acc).localGet(at).v128Load64Zero(0).f64x2PromoteLowF32x4().f64x2Add().localSet(acc);
        f.localGet(at).i32Const(8).i32Add().localSet(at);
        f.br(0);
      });
    });
    f.localGet(acc).f64x2ExtractLane(0).localGet(acc).f64x2ExtractLane(1).f64Add().localSet(sum);
    f.localGet(at).localGet(rowEnd).i32LtU().ifElse(() => { // an odd last float
      f.localGet(sum).localGet(at).f32Load(0).f64PromoteF32().f64Add().localSet(sum);
    });
    f.localGet(out).localGet(sum).f64Store(0);
    f.localGet(rowEnd).localSet(at);
    f.localGet(out).i32Const(8).i32Add().localTee(out);
    f.localGet(outEnd).i32LtU().brIf(0);
  });
  return f;
}
