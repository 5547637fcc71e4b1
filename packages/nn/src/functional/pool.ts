import { avgPool2d as avgPoolTensor, maxPool2dWithIndices as maxPoolTensor } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';
import { poolOutputSize } from '@tsgrad/ndarray';
import { checkTensor } from './check-tensor.js';
import { torchShape } from '../repr.js';
import { toPair, type IntOrPair, type Pair } from './pair.js';

/** Options of {@link maxPool2d}, as PyTorch's `F.max_pool2d` (stride defaults to the kernel size). */
export interface MaxPool2dOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}, as PyTorch's `F.avg_pool2d` (stride defaults to the kernel size). */
export interface AvgPool2dOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  /** Divide by the whole window, zero padding included (default), or by the real pixels only. */
  countIncludePad?: boolean;
  /** Divide every window by this instead. */
  divisorOverride?: number | null;
}

/** The resolved geometry of a pooling window, after PyTorch's checks. */
interface PoolGeometry {
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
}

/**
 * Checks a pooling call as PyTorch does: a 3-d or 4-d input, padding at most half the kernel,
 * and an output of at least one pixel; returns the window as pairs.
 */
function poolGeometry(
  fn: string, input: Tensor, kernelSize: IntOrPair, stride: IntOrPair | null, padding: IntOrPair,
  dilation: IntOrPair, ceilMode: boolean,
): PoolGeometry {
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new Error(`${fn}: Expected 3D or 4D (batch mode) tensor for input, but got input of size: ${torchShape(input.shape)}`);
  }
  const kernel = toPair(kernelSize, 'kernelSize', 1);
  const s = stride === null ? kernel : toPair(stride, 'stride', 1);
  const p = toPair(padding, 'padding');
  const d = toPair(dilation, 'dilation', 1);
  for (let i = 0; i < 2; i++) {
    if (p[i] > Math.floor(kernel[i] / 2)) {
      throw new Error(`pad should be at most half of kernel size, but got pad=${p[i]} and kernelSize=${kernel[i]}`);
    }
  }
  const [h, w] = input.shape.slice(-2);
  const oh = poolOutputSize(h, kernel[0], s[0], p[0], d[0], ceilMode);
  const ow = poolOutputSize(w, kernel[1], s[1], p[1], d[1], ceilMode);
  if (oh < 1 || ow < 1) {
    const c = input.shape[input.ndim - 3];
    throw new Error(`Given input size: (${c}x${h}x${w}). Calculated output size: (${c}x${oh}x${ow}). Output size is too small`);
  }
  return { kernel, stride: s, padding: p, dilation: d };
}

/** Runs a 4-d pool on a 3-d (unbatched) input by adding and then dropping a batch dim. */
function batched<T>(input: Tensor, fn: (x: Tensor) => T, unbatch: (y: T) => T): T {
  return input.ndim === 3 ? unbatch(fn(input.unsqueeze(0))) : fn(input);
}

/**
 * Max pooling that also returns where each maximum came from (flat indices within each H*W plane,
 * as PyTorch's `return_indices=True`). Ties go to the first maximum in the window, as PyTorch.
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * const { values, indices } = maxPool2dWithIndices(randn([1, 1, 4, 4]), 2);
 * values.shape; // [1, 1, 2, 2]
 */
export function maxPool2dWithIndices(
  input: Tensor, kernelSize: IntOrPair,
  { stride = null, padding = 0, dilation = 1, ceilMode = false }: MaxPool2dOptions = {},
): { values: Tensor; indices: Tensor } {
  checkTensor('maxPool2d', 'input', input);
  const g = poolGeometry('maxPool2d', input, kernelSize, stride, padding, dilation, ceilMode);
  return batched(
    input,
    (x) => maxPoolTensor(x, { ...g, ceilMode }),
    ({ values, indices }) => ({ values: values.squeeze(0), indices: indices.squeeze(0) }),
  );
}

/**
 * 2-d max pooling, PyTorch's `F.max_pool2d` (padding pads with -inf; `ceilMode` keeps a last, partial
 * window when it starts inside the input or the left padding).
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * maxPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).data.toArray(); // [[[[4]]]]
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(input, kernelSize, options).values;
}

/**
 * 2-d average pooling, PyTorch's `F.avg_pool2d`: each window's mean, dividing by the window's size
 * including zero padding (`countIncludePad`, the default) or by the count of real pixels only;
 * `divisorOverride` divides by a fixed number instead.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * avgPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).data.toArray(); // [[[[2.5]]]]
 */
export function avgPool2d(
  input: Tensor, kernelSize: IntOrPair,
  { stride = null, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null }: AvgPool2dOptions = {},
): Tensor {
  checkTensor('avgPool2d', 'input', input);
  const { kernel, stride: s, padding: p } = poolGeometry('avgPool2d', input, kernelSize, stride, padding, 1, ceilMode);
  if (divisorOverride !== null && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) {
    throw new Error(`divisor must be not zero, got divisorOverride=${divisorOverride}`);
  }
  const opts = { kernel, stride: s, padding: p, ceilMode, countIncludePad, divisorOverride: divisorOverride ?? undefined };
  return batched(input, (x) => avgPoolTensor(x, opts), (y) => y.squeeze(0));
}
