import type { Tensor } from '@tsgrad/autograd';
import { torchShape } from '../repr.js';
import { checkTensor } from './check-tensor.js';

/**
 * y = x W^T + b, PyTorch's `F.linear`: `input` [..., in], `weight` [out, in], `bias` [out].
 *
 * @example
 * import { ones } from '@tsgrad/autograd';
 * linear(ones([2, 3]), ones([4, 3]), ones([4])).data.toArray(); // [[4, 4, 4, 4], [4, 4, 4, 4]]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('linear', 'input', input);
  checkTensor('linear', 'weight', weight);
  if (weight.ndim !== 2) throw new Error(`linear: expected a 2-d weight [out, in], got ${torchShape(weight.shape)}`);
  const inFeatures = input.shape[input.ndim - 1];
  if (input.ndim === 0 || inFeatures !== weight.shape[1]) {
    const rows = input.ndim === 0 ? 1 : input.size / (inFeatures || 1);
    throw new Error(`mat1 and mat2 shapes cannot be multiplied (${rows}x${input.ndim === 0 ? 1 : inFeatures} and ` +
      `${weight.shape[1]}x${weight.shape[0]})`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new Error(`linear: expected a bias of shape [${weight.shape[0]}], got ${torchShape(bias.shape)}`);
  }
  const y = input.matmul(weight.transpose(0, 1));
  return bias === null ? y : y.add(bias);
}
