import { NDArray, type Backend, type DType } from '@tsgrad/ndarray';
import { Tensor } from '@tsgrad/autograd';
import { Parameter } from './parameter.js';
import { addIndent, describeValue, torchShape } from './repr.js';

/** A state dict: PyTorch key names (`0.weight`, `3.running_mean`) to arrays. */
export type StateDict = Record<string, NDArray>;

/** What `loadStateDict` found missing or left over (PyTorch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** One entry of a module tree's state: read it, or overwrite it with a loaded array. */
interface StateEntry {
  key: string;
  get(): NDArray;
  set(value: NDArray): void;
  kind: 'param' | 'buffer';
}

/**
 * The base class of every layer and model, as PyTorch's `nn.Module`.
 *
 * A module finds its parameters and sub-modules by walking its own fields, in the order they were
 * assigned: a `Parameter` field is a parameter, a `Module` field is a child, an array field holds
 * numbered parameters or children (`layers.0`, `layers.1`) and a plain-object field named ones
 * (`heads.digit`), the keys PyTorch's `ModuleList` and `ModuleDict` give (both exist here too).
 * Buffers (state that is saved but not trained, such as BatchNorm's running statistics) are
 * registered by name with `registerBuffer`, so that their keys can be PyTorch's (`running_mean`).
 *
 * @example
 * import { Tensor } from '@tsgrad/autograd';
 * class TwoLayer extends Module {
 *   fc1 = new Linear(4, 8);
 *   fc2 = new Linear(8, 2);
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * const net = new TwoLayer();
 * Object.keys(net.stateDict()); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 */
export abstract class Module {
  /** True in training mode (the default), false after `eval()`; Dropout and BatchNorm read it. */
  training = true;
  // Buffers by their state-dict name; null holds a place without a value, as in PyTorch.
  private readonly bufferStore = new Map<string, NDArray | null>();
  private readonly nonPersistent = new Set<string>();

  /** The computation; subclasses define it (most take one tensor, losses take input and target). */
  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * Registers a buffer: state that `stateDict` saves (unless `persistent` is false) but that is no parameter.
   *
   * @example
   * class Counter extends Module {
   *   constructor() { super(); this.registerBuffer('count', zeros([], 'int32')); }
   *   forward(x: Tensor): Tensor { return x; }
   * }
   */
  protected registerBuffer(name: string, value: NDArray | null, persistent = true): void {
    if (name === '' || name.includes('.')) throw new Error(`buffer name can't be empty or contain ".", got "${name}"`);
    this.bufferStore.set(name, value);
    if (persistent) this.nonPersistent.delete(name);
    else this.nonPersistent.add(name);
  }

  /**
   * The buffer registered under `name`.
   *
   * @example
   * new BatchNorm2d(3).getBuffer('running_mean').shape; // [3]
   */
  getBuffer(name: string): NDArray {
    const value = this.bufferStore.get(name);
    if (value === undefined || value === null) {
      throw new Error(`${this.constructor.name} has no buffer "${name}" (buffers: ${[...this.bufferStore.keys()].join(', ') || 'none'})`);
    }
    return value;
  }

  /**
   * Whether a buffer is registered under `name` and holds a value.
   *
   * @example
   * new BatchNorm2d(3).hasBuffer('running_mean'); // true
   * new CrossEntropyLoss().hasBuffer('weight'); // false: registered, but null
   */
  hasBuffer(name: string): boolean {
    return (this.bufferStore.get(name) ?? null) !== null;
  }

  /**
   * Replaces the value of a registered buffer (used by BatchNorm's running statistics and by `loadStateDict`).
   *
   * @example
   * const bn = new BatchNorm2d(3);
   * bn.setBuffer('running_mean', ones([3]));
   */
  setBuffer(name: string, value: NDArray): void {
    if (!this.bufferStore.has(name)) throw new Error(`${this.constructor.name} has no buffer "${name}"`);
    this.bufferStore.set(name, value);
  }

