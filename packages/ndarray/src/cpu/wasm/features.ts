/**
 * What this JavaScript engine's WebAssembly supports, found by validating a tiny module that
 * uses the feature (`WebAssembly.validate` compiles nothing and never throws). SIMD is in every
 * current engine (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+); relaxed SIMD is on by
 * default in Chrome 114+ and newer Node, and behind `--experimental-wasm-relaxed-simd` in Node 20.
 */
import { FunctionBody, valueType } from './assembler.js';
import { buildModule } from './module-builder.js';

/** The WebAssembly features the CPU kernels can use. */
export interface WasmFeatures {
  /** 128-bit SIMD (f32x4 arithmetic, v128 loads and stores). */
  simd: boolean;
  /** Relaxed SIMD's `f32x4.relaxed_madd` (a fused multiply-add on CPUs with FMA). */
  relaxedSimd: boolean;
}

/** A module whose one function uses the instructions `emit` appends (on an empty stack, leaving nothing). */
function validates(emit: (f: FunctionBody) => void): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  const f = new FunctionBody([]);
  emit(f);
  return WebAssembly.validate(buildModule([{ name: 'probe', body: f }], { minimumPages: 1 }));
}

let detected: WasmFeatures | undefined;

/**
 * Detects the features once and remembers the answer.
 *
 * @example
 * const { simd, relaxedSimd } = wasmFeatures(); // in Node 20: simd true, relaxedSimd false
 */
export function wasmFeatures(): WasmFeatures {
  if (detected === undefined) {
    const simd = validates((f) => {
      const v = f.local(valueType.v128);
      f.v128Zero().v128Zero().f32x4Add().localSet(v);
    });
    const relaxedSimd = simd && validates((f) => {
      const v = f.local(valueType.v128);
      f.v128Zero().v128Zero().v128Zero().f32x4RelaxedMadd().localSet(v);
    });
    detected = { simd, relaxedSimd };
  }
  return detected;
}
