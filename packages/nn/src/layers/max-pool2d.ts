import type { Tensor } from '@tsgrad/autograd';
import { maxPool2dWithIndices } from '../functional/pool.js';
import { formatIntOrPair, toPair, type IntOrPair } from '../functional/pair.js';
import { Module } from '../module.js';
import { pyValue } from '../repr.js';

/** Options of {@link MaxPool2d}, with PyTorch's defaults (stride: the kernel size). */
export interface MaxPool2dOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
  /** Keep the indices of the last forward's maxima in `indices` (for an unpooling layer). */
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
 */
export class MaxPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;
  /** With `returnIndices`: where each maximum of the last forward came from (flat within each H*W plane). */
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

  forward(input: Tensor): Tensor {
    const { values, indices } = maxPool2dWithIndices(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode,
    });
    if (this.returnIndices) this.indices = indices;
    return values;
  }

  override extraRepr(): string {
    return `kernel_size=${formatIntOrPair(this.kernelSize)}, stride=${formatIntOrPair(this.stride)}, ` +
      `padding=${formatIntOrPair(this.padding)}, dilation=${formatIntOrPair(this.dilation)}, ceil_mode=${pyValue(this.ceilMode)}`;
  }
}
