/**
 * Moving a tensor to another backend, as an op: the gradient moves back the other way.
 */
import type { Backend } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';

/**
 * `x` copied to `backend`; backward copies the gradient back to `x`'s backend.
 *
 * @example
 * import { referenceBackend } from '@tsgrad/ndarray';
 * const x = tensor([1, 2], { requiresGrad: true });
 * toBackend([x], referenceBackend).sum().backward();
 * x.grad?.data.backend.name; // 'cpu'
 */
export const toBackend = defineOp({
  name: 'to',
  forward: ([x], backend: Backend) => x.to(backend),
  backward: (g, { inputs: [x] }) => [g.to(x.backend)],
});
