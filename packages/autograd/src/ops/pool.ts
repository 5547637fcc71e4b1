/**
 * 2-d pooling, NCHW. Max pooling saves the flat index of each window's maximum, so its backward
 * sends each gradient to that one element; average pooling spreads it over the window.
 */
import {
  avgPool2d as avgPool2dForward,
  avgPool2dBackward,
  maxPool2d as maxPool2dForward,
  maxPool2dBackward,
  type AvgPool2dOptions as ArrayAvgPool2dOptions,
  type MaxPool2dOptions as ArrayMaxPool2dOptions,
} from '@tsgrad/ndarray';
import { defineOp, defineSavingOp } from '../define-op.js';
import { Tensor } from '../tensor.js';
import { pair, type Size2 } from './conv.js';

/** Options of {@link maxPool2d}, with PyTorch's defaults. */
export interface MaxPool2dOptions {
  /** Window size. */
  kernel: Size2;
  /** Step between windows (default: the kernel size). */
  stride?: Size2;
  /** Implicit -inf added on each side (default 0; at most half the kernel). */
  padding?: Size2;
  /** Spacing between window taps (default 1). */
  dilation?: Size2;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}, with PyTorch's defaults. */
export interface AvgPool2dOptions {
  kernel: Size2;
  stride?: Size2;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number;
}

const maxPool2dOp = defineSavingOp({
  name: 'maxPool2d',
  forward: ([x], opts: ArrayMaxPool2dOptions) => {
    const { values, indices } = maxPool2dForward(x, opts);
    return { out: values, saved: indices };
  },
  backward: (g, { inputs: [x], saved: indices }) => [maxPool2dBackward(g, indices, x.shape)],
});

const avgPool2dOp = defineOp({
  name: 'avgPool2d',
  forward: ([x], opts: ArrayAvgPool2dOptions) => avgPool2dForward(x, opts),
  backward: (g, { inputs: [x], params: [opts] }) => [avgPool2dBackward(g, x.shape, opts)],
});

/** PyTorch requires the kernel size; without it the error says so, not `undefined.kernel`. */
function checkKernel(op: string, opts: { kernel?: Size2 } | undefined): void {
  if (opts?.kernel === undefined) throw new TypeError(`${op}: missing the kernel size, e.g. ${op}(x, { kernel: 2 })`);
}

function maxOptions(opts: MaxPool2dOptions): ArrayMaxPool2dOptions {
  checkKernel('maxPool2d', opts);
  return {
    kernel: pair(opts.kernel),
    stride: pair(opts.stride ?? opts.kernel),
    padding: pair(opts.padding ?? 0),
    dilation: pair(opts.dilation ?? 1),
    ceilMode: opts.ceilMode ?? false,
  };
}

/**
 * Max pooling that also returns, for each output, the flat index of the chosen input element
 * within its `H*W` plane (PyTorch's `return_indices=True`). The indices carry no gradient.
 *
 * @example
 * const { values, indices } = maxPool2dWithIndices(randn([1, 1, 4, 4]), { kernel: 2 });
 * values.shape; // [1, 1, 2, 2]
 */
export function maxPool2dWithIndices(x: Tensor, opts: MaxPool2dOptions): { values: Tensor; indices: Tensor } {
  const { out, saved } = maxPool2dOp([x], maxOptions(opts));
  return { values: out, indices: new Tensor(saved) };
}

/**
 * Max pooling over `kernel`-sized windows of `[N, C, H, W]`.
 *
 * @example
 * maxPool2d(randn([1, 1, 4, 4]), { kernel: 2 }).shape; // [1, 1, 2, 2]
 */
export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  return maxPool2dOp([x], maxOptions(opts)).out;
}

/**
 * Average pooling over `kernel`-sized windows of `[N, C, H, W]`.
 *
 * @example
 * avgPool2d(ones([1, 1, 4, 4]), { kernel: 2 }).toArray(); // [[[[1, 1], [1, 1]]]]
 */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  checkKernel('avgPool2d', opts);
  const arrayOpts: ArrayAvgPool2dOptions = {
    kernel: pair(opts.kernel),
    stride: pair(opts.stride ?? opts.kernel),
    padding: pair(opts.padding ?? 0),
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
  };
  if (opts.divisorOverride !== undefined) arrayOpts.divisorOverride = opts.divisorOverride;
  return avgPool2dOp([x], arrayOpts);
}
