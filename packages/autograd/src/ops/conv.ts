/**
 * 2-d convolution (cross-correlation, as every framework computes it), NCHW, no bias. Forward
 * and both backward kernels come from @tsgrad/ndarray; the input gradient is skipped when the
 * input needs none (the images of a first layer).
 */
import {
  conv2d as conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  type Conv2dOptions as ArrayConv2dOptions,
} from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import type { Tensor } from '../tensor.js';

/** A size given once for both spatial dims, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of {@link conv2d}, with PyTorch's defaults. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side of the input (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups: in and out channels are split into this many independent convs (default 1). */
  groups?: number;
}

/**
 * `[n, n]` for a single `n`, else the pair itself.
 *
 * @example
 * pair(3); // [3, 3]
 */
export function pair(v: Size2): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

const conv2dOp = defineOp({
  name: 'conv2d',
  forward: ([x, w], opts: ArrayConv2dOptions) => conv2dForward(x, w, opts),
  backward: (g, { inputs: [x, w], params: [opts], needs }) => [
    needs[0] ? conv2dBackwardInput(g, w, x.shape, opts) : null,
    needs[1] ? conv2dBackwardWeight(g, x, w.shape, opts) : null,
  ],
});

/**
 * Convolves `x` `[N, C, H, W]` with `w` `[O, C/groups, kH, kW]`, giving `[N, O, Ho, Wo]`.
 *
 * @example
 * const x = randn([1, 1, 5, 5]);
 * const w = randn([2, 1, 3, 3], { requiresGrad: true });
 * conv2d(x, w, { padding: 1 }).shape; // [1, 2, 5, 5]
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  return conv2dOp([x, w], {
    stride: pair(opts.stride ?? 1),
    padding: pair(opts.padding ?? 0),
    dilation: pair(opts.dilation ?? 1),
    groups: opts.groups ?? 1,
  });
}
