import type { Tensor } from '@tsgrad/autograd';
import { checkTensor } from '../functional/check-tensor.js';
import { Module } from '../module.js';

/**
 * Flattens dims `startDim..endDim` into one, as PyTorch's `nn.Flatten` (default: all but the batch dim).
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * new Flatten().forward(randn([64, 64, 1, 1])).shape; // [64, 64]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(input: Tensor): Tensor {
    checkTensor('Flatten', 'input', input);
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
