/**
 * log-softmax as one fused primitive: cross entropy calls it on every training step, and one
 * node with a closed-form backward is much cheaper than the five ops it is made of.
 */
import { defineOp } from '../define-op.js';

/**
 * x - logsumexp(x) along `dim`. With s = softmax(x) = exp(out), the backward is
 * dx = g - s·Σg (the sum over `dim`).
 */
export const logSoftmax = defineOp({
  name: 'logSoftmax',
  forward: ([x], dim: number) => x.sub(x.logsumexp(dim, true)),
  backward: (g, { out, params: [dim] }) => [g.sub(out.exp().mul(g.sum(dim, true)))],
});
