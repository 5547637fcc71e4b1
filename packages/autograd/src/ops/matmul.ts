/**
 * Matrix product, with NumPy/PyTorch rules: 1-d operands are promoted to a row (left) or a
 * column (right) and the added dim is dropped again; batch dims broadcast.
 */
import { defineOp } from '../define-op.js';

/**
 * a @ b; for C = AB, dA = dC·Bᵀ and dB = Aᵀ·dC. The backward works on the promoted 2-d forms,
 * removes the promoted dims, and leaves summing over broadcast batch dims to the engine.
 */
export const matmul = defineOp({
  name: 'matmul',
  forward: ([a, b]) => a.matmul(b),
  backward: (g, { inputs: [a, b], needs }) => {
    const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
    const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
    let g2 = b.ndim === 1 ? g.unsqueeze(-1) : g;
    if (a.ndim === 1) g2 = g2.unsqueeze(-2);
    const ga = needs[0] ? g2.matmul(b2.transpose(-1, -2)) : null;
    const gb = needs[1] ? a2.transpose(-1, -2).matmul(g2) : null;
    return [ga !== null && a.ndim === 1 ? ga.squeeze(-2) : ga, gb !== null && b.ndim === 1 ? gb.squeeze(-1) : gb];
  },
});