  /**
   * The direct sub-modules with their names: fields holding a module, and the modules in an array or
   * plain-object field (`layers.0`, `heads.digit`).
   *
   * @example
   * [...new Sequential(new Linear(2, 3), new ReLU()).namedChildren()].map(([n]) => n); // ['0', '1']
   */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, value] of fieldItems(this)) {
      if (value instanceof Module && !seen.has(value)) {
        seen.add(value);
        yield [name, value];
      }
    }
  }

  /**
   * The direct sub-modules.
   *
   * @example
   * [...new Sequential(new Linear(2, 3), new ReLU()).children()].length; // 2
   */
  *children(): Generator<Module> {
    for (const [, child] of this.namedChildren()) yield child;
  }

  /**
   * This module and all its descendants, depth first, each once, with dotted names ('' for this one).
   *
   * @example
   * [...new Sequential(new Linear(2, 3)).namedModules()].map(([n]) => n); // ['', '0']
   */
  *namedModules(prefix = '', memo: Set<Module> = new Set()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) {
      yield* child.namedModules(prefix === '' ? name : `${prefix}.${name}`, memo);
    }
  }

  /**
   * This module and all its descendants.
   *
   * @example
   * [...new Sequential(new Linear(2, 3)).modules()].length; // 2
   */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** This module's own parameters (not its children's): `Parameter` fields, and those in arrays and plain objects. */
  private *ownParameters(): Generator<[string, Parameter]> {
    for (const [name, value] of fieldItems(this)) if (value instanceof Parameter) yield [name, value];
  }

  /**
   * Every parameter with its dotted name, each module's own before its children's, each parameter once.
   *
   * @example
   * [...new Linear(2, 3).namedParameters()].map(([n, p]) => `${n} ${p.shape}`); // ['weight 3,2', 'bias 3']
   */
  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    for (const [path, module] of this.namedModules(prefix)) {
      for (const [name, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [path === '' ? name : `${path}.${name}`, p];
      }
    }
  }

  /**
   * Every parameter, in `namedParameters` order: what an optimizer takes.
   *
   * @example
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * new Adam(model.parameters(), { lr: 1e-3 });
   */
  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /**
   * Every buffer with its dotted name.
   *
   * @example
   * [...new BatchNorm2d(3).namedBuffers()].map(([n]) => n); // ['running_mean', 'running_var', 'num_batches_tracked']
   */
  *namedBuffers(prefix = ''): Generator<[string, NDArray]> {
    for (const [path, module] of this.namedModules(prefix)) {
      for (const [name, value] of module.bufferStore) {
        if (value !== null) yield [path === '' ? name : `${path}.${name}`, value];
      }
    }
  }

  /**
   * Every buffer.
   *
   * @example
   * new BatchNorm2d(3).buffers().length; // 3
   */
  buffers(): NDArray[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  /**
   * The number of scalar parameters (each shared parameter counted once).
   *
   * @example
   * new Linear(64, 10).numParameters(); // 650
   */
  numParameters({ trainableOnly = false }: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  /**
   * Sets training mode on this module and every descendant; returns this.
   *
   * @example
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * model.train();
   * model.training; // true
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Evaluation mode: Dropout passes inputs through, BatchNorm uses its running statistics. Returns this.
   *
   * @example
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * model.eval();
   * model.training; // false
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Drops every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`): the next backward starts afresh.
   *
   * @example
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * model.zeroGrad();
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Turns gradient recording of every parameter on or off (freezing a layer); returns this.
   *
   * @example
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * model.requiresGrad_(false);
   */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * Calls `fn` on every descendant, children before parents, then on this module (PyTorch's order); returns this.
   *
   * @example
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * model.apply((m) => { if (m instanceof Linear) init.zeros_(m.weight); });
   */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Converts every floating-point parameter and buffer to `dtype` (`'float64'` for gradient checks),
   * or moves every parameter and buffer to a backend; returns this. Gradients are dropped.
   *
   * @example
   * new Linear(2, 3).to('float64').weight.dtype; // 'float64'
   * import { referenceBackend } from '@tsgrad/ndarray';
   * new Linear(2, 3).to(referenceBackend).weight.data.backend.name; // 'cpu-naive'
   */
  to(target: DType | Backend): this {
    if (typeof target !== 'string') return this.toBackend(target);
    const dtype = target;
    if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`Module.to: expected a floating dtype or a backend, got ${dtype}`);
    for (const p of this.parameters()) {
      if (isFloat(p.data.dtype) && p.data.dtype !== dtype) {
        p.data = p.data.astype(dtype);
        p.grad = null;
      }
    }
    for (const m of this.modules()) {
      for (const [name, value] of m.bufferStore) {
        if (value !== null && isFloat(value.dtype)) m.bufferStore.set(name, value.astype(dtype));
      }
    }
    return this;
  }

  private toBackend(backend: Backend): this {
    for (const p of this.parameters()) {
      if (p.data.backend === backend) continue;
      p.data = p.data.to(backend);
      p.grad = null;
    }
    for (const m of this.modules()) {
      for (const [name, value] of m.bufferStore) {
        if (value !== null && value.backend !== backend) m.bufferStore.set(name, value.to(backend));
      }
    }
    return this;
  }

  /** Every saved entry of the tree: each module's parameters, then its persistent buffers, then its children. */
  private *stateEntries(prefix: string): Generator<StateEntry> {
    for (const [name, p] of this.ownParameters()) {
      yield { key: prefix + name, kind: 'param', get: () => p.data, set: (v) => { p.data = v; } };
    }
    for (const [name, value] of this.bufferStore) {
      if (value === null || this.nonPersistent.has(name)) continue;
      yield { key: prefix + name, kind: 'buffer', get: () => this.getBuffer(name), set: (v) => this.setBuffer(name, v) };
    }
    for (const [name, child] of this.namedChildren()) yield* child.stateEntries(`${prefix}${name}.`);
  }

  /**
   * The module's state: parameters and persistent buffers under PyTorch's key names. The arrays are the
   * module's own (not copies); save them with `save` (safetensors).
   *
   * @example
   * Object.keys(new Sequential(new Linear(2, 3)).stateDict()); // ['0.weight', '0.bias']
   */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const entry of this.stateEntries('')) dict[entry.key] = entry.get();
    return dict;
  }

  /**
   * Copies a state dict into the module's parameters and buffers (converting dtypes, as PyTorch's `copy_`).
   * Shape mismatches are always an error; missing and unexpected keys are an error when `strict` (the default)
   * and are returned either way. The error lists every problem, worded as PyTorch's.
   *
   * @example
   * import { join } from 'node:path';
   * import { tmpdir } from 'node:os';
   * const model = new Sequential(new Linear(2, 3), new ReLU());
   * const path = join(tmpdir(), 'model.safetensors');
   * save(new Sequential(new Linear(2, 3), new ReLU()).stateDict(), path);
   * const { tensors } = load(path);
   * model.loadStateDict(tensors);
   */
  loadStateDict(dict: Record<string, NDArray>, { strict = true }: { strict?: boolean } = {}): IncompatibleKeys {
    const entries = [...this.stateEntries('')];
    const expected = new Set(entries.map((e) => e.key));
    const missingKeys = entries.filter((e) => !(e.key in dict)).map((e) => e.key);
    const unexpectedKeys = Object.keys(dict).filter((k) => !expected.has(k));
    const errors: string[] = [];
    for (const e of entries) {
      const value: unknown = dict[e.key];
      if (value !== undefined && !(value instanceof NDArray)) {
        const hint = value instanceof Tensor ? ' (a Tensor: pass its .data)' : '';
        errors.push(`While copying the parameter named "${e.key}", expected an NDArray from checkpoint but received ${describeValue(value)}${hint}`);
      }
    }
    if (errors.length > 0) throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    if (strict && missingKeys.length > 0) errors.push(`Missing key(s) in state_dict: ${quoteKeys(missingKeys)}. `);
    if (strict && unexpectedKeys.length > 0) errors.push(`Unexpected key(s) in state_dict: ${quoteKeys(unexpectedKeys)}. `);
    for (const e of entries) {
      const value = dict[e.key];
      if (value === undefined) continue;
      const current = e.get();
      if (!sameShape(value.shape, current.shape)) {
        errors.push(`size mismatch for ${e.key}: copying a param with shape ${torchShape(value.shape)} from checkpoint, ` +
          `the shape in current model is ${torchShape(current.shape)}.`);
      }
    }
    if (errors.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    // Copy only after every check passed, so that a failed load leaves the module as it was.
    // In place, as PyTorch's copy_: the version goes up, so a graph built before the load cannot
    // silently backpropagate through the new values.
    for (const e of entries) {
      const value = dict[e.key];
      if (value === undefined) continue;
      const current = e.get();
      current.copy_(value.backend === current.backend ? value : value.to(current.backend));
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * The options a layer prints inside its parentheses (PyTorch's `extra_repr`); '' by default.
   *
   * @example
   * new Linear(64, 10).extraRepr(); // 'in_features=64, out_features=10, bias=True'
   */
  extraRepr(): string {
    return '';
  }

  /**
   * The module tree as PyTorch prints it.
   *
   * @example
   * String(new Sequential(new Linear(2, 3), new ReLU()));
   * // Sequential(
   * //   (0): Linear(in_features=2, out_features=3, bias=True)
   * //   (1): ReLU()
   * // )
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = [...this.namedChildren()].map(([name, child]) => `(${name}): ${addIndent(child.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let body = '';
    if (extraLines.length === 1 && childLines.length === 0) body = extraLines[0];
    else if (lines.length > 0) body = `\n  ${lines.join('\n  ')}\n`;
    return `${this.constructor.name}(${body})`;
  }
}

/**
 * The values a module's fields hold, each with its state-dict name: a field's value under the field's
 * name, an array's items as `field.0`, `field.1`, and a plain object's values as `field.key`. One level
 * deep, so that options objects and typed arrays are never searched.
 */
function* fieldItems(owner: Module): Generator<[string, unknown]> {
  for (const [key, value] of Object.entries(owner)) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) yield [`${key}.${i}`, value[i]];
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) yield [`${key}.${k}`, v];
    } else {
      yield [key, value];
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function quoteKeys(keys: string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}
