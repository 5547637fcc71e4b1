/**
 * 2-d convolution at the array level (NCHW): option defaults, PyTorch's checks and output size,
 * then the backend's kernel. No bias: add it with broadcasting.
 */
import type { Conv2dGeometry } from './backend.js';
import { sameBackend } from './device.js';
import { isFloat, type Shape } from './dtype.js';
import type { NDArray } from './ndarray.js';
import { formatShape } from './shape.js';

/** A size per spatial dim, `[height, width]`. */
export type Pair = [number, number];

/** Options of `conv2d` and its backward functions; a number means the same for both dims. */
export interface Conv2dOptions {
  stride?: number | Pair;
  padding?: number | Pair;
  dilation?: number | Pair;
  groups?: number;
}

/**
 * `[v, v]` for a number, the pair itself otherwise; every entry an integer >= `min`.
 *
 * @example
 * toPair(3, 'kernel', 1); // [3, 3]
 */
export function toPair(v: number | readonly number[], name: string, min: number): Pair {
  const p: number[] = typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new RangeError(`${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/**
 * PyTorch's convolution output size: `floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1`.
 *
 * @example
 * convOutputSize(28, 5, 1, 1, 1); // 26
 */
export function convOutputSize(inSize: number, kernel: number, stride = 1, padding = 0, dilation = 1): number {
  return Math.floor((inSize + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

function checkFloat(op: string, ...xs: NDArray[]): void {
  for (const x of xs) {
    if (!isFloat(x.dtype)) throw new TypeError(`${op}: dtype mismatch: expected float32 or float64, got ${x.dtype}`);
  }
  for (const x of xs) {
    if (x.dtype !== xs[0].dtype) {
      throw new TypeError(`${op}: dtype mismatch: input is ${xs[0].dtype} but another argument is ${x.dtype}`);
    }
  }
}

/** The full geometry of a convolution from the input and weight shapes, with PyTorch's checks. */
function geometry(op: string, xShape: Shape, wShape: Shape, opts: Conv2dOptions): Conv2dGeometry {
  if (wShape.length !== 4) throw new Error(`${op}: weight must be 4-d [O, C/groups, kH, kW], got ${formatShape(wShape)}`);
  if (xShape.length !== 4) {
    throw new Error(
      `${op}: expected 4-d input [N, C, H, W] for 4-d weight ${formatShape(wShape)}, but got ${xShape.length}-d input of shape ${formatShape(xShape)}`,
    );
  }
  const [strideH, strideW] = toPair(opts.stride ?? 1, `${op}: stride`, 1);
  const [padH, padW] = toPair(opts.padding ?? 0, `${op}: padding`, 0);
  const [dilationH, dilationW] = toPair(opts.dilation ?? 1, `${op}: dilation`, 1);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  const [n, c, h, w] = xShape;
  const [o, cg, kh, kw] = wShape;
  if (o % groups !== 0) {
    throw new Error(`${op}: given groups=${groups}, expected weight to be divisible by ${groups} at dim 0, but got weight of shape ${formatShape(wShape)}`);
  }
  if (c !== cg * groups) {
    throw new Error(
      `${op}: given groups=${groups}, weight of shape ${formatShape(wShape)}, expected input ${formatShape(xShape)} to have ${cg * groups} channels, but got ${c} channels instead`,
    );
  }
  const effH = dilationH * (kh - 1) + 1;
  const effW = dilationW * (kw - 1) + 1;
  if (h + 2 * padH < effH || w + 2 * padW < effW) {
    throw new Error(
      `${op}: calculated padded input size per channel: (${h + 2 * padH} x ${w + 2 * padW}). Kernel size: (${effH} x ${effW}). Kernel size can't be greater than actual input size`,
    );
  }
  const oh = convOutputSize(h, kh, strideH, padH, dilationH);
  const ow = convOutputSize(w, kw, strideW, padW, dilationW);
  return { n, c, h, w, o, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups, oh, ow };
}

/**
 * 2-d cross-correlation (PyTorch's conv2d without bias): `x [N, C, H, W]`,
 * `w [O, C/groups, kH, kW]` -> `[N, O, Ho, Wo]`.
 *
 * @example
 * conv2d(ones([1, 1, 3, 3]), ones([1, 1, 2, 2])).toArray(); // [[[[4, 4], [4, 4]]]]
 */
export function conv2d(x: NDArray, w: NDArray, opts: Conv2dOptions = {}): NDArray {
  checkFloat('conv2d', x, w);
  return sameBackend('conv2d', [x, w]).conv2d(x, w, geometry('conv2d', x.shape, w.shape, opts));
}

/**
 * The gradient of `conv2d` with respect to its input, given the output gradient `gy`.
 *
 * @example
 * conv2dBackwardInput(ones([1, 1, 2, 2]), ones([1, 1, 2, 2]), [1, 1, 3, 3]).shape; // [1, 1, 3, 3]
 */
export function conv2dBackwardInput(gy: NDArray, w: NDArray, inputShape: Shape, opts: Conv2dOptions = {}): NDArray {
  checkFloat('conv2dBackwardInput', gy, w);
  const g = geometry('conv2dBackwardInput', inputShape, w.shape, opts);
  checkGradShape('conv2dBackwardInput', gy.shape, [g.n, g.o, g.oh, g.ow]);
  return sameBackend('conv2dBackwardInput', [gy, w]).conv2dBackwardInput(gy, w, g);
}

/**
 * The gradient of `conv2d` with respect to its weight, given the output gradient `gy`.
 *
 * @example
 * conv2dBackwardWeight(ones([1, 1, 2, 2]), ones([1, 1, 3, 3]), [1, 1, 2, 2]).toArray(); // [[[[4, 4], [4, 4]]]]
 */
export function conv2dBackwardWeight(gy: NDArray, x: NDArray, weightShape: Shape, opts: Conv2dOptions = {}): NDArray {
  checkFloat('conv2dBackwardWeight', gy, x);
  const g = geometry('conv2dBackwardWeight', x.shape, weightShape, opts);
  checkGradShape('conv2dBackwardWeight', gy.shape, [g.n, g.o, g.oh, g.ow]);
  return sameBackend('conv2dBackwardWeight', [gy, x]).conv2dBackwardWeight(gy, x, g);
}

/**
 * Throws unless an incoming gradient has the forward output's shape.
 *
 * @example
 * checkGradShape('conv2dBackwardInput', [1, 2, 3, 3], [1, 2, 3, 3]); // passes
 */
export function checkGradShape(op: string, got: Shape, expected: Shape): void {
  if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
    throw new Error(`${op}: gradient of shape ${formatShape(got)} does not match the output shape ${formatShape(expected)}`);
  }
}
