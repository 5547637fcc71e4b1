/**
 * Fused optimizer updates: one backend kernel per optimizer step and parameter, writing the
 * parameter and its state in place, so a device backend never brings them back to the host.
 *
 * These wrappers check the arrays, run the kernel of their backend and bump the version counter
 * of everything written, so autograd notices a saved tensor overwritten by a step.
 * The formulas (PyTorch's) are written out in `@tsgrad/optim`'s `sgd.ts`, `adam.ts` and `rmsprop.ts`.
 */
import { sameBackend } from './device.js';
import type { NDArray } from './ndarray.js';
import { formatShape } from './shape.js';

/** SGD's scalars for one step. `first`: the momentum buffer is new and takes the gradient as is. */
export interface SgdScalars {
  lr: number; momentum: number; dampening: number; weightDecay: number;
  nesterov: boolean; maximize: boolean; first: boolean;
}

/** Adam's scalars for step t: `stepSize` = lr / (1 − β₁ᵗ), `bc2Sqrt` = √(1 − β₂ᵗ); `decoupled`: AdamW. */
export interface AdamScalars {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  maximize: boolean; decoupled: boolean; stepSize: number; bc2Sqrt: number;
}

/** RMSprop's scalars. */
export interface RmspropScalars {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; maximize: boolean;
}

/** Throws unless every array is a contiguous float array shaped and typed like `param`. */
function checkUpdate(op: string, param: NDArray, arrays: readonly (NDArray | null)[]): void {
  for (const a of [param, ...arrays]) {
    if (a === null) continue;
    if (a.dtype !== 'float32' && a.dtype !== 'float64') throw new TypeError(`${op}: expected float32 or float64 arrays, got ${a.dtype}`);
    if (a.dtype !== param.dtype) throw new TypeError(`${op}: dtype mismatch: ${a.dtype} and the parameter's ${param.dtype}`);
    if (a.shape.length !== param.shape.length || a.shape.some((d, i) => d !== param.shape[i])) {
      throw new Error(`${op}: shape ${formatShape(a.shape)} does not match the parameter's ${formatShape(param.shape)}`);
    }
    if (!a.isContiguous()) throw new Error(`${op}: the arrays of an in-place update must be contiguous, got strides ${formatShape(a.strides)}`);
  }
}

function bump(arrays: readonly (NDArray | null)[]): void {
  for (const a of arrays) if (a !== null) a.storage.version++;
}

/**
 * One SGD step in place: `param` and the momentum buffer `buf` (null without momentum).
 *
 * @example
 * import { array, sgdStep } from '@tsgrad/ndarray';
 * const p = array([1]);
 * sgdStep(p, array([2]), null, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, first: false });
 * p.item(); // 0.8 in float32: 0.800000011920929
 */
export function sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void {
  checkUpdate('sgdStep', param, [grad, buf]);
  sameBackend('sgdStep', [param, grad, buf]).sgdStep(param, grad, buf, s);
  bump([param, buf]);
}

/**
 * One Adam (or AdamW, `decoupled`) step in place: `param`, the moments `m`, `v` and, with
 * amsgrad, their running maximum `vMax`.
 *
 * @example
 * import { array, zeros, adamStep } from '@tsgrad/ndarray';
 * const p = array([1]);
 * const s = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maximize: false, decoupled: false, stepSize: 1, bc2Sqrt: Math.sqrt(0.001) };
 * adamStep(p, array([2]), zeros([1]), zeros([1]), null, s);
 * p.item(); // ≈ 0.9: Adam's first step moves by lr
 */
export function adamStep(param: NDArray, grad: NDArray, m: NDArray, v: NDArray, vMax: NDArray | null, s: AdamScalars): void {
  checkUpdate('adamStep', param, [grad, m, v, vMax]);
  sameBackend('adamStep', [param, grad, m, v, vMax]).adamStep(param, grad, m, v, vMax, s);
  bump([param, m, v, vMax]);
}

/**
 * One RMSprop step in place: `param`, the squared average `v`, the momentum buffer `buf` and,
 * when centered, the gradient average `gAvg` (null when off).
 *
 * @example
 * import { array, zeros, rmspropStep } from '@tsgrad/ndarray';
 * const p = array([1]);
 * rmspropStep(p, array([2]), zeros([1]), null, null, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, maximize: false });
 * p.item(); // ≈ 0.9
 */
export function rmspropStep(
  param: NDArray, grad: NDArray, v: NDArray, buf: NDArray | null, gAvg: NDArray | null, s: RmspropScalars,
): void {
  checkUpdate('rmspropStep', param, [grad, v, buf, gAvg]);
  sameBackend('rmspropStep', [param, grad, v, buf, gAvg]).rmspropStep(param, grad, v, buf, gAvg, s);
  bump([param, v, buf, gAvg]);
}
