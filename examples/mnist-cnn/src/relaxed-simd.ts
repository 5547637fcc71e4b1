/**
 * Fused multiply-adds for the CPU kernels on Node 20.
 *
 * The WebAssembly GEMM and convolution kernels use relaxed SIMD's `f32x4.relaxed_madd` (one
 * rounding, one instruction on a CPU with FMA) where the engine has it, and a multiply then an
 * add where not. V8 turned relaxed SIMD on by default in 11.4 (Chrome 114, Node 22); Node 20's
 * V8 11.3 has it behind `--experimental-wasm-relaxed-simd`. The CLI, the study and the bench set
 * that flag for their own process before the first kernel is compiled, so `npm run mnist` gets the
 * fused kernels on Node 20 too. @tsgrad/ndarray's feature test (`wasmFeatures`, a
 * `WebAssembly.validate`) still decides: where the flag changes nothing, the kernels fall back.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Sets `--experimental-wasm-relaxed-simd` on a V8 that has relaxed SIMD behind it (10.x to 11.3);
 * returns whether it did. Call it before any WebAssembly kernel runs (kernels compile on first use).
 *
 * @example
 * enableRelaxedSimd('11.3.244.8-node.33'); // true: Node 20
 * enableRelaxedSimd('12.4.254.21-node.33'); // false: Node 22 has relaxed SIMD already
 */
export function enableRelaxedSimd(v8Version: string = process.versions.v8): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number);
  const behindFlag = major === 10 || (major === 11 && minor < 4);
  if (behindFlag) setFlagsFromString('--experimental-wasm-relaxed-simd');
  return behindFlag;
}
