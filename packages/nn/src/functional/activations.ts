import { defineOp } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';
import { where } from '@tsgrad/ndarray';
import { checkTensor } from './check-tensor.js';

/**
 * max(x, 0), PyTorch's `F.relu` (gradient 0 at 0).
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * relu(tensor([-1, 0, 2])).data.toArray(); // [0, 0, 2]
 */
export function relu(input: Tensor): Tensor {
  checkTensor('relu', 'input', input);
  return input.relu();
}

/** x where x > 0, slope * x elsewhere; the derivative is 1 or slope (slope at 0, as PyTorch). */
const leakyReluOp = defineOp({
  name: 'leakyRelu',
  forward: ([x], slope: number) => where(x.gt(0), x, x.mul(slope)),
  backward: (g, { inputs: [x], params: [slope] }) => [where(x.gt(0), g, g.mul(slope))],
});

/**
 * Leaky ReLU, PyTorch's `F.leaky_relu`: x for x > 0, `negativeSlope * x` otherwise.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * leakyRelu(tensor([-10, 0, 2])).data.toArray(); // [-0.1, 0, 2] (float32)
 */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor('leakyRelu', 'input', input);
  if (!Number.isFinite(negativeSlope)) throw new Error(`leakyRelu: negativeSlope must be a finite number, got ${negativeSlope}`);
  return leakyReluOp([input], negativeSlope);
}

/**
 * 1 / (1 + e^-x).
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * sigmoid(tensor([0])).data.toArray(); // [0.5]
 */
export function sigmoid(input: Tensor): Tensor {
  checkTensor('sigmoid', 'input', input);
  return input.sigmoid();
}

/**
 * The hyperbolic tangent.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * tanh(tensor([0])).data.toArray(); // [0]
 */
export function tanh(input: Tensor): Tensor {
  checkTensor('tanh', 'input', input);
  return input.tanh();
}

/**
 * e^x / sum(e^x) along `dim`, computed stably (PyTorch's `F.softmax`).
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * softmax(tensor([[0, 0]]), 1).data.toArray(); // [[0.5, 0.5]]
 */
export function softmax(input: Tensor, dim: number): Tensor {
  checkTensor('softmax', 'input', input);
  return input.softmax(dim);
}

/**
 * x - logsumexp(x) along `dim` (PyTorch's `F.log_softmax`): the log-probabilities a classifier's loss takes.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * logSoftmax(tensor([[0, 0]]), 1).data.toArray(); // [[-0.6931..., -0.6931...]]
 */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  checkTensor('logSoftmax', 'input', input);
  return input.logSoftmax(dim);
}
