import type { Tensor } from '@tsgrad/autograd';
import { zeros, type Generator } from '@tsgrad/ndarray';
import { checkKernelFits, conv2d, resolveConvPadding, type Conv2dPadding } from '../functional/conv2d.js';
import { pad } from '../functional/pad.js';
import { toPair, type IntOrPair, type Pair } from '../functional/pair.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** How Conv2d fills its padding: zeros, a mirror image, the edge repeated, or wrap-around. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of {@link Conv2d}, with PyTorch's defaults. */
export interface Conv2dOptions {
  stride?: IntOrPair;
  /** Zeros on each side (`number`, `[h, w]`), `'valid'` (none) or `'same'` (keep the size; stride 1 only). */
  padding?: Conv2dPadding;
  dilation?: IntOrPair;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/**
 * A 2-d convolution layer, as PyTorch's `nn.Conv2d`: input [N, inChannels, H, W] (or [C, H, W]) to
 * [N, outChannels, Ho, Wo] with Ho = floor((H + 2p - d(k-1) - 1) / s) + 1. `weight` is
 * [out, in/groups, kh, kw]; weight and bias start as U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with
 * fanIn = (in/groups) * kh * kw (PyTorch's kaiming-uniform with a = sqrt(5)).
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * const conv = new Conv2d(1, 32, 5, { padding: 1 });
 * conv.forward(randn([64, 1, 28, 28])).shape; // [64, 32, 26, 26]
 * String(conv); // 'Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1), padding=(1, 1))'
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair | 'valid' | 'same';
  readonly dilation: Pair;
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    inChannels: number, outChannels: number, kernelSize: IntOrPair,
    { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros', dtype = 'float32', generator }:
    Conv2dOptions = {},
  ) {
    super();
    if (!Number.isInteger(groups) || groups <= 0) throw new Error(`groups must be a positive integer, got ${groups}`);
    if (!Number.isInteger(inChannels) || inChannels <= 0) throw new Error(`inChannels must be a positive integer, got ${inChannels}`);
    if (!Number.isInteger(outChannels) || outChannels <= 0) throw new Error(`outChannels must be a positive integer, got ${outChannels}`);
    if (inChannels % groups !== 0) throw new Error(`inChannels must be divisible by groups (inChannels=${inChannels}, groups=${groups})`);
    if (outChannels % groups !== 0) throw new Error(`outChannels must be divisible by groups (outChannels=${outChannels}, groups=${groups})`);
    if (!PADDING_MODES.includes(paddingMode)) {
      throw new Error(`paddingMode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got paddingMode='${String(paddingMode)}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = toPair(kernelSize, 'kernelSize', 1);
    this.stride = toPair(stride, 'stride', 1);
    this.dilation = toPair(dilation, 'dilation', 1);
    // Checks 'same' against the stride and a bad string, now rather than at the first forward.
    resolveConvPadding(padding, this.kernelSize, this.stride, this.dilation);
    this.padding = typeof padding === 'string' ? padding : toPair(padding, 'padding');
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize], dtype));
    this.bias = bias ? new Parameter(zeros([outChannels], dtype)) : null;
    this.resetParameters(generator);
  }

  /**
   * PyTorch's initialisation: kaiming-uniform (a = sqrt(5)) for the weight, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for the bias.
   *
   * @example
   * new Conv2d(3, 8, 3).resetParameters(new Generator(0));
   */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight.shape);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound, { generator });
    }
  }

  forward(input: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv2d(input, this.weight, this.bias, { ...options, padding: this.padding });
    // Other modes pad explicitly (left, right, top, bottom), then convolve without padding, as PyTorch.
    const { before, after } = resolveConvPadding(this.padding, this.kernelSize, this.stride, this.dilation);
    if (input.ndim !== 3 && input.ndim !== 4) {
      throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [${input.shape.join(', ')}]`);
    }
    checkKernelFits(input.ndim === 3 ? [1, ...input.shape] : input.shape, before, this.kernelSize, this.dilation);
    const mode = this.paddingMode;
    const padded = pad(input, [before[1], after[1], before[0], after[0]], mode);
    return conv2d(padded, this.weight, this.bias, { ...options, padding: 0 });
  }

  override extraRepr(): string {
    const pairs = (p: Pair): string => `(${p[0]}, ${p[1]})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pairs(this.kernelSize)}, stride=${pairs(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pairs(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pairs(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}
