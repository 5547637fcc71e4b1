import { fromNDArray } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';
import { rand, type Generator } from '@tsgrad/ndarray';
import { checkTensor } from './check-tensor.js';

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p), so the expected value is
 * unchanged (PyTorch's `F.dropout`); the identity when not `training`. The mask is drawn from the
 * ndarray generator (`manualSeed`) or the given `generator`.
 *
 * @example
 * import { ones } from '@tsgrad/autograd';
 * dropout(ones([1000]), 0.5).data.sum().item(); // about 1000: half zeros, half twos
 */
export function dropout(
  input: Tensor, p = 0.5, training = true, { generator }: { generator?: Generator } = {},
): Tensor {
  checkTensor('dropout', 'input', input);
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return input.mul(0);
  const dtype = input.dtype === 'float64' ? 'float64' : 'float32';
  // Keep where u >= p (probability 1 - p), then scale the kept by 1 / (1 - p).
  const keep = rand(input.shape, { dtype, generator }).ge(p).astype(dtype).mul(1 / (1 - p));
  return input.mul(fromNDArray(keep));
}
