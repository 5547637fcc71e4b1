import type { Tensor } from '@tsgrad/autograd';
import { avgPool2d, type AvgPool2dOptions } from '../functional/pool.js';
import { formatIntOrPair, toPair, type IntOrPair } from '../functional/pair.js';
import { Module } from '../module.js';

/** Options of {@link AvgPool2d}: those of `functional.avgPool2d`, with PyTorch's defaults (stride: the kernel size). */
export type { AvgPool2dOptions };

/**
 * 2-d average pooling, as PyTorch's `nn.AvgPool2d`.
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * new AvgPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 */
export class AvgPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(
    kernelSize: IntOrPair,
    { stride = null, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null }: AvgPool2dOptions = {},
  ) {
    super();
    toPair(kernelSize, 'kernelSize', 1);
    if (stride !== null) toPair(stride, 'stride', 1);
    toPair(padding, 'padding');
    this.kernelSize = kernelSize;
    this.stride = stride ?? kernelSize;
    this.padding = padding;
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
    this.divisorOverride = divisorOverride;
  }

  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${formatIntOrPair(this.kernelSize)}, stride=${formatIntOrPair(this.stride)}, padding=${formatIntOrPair(this.padding)}`;
  }
}
