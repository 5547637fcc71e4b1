/**
 * A node of the graph: the op that made a tensor, the tensors it read, and the backward
 * function that turns the gradient of its output into gradients of its inputs.
 *
 * The backward function closes over what the op saved (its input arrays, its output, any
 * indices). `free()` drops it, so those arrays can be collected as soon as backward has
 * used them; the structure (name, inputs) stays, for drawing the graph.
 */
import type { NDArray } from '@tsgrad/ndarray';
import type { Tensor } from './tensor.js';

/** The gradient of a node's output in; one gradient per input out (`null`: none flows there). */
export type BackwardFn = (g: NDArray) => readonly (NDArray | null)[];

const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they ' +
  'have already been freed). Saved intermediate values of the graph are freed when you call ' +
  '.backward(). Specify { retainGraph: true } if you need to backward through the graph a second time.';

/**
 * The record an op leaves on its output tensor (`tensor.gradFn`).
 *
 * @example
 * const x = tensor([1, 2], { requiresGrad: true });
 * const y = x.mul(3);
 * y.gradFn?.name;            // 'mul'
 * y.gradFn?.inputs.length;   // 2 (x and the constant 3)
 */
export class Node {
  private backwardFn: BackwardFn | null;

  constructor(
    /** The op's name, as in `defineOp({ name })`. */
    readonly name: string,
    /** The op's tensor inputs, in order. */
    readonly inputs: readonly Tensor[],
    /** The op's non-tensor arguments (dims, shapes, options), kept for display. */
    readonly params: readonly unknown[],
    backwardFn: BackwardFn,
  ) {
    this.backwardFn = backwardFn;
  }

  /** Whether `free()` has dropped the saved values. */
  get freed(): boolean {
    return this.backwardFn === null;
  }

  /** Runs the op's backward; throws if the graph was already freed. */
  apply(g: NDArray): readonly (NDArray | null)[] {
    if (this.backwardFn === null) throw new Error(FREED_MESSAGE);
    return this.backwardFn(g);
  }

  /** Drops the backward function and everything it saved. */
  free(): void {
    this.backwardFn = null;
  }
}
