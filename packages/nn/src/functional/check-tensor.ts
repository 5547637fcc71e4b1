/**
 * The check at the door of every layer and functional op: the input must be a Tensor. Without
 * it an NDArray or a nested array gets deep into an op before failing, with a message about
 * something else ("dtype mismatch ... float32 and float32", "reading 'NaN'").
 */
import { describeValue, Tensor } from '@tsgrad/autograd';

/**
 * Throws a TypeError naming `fn`, the argument and what was passed instead (and how to wrap it)
 * unless `value` is a Tensor.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * checkTensor('linear', 'input', tensor([1]));   // fine
 * checkTensor('linear', 'input', [[1, 2]]);      // throws: linear: input must be a Tensor, got an array (1 elements); wrap it: tensor([...])
 */
export function checkTensor(fn: string, name: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor, got ${describeValue(value)}`);
}
