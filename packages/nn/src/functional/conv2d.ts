import { conv2d as convTensor } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';
import { checkTensor } from './check-tensor.js';
import { torchShape } from '../repr.js';
import { pad } from './pad.js';
import { toPair, type IntOrPair, type Pair } from './pair.js';

/** Conv padding: zeros on each side (`number` or `[h, w]`), none (`'valid'`), or enough to keep the size (`'same'`). */
export type Conv2dPadding = IntOrPair | 'valid' | 'same';

/** Options of {@link conv2d}, as PyTorch's `F.conv2d`. */
export interface Conv2dFunctionalOptions {
  stride?: IntOrPair;
  padding?: Conv2dPadding;
  dilation?: IntOrPair;
  groups?: number;
}

/**
 * The padding 'same' needs: a total of dilation * (kernel - 1) per dim, half on the top/left and the
 * odd pixel, if any, on the bottom/right (as PyTorch).
 *
 * @example
 * samePadding([4, 3], [1, 1]); // { before: [1, 1], after: [2, 1] }
 */
export function samePadding(kernel: Pair, dilation: Pair): { before: Pair; after: Pair } {
  const total: Pair = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
  const before: Pair = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
  return { before, after: [total[0] - before[0], total[1] - before[1]] };
}

/**
 * Resolves a conv padding argument to the zeros padding on each side, checking PyTorch's rules.
 *
 * @example
 * resolveConvPadding('same', [4, 4], [1, 1], [1, 1]); // { before: [1, 1], after: [2, 2] }
 */
export function resolveConvPadding(
  padding: Conv2dPadding, kernel: Pair, stride: Pair, dilation: Pair,
): { before: Pair; after: Pair } {
  if (padding === 'valid') return { before: [0, 0], after: [0, 0] };
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new Error(`padding='same' is not supported for strided convolutions (stride=(${stride.join(', ')}))`);
    }
    return samePadding(kernel, dilation);
  }
  if (typeof padding === 'string') {
    throw new Error(`Invalid padding string '${String(padding)}', should be one of ['valid', 'same']`);
  }
  const p = toPair(padding, 'padding');
  return { before: p, after: p };
}

/**
 * 2-d convolution (cross-correlation, as every framework) of `input` [N, C, H, W] (or unbatched [C, H, W])
 * with `weight` [O, C/groups, kh, kw], plus `bias` [O]; PyTorch's `F.conv2d`. Differentiable in all three.
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * conv2d(randn([1, 3, 8, 8]), randn([4, 3, 3, 3]), null, { padding: 'same' }).shape; // [1, 4, 8, 8]
 */
export function conv2d(
  input: Tensor, weight: Tensor, bias: Tensor | null = null,
  { stride = 1, padding = 0, dilation = 1, groups = 1 }: Conv2dFunctionalOptions = {},
): Tensor {
  checkTensor('conv2d', 'input', input);
  checkTensor('conv2d', 'weight', weight);
  if (input.ndim === 3) {
    return conv2d(input.unsqueeze(0), weight, bias, { stride, padding, dilation, groups }).squeeze(0);
  }
  if (input.ndim !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${torchShape(input.shape)}`);
  }
  if (weight.ndim !== 4) throw new Error(`conv2d: expected a 4-d weight [out, in/groups, kh, kw], got ${torchShape(weight.shape)}`);
  if (input.dtype !== weight.dtype) {
    throw new Error(`conv2d: input (${input.dtype}) and weight (${weight.dtype}) must have the same dtype`);
  }
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`non-positive groups is not supported (groups=${groups})`);
  const [outChannels, inPerGroup, kh, kw] = weight.shape;
  if (input.shape[1] !== inPerGroup * groups) {
    throw new Error(`Given groups=${groups}, weight of size ${torchShape(weight.shape)}, expected input${torchShape(input.shape)} ` +
      `to have ${inPerGroup * groups} channels, but got ${input.shape[1]} channels instead`);
  }
  if (outChannels % groups !== 0) {
    throw new Error(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${torchShape(weight.shape)} instead`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`Given weight of size ${torchShape(weight.shape)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${torchShape(bias.shape)} instead`);
  }
  const s = toPair(stride, 'stride', 1);
  const d = toPair(dilation, 'dilation', 1);
  const { before, after } = resolveConvPadding(padding, [kh, kw], s, d);
  // The conv kernel pads symmetrically: the extra bottom/right pixel of 'same' is an explicit pad.
  const symmetric = after[0] === before[0] && after[1] === before[1];
  const x = symmetric ? input : pad(input, [0, after[1] - before[1], 0, after[0] - before[0]]);
  checkKernelFits(x.shape, before, [kh, kw], d);
  const y = convTensor(x, weight, { stride: s, padding: before, dilation: d, groups });
  return bias === null ? y : y.add(bias.reshape([1, outChannels, 1, 1]));
}

/**
 * PyTorch's check that the (dilated) kernel fits in the padded input `[N, C, H, W]`; throws naming both sizes.
 *
 * @example
 * checkKernelFits([1, 4, 3, 3], [0, 0], [5, 5], [1, 1]); // throws: Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size can't be greater than actual input size
 */
export function checkKernelFits(shape: readonly number[], padding: Pair, kernel: Pair, dilation: Pair): void {
  const h = shape[2] + 2 * padding[0];
  const w = shape[3] + 2 * padding[1];
  const ekh = dilation[0] * (kernel[0] - 1) + 1;
  const ekw = dilation[1] * (kernel[1] - 1) + 1;
  if (h < ekh || w < ekw) {
    throw new Error(`Calculated padded input size per channel: (${h} x ${w}). Kernel size: (${ekh} x ${ekw}). ` +
      `Kernel size can't be greater than actual input size`);
  }
}
