/**
 * The optimizers' fused update kernels on the CPU: parameter and state updated in place, one
 * pass over the elements, in float64 arithmetic rounded on store (the same order of
 * operations as PyTorch's single-tensor `sgd`, `adam` and `rmsprop`).
 *
 * The fast kernels walk flat typed arrays; the naive ones compute each element with a small
 * scalar function, the form the formulas in `@tsgrad/optim` are written in.
 */
import type { FloatArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import type { AdamScalars, RmspropScalars, SgdScalars } from '../optimizer-steps.js';
import { cpuData } from './cpu-storage.js';

/** The elements of a contiguous float array, as a view of exactly them. */
function floats(x: NDArray): FloatArray {
  const d = cpuData(x);
  if (!(d instanceof Float32Array || d instanceof Float64Array)) throw new TypeError(`expected a float array, got ${x.dtype}`);
  return d.subarray(x.offset, x.offset + x.size);
}

function maybe(x: NDArray | null): FloatArray | null {
  return x === null ? null : floats(x);
}

/**
 * SGD: d = ±g (+ λp); with momentum b = μb + (1−τ)d (b = d on the first step), d = nesterov ? d + μb : b; p −= γd.
 *
 * @example
 * const p = array([1]);
 * sgdStep(p, array([2]), null, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, first: false }); // p ≈ [0.8]
 */
export function sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void {
  const p = floats(param);
  const g = floats(grad);
  const b = maybe(buf);
  const { lr, momentum, dampening, weightDecay, nesterov, maximize, first } = s;
  for (let i = 0; i < p.length; i++) {
    let d = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    if (b !== null) {
      b[i] = first ? d : momentum * b[i] + (1 - dampening) * d;
      d = nesterov ? d + momentum * b[i] : b[i];
    }
    p[i] -= lr * d;
  }
}

/**
 * Adam/AdamW: m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= stepSize · m / (√v̂ / √(1−β₂ᵗ) + ε).
 *
 * @example
 * const s = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maximize: false, decoupled: false, stepSize: 1, bc2Sqrt: Math.sqrt(0.001) };
 * const p = array([1]);
 * adamStep(p, array([2]), zeros([1]), zeros([1]), null, s); // p ≈ [0.9]
 */
export function adamStep(param: NDArray, grad: NDArray, mArr: NDArray, vArr: NDArray, vMaxArr: NDArray | null, s: AdamScalars): void {
  const p = floats(param);
  const g = floats(grad);
  const m = floats(mArr);
  const v = floats(vArr);
  const vMax = maybe(vMaxArr);
  const { lr, eps, weightDecay, maximize, decoupled, beta1, beta2, stepSize, bc2Sqrt } = s;
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    let pi = p[i];
    if (decay !== 1) pi *= decay;
    if (l2 !== 0) gi += l2 * pi;
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let vHat = vi;
    if (vMax !== null) {
      vHat = Math.max(vMax[i], vi);
      vMax[i] = vHat;
    }
    p[i] = pi - stepSize * (mi / (Math.sqrt(vHat) / bc2Sqrt + eps));
  }
}

/**
 * RMSprop: v = αv + (1−α)g² (centered: minus the squared average of g), p −= γ g / (√v + ε), or through a momentum buffer.
 *
 * @example
 * const p = array([1]);
 * rmspropStep(p, array([2]), zeros([1]), null, null, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, maximize: false }); // p ≈ [0.9]
 */
export function rmspropStep(
  param: NDArray, grad: NDArray, vArr: NDArray, bufArr: NDArray | null, gAvgArr: NDArray | null, s: RmspropScalars,
): void {
  const p = floats(param);
  const g = floats(grad);
  const v = floats(vArr);
  const b = maybe(bufArr);
  const a = maybe(gAvgArr);
  const { lr, alpha, eps, weightDecay, momentum, maximize } = s;
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) gi += weightDecay * p[i];
    const vi = alpha * v[i] + (1 - alpha) * gi * gi;
    v[i] = vi;
    let variance = vi;
    if (a !== null) {
      const ai = alpha * a[i] + (1 - alpha) * gi;
      a[i] = ai;
      variance = vi - ai * ai;
    }
    const avg = Math.sqrt(variance) + eps;
    if (b !== null) {
      b[i] = momentum * b[i] + gi / avg;
      p[i] -= lr * b[i];
    } else {
      p[i] -= lr * (gi / avg);
    }
  }
}

// ---------------------------------------------------------------- naive: one scalar function per element

/** Rounding to the storage's precision: the momentum buffer is used as stored (as PyTorch's in-place buffer). */
function rounding(a: FloatArray): (x: number) => number {
  return a instanceof Float32Array ? Math.fround : (x) => x;
}

