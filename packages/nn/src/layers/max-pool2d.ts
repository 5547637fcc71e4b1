import type { Tensor } from '@tsgrad/autograd';
import { maxPool2dWithIndices, type MaxPool2dOptions as MaxPool2dFunctionalOptions } from '../functional/pool.js';
import { formatIntOrPair, toPair, type IntOrPair } from '../functional/pair.js';
import { Module } from '../module.js';
import { pyValue } from '../repr.js';

/** Options of {@link MaxPool2d}, with PyTorch's defaults (stride: the kernel size). */
export interface MaxPool2dOptions extends MaxPool2dFunctionalOptions {
  /**
   * Keep where the maxima of the last `forward` came from in `indices` (default false). PyTorch's
   * `return_indices=True` makes `forward` return a tuple; here `forward` always returns the values (so
   * the layer still fits in a `Sequential`) and `forwardWithIndices` returns both.
   */
  returnIndices?: boolean;
}

/**
 * 2-d max pooling, as PyTorch's `nn.MaxPool2d`: Ho = floor((H + 2p - d(k-1) - 1) / s) + 1 (ceil with
 * `ceilMode`, dropping a last window that would start in the right padding). The padding is -inf and
 * may be at most half the kernel.
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * new MaxPool2d(2, { stride: 2 }).forward(randn([1, 32, 26, 26])).shape; // [1, 32, 13, 13]
 * const { values, indices } = new MaxPool2d(2).forwardWithIndices(randn([1, 1, 4, 4])); // PyTorch's (y, idx)
 * indices.dtype; // 'int32': flat positions within each 4x4 plane
 */
export class MaxPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  /** With `returnIndices`: where each maximum of the last `forward` came from (flat within each H*W plane). */
  indices: Tensor | null = null;

  constructor(
    kernelSize: IntOrPair,
    { stride = null, padding = 0, dilation = 1, ceilMode = false, returnIndices = false }: MaxPool2dOptions = {},
  ) {
    super();
    toPair(kernelSize, 'kernelSize', 1);
    if (stride !== null) toPair(stride, 'stride', 1);
    toPair(padding, 'padding');
    toPair(dilation, 'dilation', 1);
    this.kernelSize = kernelSize;
    this.stride = stride ?? kernelSize;
    this.padding = padding;
    this.dilation = dilation;
    this.ceilMode = ceilMode;
    this.returnIndices = returnIndices;
  }

  /** The pooled values; with `returnIndices`, also keeps their positions in `indices`. */
  forward(input: Tensor): Tensor {
    const { values, indices } = this.forwardWithIndices(input);
    if (this.returnIndices) this.indices = indices;
    return values;
  }

  /**
   * The pooled values and where each came from: int32 indices, flat within each H*W plane of the
   * input, as PyTorch's `MaxPool2d(return_indices=True)` returns them. Ties go to the first maximum.
   *
   * @example
   * import { tensor } from '@tsgrad/autograd';
   * const { values, indices } = new MaxPool2d(2).forwardWithIndices(tensor([[[[1, 5], [7, 2]]]]));
   * values.data.toArray(); // [[[[7]]]]
   * indices.data.toArray(); // [[[[2]]]]: row 1, column 0 of the 2x2 plane
   */
  forwardWithIndices(input: Tensor): { values: Tensor; indices: Tensor } {
    return maxPool2dWithIndices(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${formatIntOrPair(this.kernelSize)}, stride=${formatIntOrPair(this.stride)}, ` +
      `padding=${formatIntOrPair(this.padding)}, dilation=${formatIntOrPair(this.dilation)}, ceil_mode=${pyValue(this.ceilMode)}`;
  }
}
