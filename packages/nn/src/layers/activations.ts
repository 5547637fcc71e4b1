import type { Tensor } from '@tsgrad/autograd';
import { leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../functional/activations.js';
import { Module } from '../module.js';
import { pyFloat } from '../repr.js';

/**
 * max(x, 0), as PyTorch's `nn.ReLU`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new ReLU().forward(tensor([-1, 2])).data.toArray(); // [0, 2]
 */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

/**
 * x for x > 0, negativeSlope * x otherwise, as PyTorch's `nn.LeakyReLU` (default slope 0.01).
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new LeakyReLU(0.1).forward(tensor([-1, 2])).data.toArray(); // [-0.1, 2] (float32)
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/**
 * 1 / (1 + e^-x), as PyTorch's `nn.Sigmoid`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new Sigmoid().forward(tensor([0])).data.toArray(); // [0.5]
 */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/**
 * tanh x, as PyTorch's `nn.Tanh`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new Tanh().forward(tensor([0])).data.toArray(); // [0]
 */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/**
 * Softmax along `dim`, as PyTorch's `nn.Softmax(dim)`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new Softmax(1).forward(tensor([[1, 1]])).data.toArray(); // [[0.5, 0.5]]
 */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Log-softmax along `dim`, as PyTorch's `nn.LogSoftmax(dim)`; pairs with `NLLLoss`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new LogSoftmax(1).forward(tensor([[1, 1]])).data.toArray(); // [[-0.6931..., -0.6931...]]
 */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
