import type { Tensor } from '@tsgrad/autograd';
import { Module } from '../module.js';
import { describeValue } from '../repr.js';
import { missingForward } from './module-list.js';

/**
 * Modules held by name, as PyTorch's `nn.ModuleDict`: each is a child under its key, in insertion
 * order, so a field `heads = new ModuleDict({ digit: ..., parity: ... })` gives state-dict keys
 * `heads.digit.weight`, ... It has no `forward` of its own: the owner calls its modules.
 *
 * @example
 * import type { Tensor } from '@tsgrad/autograd';
 * class TwoHeads extends Module {
 *   body = new Linear(8, 16);
 *   heads = new ModuleDict({ digit: new Linear(16, 10), parity: new Linear(16, 2) });
 *   forward(x: Tensor): Tensor { return this.heads.get('digit').forward(this.body.forward(x)); }
 * }
 * Object.keys(new TwoHeads().stateDict()); // ['body.weight', 'body.bias', 'heads.digit.weight', ...]
 */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly items = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? modules : Object.entries(modules);
    for (const [key, module] of entries) this.set(key, module);
  }

  /** The number of modules. */
  get size(): number {
    return this.items.size;
  }

  /**
   * Adds a module, or replaces the one under `key` (PyTorch's `dict[key] = module`); returns this.
   *
   * @example
   * new ModuleDict().set('act', new ReLU()).size; // 1
   */
  set(key: string, module: M): this {
    if (typeof key !== 'string' || key === '' || key.includes('.')) {
      throw new Error(`module name can't be empty or contain ".", got ${JSON.stringify(key)}`);
    }
    if (!(module instanceof Module)) throw new TypeError(`${this.constructor.name}: "${key}" is not a Module (got ${describeValue(module)})`);
    this.items.set(key, module);
    return this;
  }

  /**
   * The module under `key`; an error naming the keys there are when there is none.
   *
   * @example
   * new ModuleDict({ act: new ReLU() }).get('act'); // the ReLU
   */
  get(key: string): M {
    const module = this.items.get(key);
    if (module === undefined) throw new Error(`${this.constructor.name} has no module "${key}" (keys: ${[...this.items.keys()].join(', ') || 'none'})`);
    return module;
  }

  /**
   * Whether a module is held under `key`.
   *
   * @example
   * new ModuleDict({ act: new ReLU() }).has('act'); // true
   */
  has(key: string): boolean {
    return this.items.has(key);
  }

  /**
   * Removes the module under `key`; returns whether there was one.
   *
   * @example
   * new ModuleDict({ act: new ReLU() }).delete('act'); // true
   */
  delete(key: string): boolean {
    return this.items.delete(key);
  }

  /**
   * The keys, in insertion order.
   *
   * @example
   * [...new ModuleDict({ a: new ReLU(), b: new Tanh() }).keys()]; // ['a', 'b']
   */
  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  /**
   * The modules, in insertion order.
   *
   * @example
   * [...new ModuleDict({ a: new ReLU() }).values()].length; // 1
   */
  values(): IterableIterator<M> {
    return this.items.values();
  }

  /**
   * `[key, module]` pairs, in insertion order.
   *
   * @example
   * const heads = new ModuleDict({ digit: new Linear(64, 10), parity: new Linear(64, 2) });
   * for (const [name, head] of heads.entries()) console.log(name, String(head));
   */
  entries(): IterableIterator<[string, M]> {
    return this.items.entries();
  }

  /** The held modules are this module's children, under their keys. */
  override *namedChildren(): Generator<[string, Module]> {
    yield* this.items;
  }

  /** A ModuleDict only holds modules; its owner's `forward` calls them (PyTorch's ModuleDict has none either). */
  forward(..._inputs: Tensor[]): Tensor {
    throw missingForward(this);
  }
}
