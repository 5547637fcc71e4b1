/**
 * `defineOp`: the one way an op is made. An op is a forward (NDArrays in, an NDArray out)
 * and a backward (the output's gradient in, one gradient per input out), written side by side.
 *
 * The wrapper runs the forward on the inputs' data and, when grad mode is on and some input
 * requires grad, attaches a {@link Node} whose backward closes over the op's context. Ops
 * never undo broadcasting: a backward may return a gradient in the broadcast (output-like)
 * shape, and the engine sums it back to the input's shape (`NDArray.sumTo`).
 */
import type { NDArray } from '@tsgrad/ndarray';
import { describeValue } from './describe-value.js';
import { Node } from './node.js';
import { isGradEnabled } from './no-grad.js';
import { Tensor, isFloatDType } from './tensor.js';

/** What a backward sees: the forward's inputs and output, its arguments and what it saved. */
export interface OpContext<P extends readonly unknown[], S = undefined> {
  /** The inputs' data, as the forward saw them. */
  readonly inputs: readonly NDArray[];
  /** The forward's output. */
  readonly out: NDArray;
  /** The non-tensor arguments the op was called with. */
  readonly params: P;
  /** What a saving op's forward kept for backward (indices of a max, ...). */
  readonly saved: S;
  /** `needs[i]`: whether input `i` requires grad (skip work for those that don't). */
  readonly needs: readonly boolean[];
}

/** A gradient per input, in the input's shape or one it broadcasts to; `null`: none. */
export type InputGrads = readonly (NDArray | null)[];

/** An op whose forward returns its output only. */
export interface OpSpec<P extends readonly unknown[]> {
  name: string;
  /** The output, computed from the inputs' data and the op's arguments (runs without recording). */
  forward(inputs: readonly NDArray[], ...params: P): NDArray;
  /** One gradient per input (null where none is needed), from the output's gradient `g`. */
  backward(g: NDArray, ctx: OpContext<P>): InputGrads;
}

/** An op whose forward also keeps something for backward (`saved`). */
export interface SavingOpSpec<P extends readonly unknown[], S> {
  name: string;
  /** The output, computed from the inputs' data and the op's arguments (runs without recording). */
  forward(inputs: readonly NDArray[], ...params: P): { out: NDArray; saved: S };
  /** One gradient per input (null where none is needed), from the output's gradient `g`. */
  backward(g: NDArray, ctx: OpContext<P, S>): InputGrads;
}

/** A defined op: tensors and arguments in, a tensor out. */
export type Op<P extends readonly unknown[]> = (inputs: readonly Tensor[], ...params: P) => Tensor;

/** A defined saving op: returns what its forward saved too (maxPool2d's indices, ...). */
export type SavingOp<P extends readonly unknown[], S> = (
  inputs: readonly Tensor[],
  ...params: P
) => { out: Tensor; saved: S };

/**
 * Defines an op whose forward also returns something to keep for backward.
 *
 * @example
 * const maxDim = defineSavingOp({
 *   name: 'max',
 *   forward: ([x], dim: number) => {
 *     const { values, indices } = x.maxWithIndices(dim);
 *     return { out: values, saved: indices };
 *   },
 *   backward: (g, { inputs: [x], params: [dim], saved }) =>
 *     [zeros(x.shape, g.dtype).scatterAdd(dim, saved.unsqueeze(dim), g.unsqueeze(dim))],
 * });
 * maxDim([tensor([[1, 3], [4, 2]], { requiresGrad: true })], 1).saved.toArray(); // [1, 0]
 */
export function defineSavingOp<P extends readonly unknown[], S>(spec: SavingOpSpec<P, S>): SavingOp<P, S> {
  return (inputs, ...params) => {
    inputs.forEach((t, i) => {
      // The one place every op passes through, so a wrong argument is named here, not deep in a kernel.
      if (!(t instanceof Tensor)) throw new TypeError(`${spec.name}: input ${i} must be a Tensor, got ${describeValue(t)}`);
    });
    const xs = inputs.map((t) => t.data);
    const { out, saved } = spec.forward(xs, ...params);
    const result = new Tensor(out);
    const needs = inputs.map((t) => t.requiresGrad);
    // Only float outputs carry gradients (an int cast or an argmax ends the graph).
    if (isGradEnabled() && needs.includes(true) && isFloatDType(out.dtype)) {
      const ctx: OpContext<P, S> = { inputs: xs, out, params, saved, needs };
      // The versions this forward saw: a backward must not run on values written since.
      const versions = xs.map((x) => x.version);
      const outVersion = out.version;
      result.requiresGrad = true;
      result.gradFn = new Node(spec.name, inputs, params, (g) => {
        checkVersions(spec.name, xs, versions, out, outVersion);
        return spec.backward(g, ctx);
      });
    }
    return { out: result, saved };
  };
}

/**
 * Throws PyTorch's error when an array an op saved for backward was written in place after
 * the forward (an optimizer step, `copy_`, `loadStateDict`).
 */
function checkVersions(op: string, xs: readonly NDArray[], versions: readonly number[], out: NDArray, outVersion: number): void {
  const stale = (what: string, x: NDArray, expected: number): Error =>
    new Error(
      `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
        `[${x.dtype} [${x.shape.join(', ')}]], ${what} of ${op}, is at version ${x.version}; expected version ${expected} instead. ` +
        `Hint: an optimizer step, copy_(), fill_() or loadStateDict() wrote to it between the forward pass and backward.`,
    );
  for (let i = 0; i < xs.length; i++) if (xs[i].version !== versions[i]) throw stale(`input ${i}`, xs[i], versions[i]);
  if (out.version !== outVersion) throw stale('the output', out, outVersion);
}

/**
 * Defines an op from its forward and backward.
 *
 * @example
 * const mul = defineOp({
 *   name: 'mul',
 *   forward: ([a, b]) => a.mul(b),
 *   backward: (g, { inputs: [a, b] }) => [g.mul(b), g.mul(a)], // d(ab)/da = b, d(ab)/db = a
 * });
 * const x = tensor([1, 2], { requiresGrad: true });
 * mul([x, x]).sum().backward();
 * x.grad?.toArray(); // [2, 4]
 */
export function defineOp<P extends readonly unknown[]>(spec: OpSpec<P>): Op<P> {
  const op = defineSavingOp<P, undefined>({
    name: spec.name,
    forward: (inputs, ...params) => ({ out: spec.forward(inputs, ...params), saved: undefined }),
    backward: (g, ctx) => spec.backward(g, ctx),
  });
  return (inputs, ...params) => op(inputs, ...params).out;
}
