import type { Tensor } from '@tsgrad/autograd';
import { Module } from '../module.js';
import { describeValue } from '../repr.js';

/**
 * Modules held in a numbered list, as PyTorch's `nn.ModuleList`: they are children named `0`, `1`, ...,
 * so a field `blocks = new ModuleList([...])` gives state-dict keys `blocks.0.weight`, ... It has no
 * `forward` of its own: the owner calls its modules. (A plain array field of modules is walked the same
 * way; a ModuleList adds `append`, `at` and PyTorch's repr.)
 *
 * @example
 * import { randn, type Tensor } from '@tsgrad/autograd';
 * class Tower extends Module {
 *   blocks = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 *   forward(x: Tensor): Tensor {
 *     for (const block of this.blocks) x = block.forward(x).relu();
 *     return x;
 *   }
 * }
 * Object.keys(new Tower().stateDict()); // ['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias']
 */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;
  private count = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** The number of modules. */
  get length(): number {
    return this.count;
  }

  /**
   * Adds a module at the end; returns this.
   *
   * @example
   * new ModuleList().append(new Linear(2, 2)).length; // 1
   */
  append(module: M): this {
    if (!(module instanceof Module)) {
      throw new TypeError(`${this.constructor.name}: module ${this.count} is not a Module (got ${describeValue(module)})`);
    }
    this[this.count] = module;
    this.count++;
    return this;
  }

  /**
   * Adds modules at the end, in order; returns this.
   *
   * @example
   * new ModuleList([new ReLU()]).extend([new Tanh(), new Sigmoid()]).length; // 3
   */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /**
   * The module at `index`, counting from the end when negative (PyTorch's `list[-1]`).
   *
   * @example
   * new ModuleList([new ReLU(), new Tanh()]).at(-1); // the Tanh
   */
  at(index: number): M {
    const i = index < 0 ? index + this.count : index;
    if (!Number.isInteger(index) || i < 0 || i >= this.count) {
      throw new RangeError(`index ${index} is out of range (${this.constructor.name} of length ${this.count})`);
    }
    return this[i];
  }

  /** The modules in order. */
  *[Symbol.iterator](): Generator<M> {
    for (let i = 0; i < this.count; i++) yield this[i];
  }

  /** A ModuleList only holds modules; its owner's `forward` calls them (PyTorch's ModuleList has none either). */
  forward(..._inputs: Tensor[]): Tensor {
    throw missingForward(this);
  }
}

/**
 * The error of calling `forward` on a container (PyTorch's message, plus what to do instead).
 *
 * @example
 * missingForward(new ModuleList()).message; // 'Module [ModuleList] is missing the required "forward" function: ...'
 */
export function missingForward(container: Module): Error {
  return new Error(`Module [${container.constructor.name}] is missing the required "forward" function: call its modules in your own forward`);
}
