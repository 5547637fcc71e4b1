/**
 * The backward pass: a topological sort of the graph behind a tensor, then one walk from the
 * output back to the leaves, calling each node's backward once with the sum of the gradients
 * that reached it.
 *
 * This is the one place broadcasting is undone: an op's backward may return a gradient in the
 * broadcast shape it computed with, and `sumTo` brings it back to the input's shape here.
 */
import { NDArray, onesLike } from '@tsgrad/ndarray';
import { describeValue } from './describe-value.js';
import { formatShape, sameShape } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of {@link backward}. */
export interface BackwardOptions {
  /** Keep the saved values so backward can run through this graph again (default false). */
  retainGraph?: boolean;
}

/**
 * The tensors that `root` depends on through ops that require grad, each after all of its
 * inputs (depth-first post-order, inputs visited in order, so the order is deterministic).
 * Iterative, so a graph thousands of ops deep cannot overflow the call stack.
 *
 * @example
 * const x = tensor([1, 2], { requiresGrad: true });
 * const y = x.exp();
 * topologicalOrder(y.sum()).length; // 3: x, y, the sum
 */
export function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: { tensor: Tensor; next: number }[] = [{ tensor: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.tensor.gradFn?.inputs ?? [];
    if (top.next < inputs.length) {
      const input = inputs[top.next++];
      if (input.requiresGrad && !seen.has(input)) {
        seen.add(input);
        stack.push({ tensor: input, next: 0 });
      }
    } else {
      stack.pop();
      order.push(top.tensor);
    }
  }
  return order;
}

/**
 * Computes the gradient of `root` with respect to every leaf it depends on and adds it to
 * the leaf's `.grad` (gradients accumulate across calls until zeroed). `gradient` is
 * d(something)/d(root), ones by default, which is only allowed for a one-element `root`.
 * The options may come alone, in place of the gradient (`backward(loss, { retainGraph: true })`),
 * as PyTorch's keyword arguments suggest.
 *
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * backward(x.square().sum());
 * x.grad?.toArray(); // [2, 4, 6]
 * backward(x.square(), tensor([1, 0, 0]), { retainGraph: true });
 * x.grad?.toArray(); // [4, 4, 6]
 */
export function backward(
  root: Tensor,
  gradientOrOpts?: Tensor | NDArray | BackwardOptions,
  maybeOpts?: BackwardOptions,
): void {
  const { gradient, opts } = backwardArguments(gradientOrOpts, maybeOpts);
  if (!root.requiresGrad) {
    throw new Error('element 0 of tensors does not require grad and does not have a gradFn');
  }
  const seed = seedGradient(root, gradient);
  const retainGraph = opts.retainGraph ?? false;
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, NDArray>([[root, seed]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    grads.delete(t); // release each gradient as soon as it has been passed on
    if (g === undefined) continue;
    if (t.gradFn === null || t.retainsGrad) accumulateGrad(t, g);
    const node = t.gradFn;
    if (node === null) continue;
    const inputGrads = node.apply(g);
    if (!retainGraph) node.free();
    node.inputs.forEach((input, k) => {
      const gk = inputGrads[k];
      if (!input.requiresGrad || gk === null || gk === undefined) return;
      const shaped = toInputShape(gk, input, node.name, k);
      const previous = grads.get(input);
      grads.set(input, previous === undefined ? shaped : previous.add(shaped));
    });
  }
}

const OPTION_NAMES: readonly string[] = ['retainGraph'];

/** Whether `v` is a plain `{ ... }` object, the only thing taken as options. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Checks an options object: known keys only, each of the right type. */
function checkOptions(v: Record<string, unknown>): BackwardOptions {
  for (const key of Object.keys(v)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(`backward: unknown option '${key}' (known options: ${OPTION_NAMES.join(', ')})`);
    }
  }
  const retainGraph = v.retainGraph;
  if (retainGraph !== undefined && typeof retainGraph !== 'boolean') {
    throw new TypeError(`backward: retainGraph must be a boolean, got ${describeValue(retainGraph)}`);
  }
  return { retainGraph };
}

/**
 * Sorts out `backward(gradient?, opts?)` and `backward(opts)`: a Tensor or an NDArray is the
 * gradient, a plain object is the options, anything else is named in a TypeError.
 */
function backwardArguments(
  first: unknown,
  second: unknown,
): { gradient: Tensor | NDArray | undefined; opts: BackwardOptions } {
  const opts = second === undefined ? {} : isPlainObject(second) ? checkOptions(second) : undefined;
  if (opts === undefined) {
    throw new TypeError(`backward: options must be an object such as { retainGraph: true }, got ${describeValue(second)}`);
  }
  if (first === undefined || first instanceof Tensor || first instanceof NDArray) return { gradient: first, opts };
  if (isPlainObject(first)) {
    if (second !== undefined) {
      throw new TypeError('backward: options given twice; call backward(gradient, options) or backward(options)');
    }
    return { gradient: undefined, opts: checkOptions(first) };
  }
  throw new TypeError(`backward: gradient must be a Tensor or an NDArray (or omitted), got ${describeValue(first)}`);
}

function seedGradient(root: Tensor, gradient: Tensor | NDArray | undefined): NDArray {
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new Error(
        `grad can be implicitly created only for scalar outputs: got shape ${formatShape(root.shape)}; ` +
          'pass a gradient of that shape to backward()',
      );
    }
    return onesLike(root.data);
  }
  const g = gradient instanceof Tensor ? gradient.data : gradient;
  if (!sameShape(g.shape, root.shape)) {
    throw new Error(
      `Mismatch in shape: gradient has a shape of ${formatShape(g.shape)} and the output has a shape of ${formatShape(root.shape)}`,
    );
  }
  return g.dtype === root.dtype ? g : g.astype(root.dtype);
}

/** Sums a broadcast gradient back to the input's shape and casts it to the input's dtype. */
function toInputShape(g: NDArray, input: Tensor, op: string, k: number): NDArray {
  let out = g;
  if (!sameShape(g.shape, input.shape)) {
    try {
      out = g.sumTo(input.shape);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(
        `${op} backward: gradient ${formatShape(g.shape)} of input ${k} cannot be summed to its shape ${formatShape(input.shape)} (${why})`,
      );
    }
  }
  return out.dtype === input.dtype ? out : out.astype(input.dtype);
}

/** Adds `g` to `t.grad`. A stored gradient is dense (never a broadcast view), like PyTorch's. */
function accumulateGrad(t: Tensor, g: NDArray): void {
  const sum = t.grad === null ? g : t.grad.data.add(g);
  t.grad = new Tensor(sum.contiguous());
}
