/**
 * Elementwise ops of two inputs, with PyTorch broadcasting. Each backward returns gradients in
 * the broadcast shape; the engine sums them back to each input's shape. Gradients an input
 * does not need (`needs[i]` false: a constant, data) are not computed.
 */
import { array, where as whereArray, zerosLike, type NDArray } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { scalarFor, Tensor } from '../tensor.js';

/** a + b; d/da = d/db = 1. */
export const add = defineOp({
  name: 'add',
  forward: ([a, b]) => a.add(b),
  backward: (g) => [g, g],
});

/** a - b; d/da = 1, d/db = -1. */
export const sub = defineOp({
  name: 'sub',
  forward: ([a, b]) => a.sub(b),
  backward: (g, { needs }) => [g, needs[1] ? g.neg() : null],
});

/** a * b; d/da = b, d/db = a. */
export const mul = defineOp({
  name: 'mul',
  forward: ([a, b]) => a.mul(b),
  backward: (g, { inputs: [a, b], needs }) => [needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null],
});

/** a / b; d/da = 1/b, d/db = -a/b² = -(a/b)/b. */
export const div = defineOp({
  name: 'div',
  forward: ([a, b]) => a.div(b),
  backward: (g, { inputs: [, b], out, needs }) => {
    const gOverB = g.div(b);
    return [gOverB, needs[1] ? gOverB.mul(out).neg() : null];
  },
});

/**
 * a ** b; d/da = b·a^(b-1), d/db = a^b·ln a. At a = 0 both are 0·∞; PyTorch takes the limits:
 * d/da = 0 where b = 0 (a^0 is 1 everywhere), d/db = 0 where b >= 0.
 */
export const pow = defineOp({
  name: 'pow',
  forward: ([a, b]) => a.pow(b),
  backward: (g, { inputs: [a, b], out, needs }) => {
    const ga = needs[0] ? whereArray(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null;
    if (!needs[1]) return [ga, null];
    const zeroBase = a.eq(0);
    const limit = whereArray(zeroBase, b.ge(0), zeroBase); // a = 0 and b >= 0
    return [ga, g.mul(whereArray(limit, 0, out.mul(a.log())))];
  },
});

/**
 * The gradient of max/min for the input that loses where `loses` holds: 0 there, half on a
 * tie, else all of it. PyTorch's formula, so a NaN pair (no tie, no loser) gives both all of it.
 */
function unlessLoses(g: NDArray, a: NDArray, b: NDArray, loses: NDArray): NDArray {
  return whereArray(loses, 0, whereArray(a.eq(b), g.mul(0.5), g));
}

/** max(a, b); the gradient goes to the larger input, split evenly on ties (as PyTorch). */
export const maximum = defineOp({
  name: 'maximum',
  forward: ([a, b]) => a.maximum(b),
  backward: (g, { inputs: [a, b], needs }) => [
    needs[0] ? unlessLoses(g, a, b, a.lt(b)) : null,
    needs[1] ? unlessLoses(g, a, b, a.gt(b)) : null,
  ],
});

/** min(a, b); the gradient goes to the smaller input, split evenly on ties (as PyTorch). */
export const minimum = defineOp({
  name: 'minimum',
  forward: ([a, b]) => a.minimum(b),
  backward: (g, { inputs: [a, b], needs }) => [
    needs[0] ? unlessLoses(g, a, b, a.gt(b)) : null,
    needs[1] ? unlessLoses(g, a, b, a.lt(b)) : null,
  ],
});

/** where(cond, a, b): a where cond is true, else b; the gradient follows the same choice. */
export const whereOp = defineOp({
  name: 'where',
  forward: ([cond, a, b]) => whereArray(cond, a, b),
  backward: (g, { inputs: [cond], needs }) => {
    const zero = zerosLike(g);
    return [null, needs[1] ? whereArray(cond, g, zero) : null, needs[2] ? whereArray(cond, zero, g) : null];
  },
});

/**
 * `a` where `cond` is true, else `b` (broadcasting); differentiable in `a` and `b`. Either may
 * be a number, which takes the other's dtype (as `x.add(2)` does).
 *
 * @example
 * const x = tensor([-1, 2]);
 * where(x.gt(0), x, 0).toArray(); // [0, 2]
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const like = typeof a === 'number' ? (typeof b === 'number' ? new Tensor(array(b)) : b) : a;
  const operand = (v: Tensor | number): Tensor => (typeof v === 'number' ? scalarFor(like, v) : v);
  return whereOp([cond, operand(a), operand(b)]);
}
