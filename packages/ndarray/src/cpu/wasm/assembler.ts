/**
 * An instruction assembler for WebAssembly function bodies: one method per instruction the
 * kernels use, each appending the instruction's opcode and immediates (LEB128-encoded) to a
 * byte list. Structured control flow takes a callback, so the nesting of `block`/`loop`/`end`
 * in the generated code is the nesting of the TypeScript that emits it.
 *
 * Opcodes are from the WebAssembly 2.0 spec (§5.4, binary instructions); the SIMD ones sit
 * behind the 0xfd prefix, relaxed SIMD's fused multiply-add among them.
 */
import { signedLeb128, unsignedLeb128 } from './leb128.js';

/** Value types as they are encoded. */
export const valueType = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValueType = (typeof valueType)[keyof typeof valueType];

const SIMD_PREFIX = 0xfd;
const EMPTY_BLOCK_TYPE = 0x40;

/**
 * A function body under construction: its parameters, the locals it declares and its code.
 *
 * @example
 * // (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
 * const f = new FunctionBody([valueType.i32, valueType.i32], [valueType.i32]);
 * f.localGet(0).localGet(1).i32Add();
 * f.encode(); // [0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b]: size, no locals, code, end
 */
export class FunctionBody {
  private readonly code: number[] = [];
  private readonly locals: ValueType[] = [];

  constructor(readonly params: readonly ValueType[], readonly results: readonly ValueType[] = []) {}

