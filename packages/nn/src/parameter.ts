import type { NDArray } from '@tsgrad/ndarray';
import { Tensor } from '@tsgrad/autograd';

/**
 * A tensor that is a module's learnable state: a leaf that requires a gradient by default.
 * `Module` finds parameters by walking its own fields and picking out the `Parameter`s.
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * const w = new Parameter(zeros([3, 2]));
 * w.requiresGrad; // true
 */
export class Parameter extends Tensor {
  constructor(data: NDArray, requiresGrad = true) {
    super(data, { requiresGrad });
  }

  /**
   * As PyTorch prints a parameter: `Parameter containing:` above the tensor.
   *
   * @example
   * import { zeros } from '@tsgrad/ndarray';
   * String(new Parameter(zeros([2]))); // 'Parameter containing:\ntensor([0., 0.], requiresGrad=true)'
   */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
