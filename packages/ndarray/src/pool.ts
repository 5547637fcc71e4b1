/**
 * 2-d max and average pooling at the array level (NCHW): defaults, PyTorch's checks and output
 * size (including ceil mode), then the backend's kernel.
 */
import type { Pool2dGeometry } from './backend.js';
import { sameBackend } from './device.js';
import { isFloat, type Shape } from './dtype.js';
import type { NDArray } from './ndarray.js';
import { formatShape } from './shape.js';
import { checkGradShape, toPair, type Pair } from './conv.js';

/** Options of `maxPool2d`; stride defaults to the kernel size. */
export interface MaxPool2dOptions {
  kernel: number | Pair;
  stride?: number | Pair;
  padding?: number | Pair;
  dilation?: number | Pair;
  ceilMode?: boolean;
}

/** Options of `avgPool2d`; stride defaults to the kernel size. */
export interface AvgPool2dOptions {
  kernel: number | Pair;
  stride?: number | Pair;
  padding?: number | Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number;
}

/**
 * PyTorch's pooling output size. With `ceilMode` the division rounds up, but the last window
 * must start inside the input or the left padding (else it is dropped).
 *
 * @example
 * poolOutputSize(5, 2, 2, 0, 1, false); // 2
 * poolOutputSize(5, 2, 2, 0, 1, true);  // 3
 */
export function poolOutputSize(inSize: number, kernel: number, stride: number, padding = 0, dilation = 1, ceilMode = false): number {
  const span = inSize + 2 * padding - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inSize + padding) out--;
  return out;
}

/** The geometry of a pooling, with PyTorch's checks. */
function geometry(op: string, shape: Shape, o: MaxPool2dOptions): Pool2dGeometry {
  if (shape.length !== 4) throw new Error(`${op}: expected a 4-d input [N, C, H, W], got shape ${formatShape(shape)}`);
  const [kh, kw] = toPair(o.kernel, `${op}: kernel`, 1);
  const [strideH, strideW] = toPair(o.stride ?? [kh, kw], `${op}: stride`, 1);
  const [padH, padW] = toPair(o.padding ?? 0, `${op}: padding`, 0);
  const [dilationH, dilationW] = toPair(o.dilation ?? 1, `${op}: dilation`, 1);
  const effH = dilationH * (kh - 1) + 1;
  const effW = dilationW * (kw - 1) + 1;
  if (2 * padH > effH || 2 * padW > effW) {
    throw new Error(
      `${op}: pad should be at most half of effective kernel size, but got pad=[${padH},${padW}], kernel=[${kh},${kw}] and dilation=[${dilationH},${dilationW}]`,
    );
  }
  const [n, c, h, w] = shape;
  const ceil = o.ceilMode ?? false;
  const oh = poolOutputSize(h, kh, strideH, padH, dilationH, ceil);
  const ow = poolOutputSize(w, kw, strideW, padW, dilationW, ceil);
  if (oh < 1 || ow < 1) {
    throw new Error(`${op}: given input size (${c}x${h}x${w}), calculated output size (${c}x${oh}x${ow}) is too small`);
  }
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow };
}

function checkFloat(op: string, x: NDArray): void {
  if (!isFloat(x.dtype)) throw new TypeError(`${op}: dtype mismatch: expected float32 or float64, got ${x.dtype}`);
}

/**
 * Max pooling with the flat index (within each H*W plane) of every maximum, as PyTorch's
 * `max_pool2d(..., return_indices=True)`.
 *
 * @example
 * maxPool2d(arange(16).astype('float32').reshape([1, 1, 4, 4]), { kernel: 2 }).values.toArray(); // [[[[5, 7], [13, 15]]]]
 */
export function maxPool2d(x: NDArray, opts: MaxPool2dOptions): { values: NDArray; indices: NDArray } {
  checkFloat('maxPool2d', x);
  return sameBackend('maxPool2d', [x]).maxPool2d(x, geometry('maxPool2d', x.shape, opts));
}

/**
 * The gradient of `maxPool2d`: each `gy` entry is added at its recorded index.
 *
 * @example
 * const { indices } = maxPool2d(ones([1, 1, 2, 2]), { kernel: 2 });
 * maxPool2dBackward(ones([1, 1, 1, 1]), indices, [1, 1, 2, 2]).toArray(); // [[[[1, 0], [0, 0]]]]
 */
export function maxPool2dBackward(gy: NDArray, indices: NDArray, inputShape: Shape): NDArray {
  checkFloat('maxPool2dBackward', gy);
  if (inputShape.length !== 4 || gy.ndim !== 4) {
    throw new Error(`maxPool2dBackward: expected 4-d gradient and input shape, got ${formatShape(gy.shape)} and ${formatShape(inputShape)}`);
  }
  if (indices.dtype !== 'int32') throw new TypeError(`maxPool2dBackward: dtype mismatch: indices must be int32, got ${indices.dtype}`);
  checkGradShape('maxPool2dBackward', indices.shape, gy.shape);
  const [n, c, h, w] = inputShape;
  checkGradShape('maxPool2dBackward', gy.shape.slice(0, 2), [n, c]);
  const [oh, ow] = [gy.shape[2], gy.shape[3]];
  // Backward only scatters through the indices; the window geometry is not needed.
  const g: Pool2dGeometry = { n, c, h, w, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, oh, ow };
  return sameBackend('maxPool2dBackward', [gy, indices]).maxPool2dBackward(gy, indices, g);
}

/**
 * Average pooling (PyTorch's `avg_pool2d`): `countIncludePad` (default true) counts padded
 * zeros in the divisor; `divisorOverride` replaces the divisor.
 *
 * @example
 * avgPool2d(arange(16).astype('float32').reshape([1, 1, 4, 4]), { kernel: 2 }).toArray(); // [[[[2.5, 4.5], [10.5, 12.5]]]]
 */
export function avgPool2d(x: NDArray, opts: AvgPool2dOptions): NDArray {
  checkFloat('avgPool2d', x);
  const g = geometry('avgPool2d', x.shape, opts);
  return sameBackend('avgPool2d', [x]).avgPool2d(x, g, opts.countIncludePad ?? true, opts.divisorOverride);
}

/**
 * The gradient of `avgPool2d` with respect to its input.
 *
 * @example
 * avgPool2dBackward(ones([1, 1, 1, 1]), [1, 1, 2, 2], { kernel: 2 }).toArray(); // [[[[0.25, 0.25], [0.25, 0.25]]]]
 */
export function avgPool2dBackward(gy: NDArray, inputShape: Shape, opts: AvgPool2dOptions): NDArray {
  checkFloat('avgPool2dBackward', gy);
  const g = geometry('avgPool2dBackward', inputShape, opts);
  checkGradShape('avgPool2dBackward', gy.shape, [g.n, g.c, g.oh, g.ow]);
  return sameBackend('avgPool2dBackward', [gy]).avgPool2dBackward(gy, g, opts.countIncludePad ?? true, opts.divisorOverride);
}