  /** Declares a local of `type` and returns its index (parameters take the first indices). */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(SIMD_PREFIX, ...unsignedLeb128(opcode), ...immediates);
  }

  /** A memory immediate: log2 of the alignment hint, then the constant byte offset. */
  private static memarg(alignLog2: number, offset: number): number[] {
    return [...unsignedLeb128(alignLog2), ...unsignedLeb128(offset)];
  }

  // Control flow: `br 0` inside a block jumps past its end, inside a loop back to its start.
  block(body: () => void): this { this.op(0x02, EMPTY_BLOCK_TYPE); body(); return this.op(0x0b); }
  loop(body: () => void): this { this.op(0x03, EMPTY_BLOCK_TYPE); body(); return this.op(0x0b); }
  /** Pops an i32 and runs `then` when it is nonzero, `otherwise` when it is zero. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(0x04, EMPTY_BLOCK_TYPE);
    then();
    if (otherwise !== undefined) { this.op(0x05); otherwise(); }
    return this.op(0x0b);
  }
  br(depth: number): this { return this.op(0x0c, ...unsignedLeb128(depth)); }
  /** Returns from the function with the values on the stack. */
  return(): this { return this.op(0x0f); }
  /** Calls function `index` of the module (in the order the module lists them). */
  call(index: number): this { return this.op(0x10, ...unsignedLeb128(index)); }
  brIf(depth: number): this { return this.op(0x0d, ...unsignedLeb128(depth)); }
  /** Pops a condition and two values [a, b, cond]: pushes a when cond is nonzero, else b. */
  select(): this { return this.op(0x1b); }

  // Locals.
  localGet(index: number): this { return this.op(0x20, ...unsignedLeb128(index)); }
  localSet(index: number): this { return this.op(0x21, ...unsignedLeb128(index)); }
  localTee(index: number): this { return this.op(0x22, ...unsignedLeb128(index)); }

  // i32 arithmetic and comparisons (comparisons push 1 or 0).
  i32Const(value: number): this { return this.op(0x41, ...signedLeb128(value)); }
  i32Eqz(): this { return this.op(0x45); }
  i32Eq(): this { return this.op(0x46); }
  i32Ne(): this { return this.op(0x47); }
  i32LtU(): this { return this.op(0x49); }
  i32GtU(): this { return this.op(0x4b); }
  i32GeU(): this { return this.op(0x4f); }
  i32And(): this { return this.op(0x71); }
  i32Or(): this { return this.op(0x72); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }

  // Scalar memory access; the address is the popped i32 plus `offset` bytes.
  i32Load(offset = 0): this { return this.op(0x28, ...FunctionBody.memarg(2, offset)); }
  f32Load(offset = 0): this { return this.op(0x2a, ...FunctionBody.memarg(2, offset)); }
  i32Store(offset = 0): this { return this.op(0x36, ...FunctionBody.memarg(2, offset)); }
  f32Store(offset = 0): this { return this.op(0x38, ...FunctionBody.memarg(2, offset)); }
  f64Store(offset = 0): this { return this.op(0x39, ...FunctionBody.memarg(3, offset)); }
  f32Add(): this { return this.op(0x92); }

  // Scalar f64 arithmetic (row sums are kept in double precision).
  f64Add(): this { return this.op(0xa0); }
  f64PromoteF32(): this { return this.op(0xbb); }

  // 128-bit SIMD: four f32 lanes.
  v128Load(offset = 0): this { return this.simd(0x00, ...FunctionBody.memarg(4, offset)); }
  /** Loads one f32 and repeats it in all four lanes. */
  v128Load32Splat(offset = 0): this { return this.simd(0x09, ...FunctionBody.memarg(2, offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, ...FunctionBody.memarg(4, offset)); }
  /** Pushes the all-zeros vector (v128.const with sixteen zero bytes). */
  v128Zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  /** Loads two f32 into the low half, zeros in the high half. */
  v128Load64Zero(offset = 0): this { return this.simd(0x5d, ...FunctionBody.memarg(3, offset)); }
  /** Pushes four copies of the f32 `value`. */
  f32x4Const(value: number): this {
    const lane = new Uint8Array(Float32Array.of(value).buffer);
    return this.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
  }
  f32x4Splat(): this { return this.simd(0x13); }
  /** Pops a vector and pushes its f32 lane `lane`. */
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }
  /** Pops [vector, f32] and pushes the vector with lane `lane` replaced. */
  f32x4ReplaceLane(lane: number): this { return this.simd(0x20, lane); }
  /** Pushes the four i32 lanes given. */
  i32x4Const(lanes: readonly [number, number, number, number]): this {
    return this.simd(0x0c, ...new Uint8Array(Int32Array.from(lanes).buffer));
  }
  i32x4Splat(): this { return this.simd(0x11); }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Mul(): this { return this.simd(0xb5); }
  /** Pops [a, b]: lane i of the result is byte lanes[i] of the 32 bytes a then b. */
  i8x16Shuffle(lanes: readonly number[]): this { return this.simd(0x0d, ...lanes); }
  // Lane-wise comparisons give all-ones (true) or all-zeros (false) per lane.
  f32x4Ne(): this { return this.simd(0x42); }
  f32x4Lt(): this { return this.simd(0x43); }
  f32x4Gt(): this { return this.simd(0x44); }
  // Bitwise: andnot(a, b) = a & ~b; bitselect(a, b, mask) = mask ? a : b, bit by bit.
  v128And(): this { return this.simd(0x4e); }
  v128AndNot(): this { return this.simd(0x4f); }
  v128Or(): this { return this.simd(0x50); }
  v128Bitselect(): this { return this.simd(0x52); }
  f32x4Abs(): this { return this.simd(0xe0); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Sqrt(): this { return this.simd(0xe3); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Div(): this { return this.simd(0xe7); }
  f32x4Max(): this { return this.simd(0xe9); }
  /** The two low f32 lanes widened to an f64x2. */
  f64x2PromoteLowF32x4(): this { return this.simd(0x5f); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2ExtractLane(lane: number): this { return this.simd(0x21, lane); }
  /** Relaxed SIMD a*b+c with the stack [a, b, c]; fused (one rounding) where the CPU has FMA. */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }

  /** The body as the code section stores it: byte size, local declarations (runs of one type), code, `end`. */
  encode(): number[] {
    const runs: number[][] = [];
    for (const type of this.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    const body = [
      ...unsignedLeb128(runs.length),
      ...runs.flatMap(([count, type]) => [...unsignedLeb128(count), type]),
      ...this.code,
      0x0b,
    ];
    return [...unsignedLeb128(body.length), ...body];
  }
}
