import type { Tensor } from '@tsgrad/autograd';
import type { Generator } from '@tsgrad/ndarray';
import { dropout } from '../functional/dropout.js';
import { Module } from '../module.js';
import { pyFloat } from '../repr.js';

/**
 * During training, zeroes each element with probability `p` and scales the rest by 1/(1-p); the identity
 * after `eval()`. As PyTorch's `nn.Dropout`, with masks from the ndarray generator (or `generator`).
 *
 * @example
 * import { ones } from '@tsgrad/autograd';
 * const drop = new Dropout(0.25);
 * drop.eval().forward(ones([4])).data.toArray(); // [1, 1, 1, 1]
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;

  constructor(p = 0.5, { generator }: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.generator = generator;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, { generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
