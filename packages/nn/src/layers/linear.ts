import type { Tensor } from '@tsgrad/autograd';
import { zeros, type Generator } from '@tsgrad/ndarray';
import { linear } from '../functional/linear.js';
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyValue } from '../repr.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  dtype?: 'float32' | 'float64';
  /** Where the initial weights come from (the default generator, `manualSeed`, otherwise). */
  generator?: Generator;
}

/**
 * A fully connected layer, y = x W^T + b, as PyTorch's `nn.Linear`. `weight` is [out, in]; both weight
 * and bias start as U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's kaiming-uniform with a = sqrt(5)).
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * const fc = new Linear(64, 10);
 * fc.forward(randn([8, 64])).shape; // [8, 10]
 * fc.numParameters(); // 650
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, { bias = true, dtype = 'float32', generator }: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`Linear: ${name} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures], dtype));
    this.bias = bias ? new Parameter(zeros([outFeatures], dtype)) : null;
    this.resetParameters(generator);
  }

  /**
   * PyTorch's initialisation: kaiming-uniform (a = sqrt(5)) for the weight, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for the bias.
   *
   * @example
   * new Linear(4, 2).resetParameters(new Generator(0));
   */
  resetParameters(generator?: Generator): void {
    if (this.weight.size > 0) kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight.shape);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound, { generator });
    }
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyValue(this.bias !== null)}`;
  }
}