/** SGD for one element: the new [p, b]. */
function sgdScalar(p: number, g: number, b: number, s: SgdScalars, hasBuf: boolean, round: (x: number) => number): [number, number] {
  let d = s.maximize ? -g : g;
  if (s.weightDecay !== 0) d += s.weightDecay * p;
  let nb = b;
  if (hasBuf) {
    nb = round(s.first ? d : s.momentum * b + (1 - s.dampening) * d);
    d = s.nesterov ? d + s.momentum * nb : nb;
  }
  return [p - s.lr * d, nb];
}

/**
 * Reference for {@link sgdStep}.
 *
 * @example
 * sgdStepNaive(array([1]), array([2]), null, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, first: false });
 */
export function sgdStepNaive(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void {
  const p = floats(param);
  const g = floats(grad);
  const b = maybe(buf);
  for (let i = 0; i < p.length; i++) {
    const [np, nb] = sgdScalar(p[i], g[i], b === null ? 0 : b[i], s, b !== null, rounding(p));
    p[i] = np;
    if (b !== null) b[i] = nb;
  }
}

/** Adam for one element: the new [p, m, v, vMax]. */
function adamScalar(p: number, g: number, m: number, v: number, vMax: number, s: AdamScalars, ams: boolean): number[] {
  let gi = s.maximize ? -g : g;
  let pi = s.decoupled ? p * (1 - s.lr * s.weightDecay) : p;
  if (!s.decoupled && s.weightDecay !== 0) gi += s.weightDecay * pi;
  const nm = s.beta1 * m + (1 - s.beta1) * gi;
  const nv = s.beta2 * v + (1 - s.beta2) * gi * gi;
  const vHat = ams ? Math.max(vMax, nv) : nv;
  pi = pi - s.stepSize * (nm / (Math.sqrt(vHat) / s.bc2Sqrt + s.eps));
  return [pi, nm, nv, vHat];
}

/**
 * Reference for {@link adamStep}.
 *
 * @example
 * const s = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maximize: false, decoupled: false, stepSize: 1, bc2Sqrt: Math.sqrt(0.001) };
 * adamStepNaive(array([1]), array([2]), zeros([1]), zeros([1]), null, s);
 */
export function adamStepNaive(param: NDArray, grad: NDArray, mArr: NDArray, vArr: NDArray, vMaxArr: NDArray | null, s: AdamScalars): void {
  const [p, g, m, v] = [param, grad, mArr, vArr].map(floats);
  const vMax = maybe(vMaxArr);
  for (let i = 0; i < p.length; i++) {
    const r = adamScalar(p[i], g[i], m[i], v[i], vMax === null ? 0 : vMax[i], s, vMax !== null);
    [p[i], m[i], v[i]] = r;
    if (vMax !== null) vMax[i] = r[3];
  }
}

/** RMSprop for one element: the new [p, v, b, a]. */
function rmspropScalar(
  p: number, g: number, v: number, b: number, a: number, s: RmspropScalars, hasBuf: boolean, centered: boolean, round: (x: number) => number,
): number[] {
  let gi = s.maximize ? -g : g;
  if (s.weightDecay !== 0) gi += s.weightDecay * p;
  const nv = s.alpha * v + (1 - s.alpha) * gi * gi;
  const na = centered ? s.alpha * a + (1 - s.alpha) * gi : a;
  const avg = Math.sqrt(centered ? nv - na * na : nv) + s.eps;
  const nb = hasBuf ? round(s.momentum * b + gi / avg) : b;
  return [hasBuf ? p - s.lr * nb : p - s.lr * (gi / avg), nv, nb, na];
}

/**
 * Reference for {@link rmspropStep}.
 *
 * @example
 * rmspropStepNaive(array([1]), array([2]), zeros([1]), null, null, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, maximize: false });
 */
export function rmspropStepNaive(
  param: NDArray, grad: NDArray, vArr: NDArray, bufArr: NDArray | null, gAvgArr: NDArray | null, s: RmspropScalars,
): void {
  const [p, g, v] = [param, grad, vArr].map(floats);
  const b = maybe(bufArr);
  const a = maybe(gAvgArr);
  for (let i = 0; i < p.length; i++) {
    const r = rmspropScalar(p[i], g[i], v[i], b === null ? 0 : b[i], a === null ? 0 : a[i], s, b !== null, a !== null, rounding(p));
    [p[i], v[i]] = r;
    if (b !== null) b[i] = r[2];
    if (a !== null) a[i] = r[3];
  }
}
