import { NDArray, zerosLike } from '@tsgrad/ndarray';
import { Tensor, fromNDArray } from '@tsgrad/autograd';

/** The option every optimizer has; schedulers read and write it per group. */
export interface BaseOptions {
  lr: number;
}

/** One value of an optimizer's per-parameter state: a buffer, or a count such as `step`. */
export type StateValue = NDArray | number;
/** The state an optimizer keeps for one parameter (`{ step, expAvg, expAvgSq }` for Adam). */
export type ParamState = Record<string, StateValue>;

/**
 * A parameter group: its tensors and its own copy of every option. `initialLr` is set by the
 * first learning-rate scheduler attached to the optimizer, as PyTorch's `initial_lr`.
 */
export type ParamGroup<O extends BaseOptions> = O & { params: Tensor[]; initialLr?: number };

/** A group as the user writes it: the tensors and any options that differ from the defaults. */
export type ParamGroupInput<O extends BaseOptions> = Partial<O> & { params: Iterable<Tensor> | Tensor };

/** What an optimizer takes: tensors (one group), or groups with per-group options. */
export type Params<O extends BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * The optimizer's state in PyTorch's layout: state keyed by the parameter's index (counting
 * through the groups in order), and each group's options with `params` as those indices.
 */
export interface OptimizerStateDict<O extends BaseOptions> {
  state: Record<number, ParamState>;
  paramGroups: Array<O & { params: number[]; initialLr?: number }>;
}

/**
 * The base of every optimizer: parameter groups with per-group options, per-parameter state,
 * `zeroGrad`, `step` and a state dict, as `torch.optim.Optimizer`.
 *
 * A subclass supplies its option checks (`validate`) and the update of one parameter
 * (`updateParameter`); `step()` calls it for every parameter that has a gradient and skips
 * the others, as PyTorch does.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD } from '@tsgrad/optim';
 * const w = tensor([1, 2], { requiresGrad: true });
 * const b = tensor([0], { requiresGrad: true });
 * const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.1 }], { lr: 0.01 });
 * w.mul(w).sum().add(b.sum()).backward();
 * opt.step();       // w -= 0.01 * 2w, b -= 0.1 * 1
 * opt.zeroGrad();   // w.grad === null
 * ```
 */
export abstract class Optimizer<O extends BaseOptions> {
  /** The options a group gets when it does not name them. */
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();

  /**
   * `defaults` are the optimizer's own (PyTorch's) defaults, `options` what the user changed; an option
   * that is not among the defaults, or of another type, is an error.
   */
  constructor(params: Params<O>, defaults: O, options: Partial<O> = {}) {
    if (params instanceof Tensor) {
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Tensors or param groups, but got a Tensor of shape [${params.shape.join(',')}]`,
      );
    }
    checkOptions(this.constructor.name, options, defaults);
    this.defaults = { ...copyOptions(defaults), ...copyOptions(options) };
    const items: Array<Tensor | ParamGroupInput<O>> = [...params];
    if (items.length === 0) throw new Error('optimizer got an empty parameter list');
    const tensors = items.filter((item) => item instanceof Tensor);
    if (tensors.length === items.length) {
      this.addGroup(tensors, {});
      return;
    }
    items.forEach((item, i) => {
      if (item instanceof Tensor) throw new TypeError('params mixes Tensors and param groups: pass one or the other');
      // Neither a Tensor nor a group: name it here, before spreading its missing `params` fails as "not iterable".
      if (typeof item !== 'object' || item === null || item instanceof NDArray) {
        throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${describe(item)}`);
      }
      if (!('params' in item)) throw new TypeError(`param group ${i} has no "params" (expected { params: [...tensors], ...options })`);
      this.addParamGroup(item);
    });
  }

  /** Rejects an infinite or NaN option (PyTorch accepts lr = inf; one step then makes every parameter NaN). */
  private checkFinite(group: ParamGroup<O>): void {
    const bad = firstNonFinite(group, this.defaults);
    if (bad !== null) throw new RangeError(`${this.constructor.name}: option "${bad.option}" must be a finite number, got ${bad.value}`);
  }

  /** Checks one group's options, throwing PyTorch's message for the first bad value. */
  protected abstract validate(options: O): void;

  /**
   * Updates one parameter in place from its gradient (already contiguous), using and
   * updating `state`. Called by `step()` for every parameter whose `grad` is set.
   */
  protected abstract updateParameter(param: NDArray, grad: NDArray, state: ParamState, group: ParamGroup<O>): void;

  /**
   * Adds a group of parameters, filling options it does not name from the defaults.
   * Parameters must be leaf tensors and may appear in only one group.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { Adam } from '@tsgrad/optim';
   * const opt = new Adam([tensor([1], { requiresGrad: true })]);
   * opt.addParamGroup({ params: [tensor([2], { requiresGrad: true })], lr: 1e-4 });
   * opt.paramGroups[1].lr; // 1e-4
   * ```
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    // The spread below puts `params` back after the options, so passing the whole group is safe.
    this.addGroup(group.params instanceof Tensor ? [group.params] : [...group.params], group);
  }

  private addGroup(params: Tensor[], options: Partial<O>): void {
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
    }
    if (new Set(params).size !== params.length) {
      throw new Error('optimizer contains a parameter group with duplicate parameters');
    }
    for (const other of this.paramGroups) {
      if (other.params.some((p) => params.includes(p))) {
        throw new Error('some parameters appear in more than one parameter group');
      }
    }
    checkOptions(this.constructor.name, options, this.defaults);
    const group: ParamGroup<O> = { ...copyOptions(this.defaults), ...copyOptions(options), params };
    this.validate(group);
    this.checkFinite(group);
    this.paramGroups.push(group);
  }

  /**
   * Clears the gradients of every parameter: sets them to `null` (PyTorch 2's default), or to
   * zeros with `{ setToNone: false }`. A parameter whose grad is `null` is skipped by `step()`.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD } from '@tsgrad/optim';
   * const w = tensor([1, 2], { requiresGrad: true });
   * w.sum().backward();
   * new SGD([w]).zeroGrad({ setToNone: false });
   * w.grad?.data.toArray(); // [0, 0]
   * ```
   */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        p.grad = setToNone ? null : fromNDArray(zerosLike(p.grad.data));
      }
    }
  }

  /**
   * Performs one optimisation step on every parameter that has a gradient. With a closure,
   * calls it first (it should recompute the loss and the gradients) and returns its result.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD } from '@tsgrad/optim';
   * const w = tensor([3], { requiresGrad: true });
   * const opt = new SGD([w], { lr: 0.5 });
   * const loss = opt.step(() => { opt.zeroGrad(); const l = w.mul(w).sum(); l.backward(); return l; });
   * w.data.item(); // 0 (3 - 0.5 * 6)
   * ```
   */
  step<T>(closure?: () => T): T | undefined {
    const loss = closure?.();
    this.paramGroups.forEach((group, g) => {
      // Options are plain fields that anyone may assign (schedulers do); one NaN would reach every parameter.
      const bad = firstNonFinite(group, this.defaults);
      if (bad !== null) {
        throw new RangeError(`${this.constructor.name}.step: param group ${g} has ${bad.name} = ${bad.value}; options must be finite numbers`);
      }
    });
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        const grad = p.grad.data;
        if (p.data.dtype !== 'float32' && p.data.dtype !== 'float64') {
          throw new TypeError(`step: cannot optimize a parameter of dtype ${p.data.dtype} (shape [${p.data.shape.join(',')}]); parameters must be float32 or float64`);
        }
        if (grad.dtype !== p.data.dtype) {
          throw new TypeError(`step: grad of dtype ${grad.dtype} does not match its parameter of dtype ${p.data.dtype}`);
        }
        if (grad.shape.length !== p.data.shape.length || grad.shape.some((d, i) => d !== p.data.shape[i])) {
          throw new Error(`step: grad of shape [${grad.shape.join(',')}] does not match its parameter of shape [${p.data.shape.join(',')}]`);
        }
        let state = this.state.get(p);
        if (state === undefined) {
          state = {};
          this.state.set(p, state);
        }
        // The fused kernels update contiguous memory in place; a strided parameter is updated
        // through a contiguous copy that is then written back (both bump its version).
        const data = p.data.isContiguous() ? p.data : p.data.contiguous();
        this.updateParameter(data, grad.isContiguous() ? grad : grad.contiguous(), state, group);
        if (data !== p.data) p.data.copy_(data);
      }
    }
    return loss;
  }

  /**
   * The optimizer's state as PyTorch lays it out: `state` keyed by parameter index, and
   * `paramGroups` with their options and parameter indices. Buffers are copies, so the
   * result does not change as training goes on (PyTorch returns references).
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { Adam } from '@tsgrad/optim';
   * const w = tensor([1, 2], { requiresGrad: true });
   * const opt = new Adam([w]);
   * w.sum().backward(); opt.step();
   * const sd = opt.stateDict(); // { state: { 0: { step: 1, expAvg, expAvgSq } }, paramGroups: [{ lr: 0.001, ..., params: [0] }] }
   * ```
   */
  stateDict(): OptimizerStateDict<O> {
    const state: Record<number, ParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const indices = group.params.map((p) => {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = copyState(s);
        return index++;
      });
      return { ...copyOptions(group), params: indices };
    });
    return { state, paramGroups };
  }

  /**
   * Restores the state saved by `stateDict()`: the groups must have the same sizes, and each
   * buffer the shape of its parameter (float buffers are cast to the parameter's dtype).
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { Adam } from '@tsgrad/optim';
   * const w = tensor([1, 2], { requiresGrad: true });
   * const opt = new Adam([w]);
   * const saved = opt.stateDict();
   * new Adam([w]).loadStateDict(saved);
   * ```
   */
  loadStateDict(stateDict: OptimizerStateDict<O>): void {
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error(
        `loaded state dict has a different number of parameter groups (${saved.length}, the optimizer has ${this.paramGroups.length})`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((group, g) => {
      const params = this.paramGroups[g].params;
      if (group.params.length !== params.length) {
        throw new Error(
          `loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${g}: ${group.params.length} vs ${params.length})`,
        );
      }
      group.params.forEach((index, i) => byIndex.set(index, params[i]));
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, values] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new Error(`loaded state dict has state for parameter ${key}, which no group lists`);
      state.set(p, castState(values, p.data, Number(key)));
    }
    saved.forEach((group, g) => {
      const { params: _indices, ...options } = group;
      const next: ParamGroup<O> = { ...this.paramGroups[g], ...copyOptions(options) };
      this.validate(next);
      this.checkFinite(next);
      this.paramGroups[g] = next;
    });
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }
}

/**
 * Rejects an option the optimizer does not have (a typo such as `learningRate` would otherwise be
 * ignored silently; PyTorch rejects an unexpected keyword argument too), and one whose type differs
 * from its default's. `params` and `initialLr` are group fields, not options.
 */
function checkOptions(optimizer: string, options: object, defaults: object): void {
  const known = new Map<string, unknown>(Object.entries(defaults));
  for (const [key, value] of Object.entries(options)) {
    if (key === 'params' || key === 'initialLr' || value === undefined) continue;
    if (!known.has(key)) throw new TypeError(`${optimizer} got an unknown option "${key}" (options: ${[...known.keys()].join(', ')})`);
    const expected = known.get(key);
    const ok = Array.isArray(expected)
      ? Array.isArray(value) && value.length === expected.length && value.every((v) => typeof v === 'number')
      : typeof value === typeof expected;
    if (!ok) {
      const kind = Array.isArray(expected) ? `an array of ${expected.length} numbers` : `a ${typeof expected}`;
      throw new TypeError(`${optimizer}: option "${key}" must be ${kind}, got ${JSON.stringify(value)}`);
    }
  }
}

/**
 * The first numeric option of `group` (or entry of an array option such as `betas`) that is not
 * finite, with its name as messages print it (`betas[1]`); null when all are.
 */
function firstNonFinite(group: object, defaults: object): { option: string; name: string; value: number } | null {
  // Checked on every step: no temporary maps or arrays, only the lookups.
  const check = (option: string): { option: string; name: string; value: number } | null => {
    const v: unknown = Object.hasOwn(group, option) ? Reflect.get(group, option) : undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'number' && !Number.isFinite(x)) return { option, name: `${option}[${i}]`, value: x };
      }
    } else if (typeof v === 'number' && !Number.isFinite(v)) return { option, name: option, value: v };
    return null;
  };
  for (const option of Object.keys(defaults)) {
    const bad = check(option);
    if (bad !== null) return bad;
  }
  return check('initialLr');
}

/** A copy of an options object deep enough that no array (such as `betas`) is shared. */
function copyOptions<T extends object>(options: T): T {
  const out = { ...options };
  for (const key of Object.keys(out) as Array<keyof T>) {
    const v = out[key];
    if (Array.isArray(v)) out[key] = [...v] as T[keyof T];
    else if (v === undefined) delete out[key]; // an option given as undefined keeps its default
  }
  return out;
}

function copyState(state: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(state)) out[k] = v instanceof NDArray ? v.clone() : v;
  return out;
}

/** Copies loaded state, checking each buffer's shape and casting float buffers to the parameter's dtype. */
function castState(state: ParamState, param: NDArray, index: number): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(state)) {
    if (typeof v === 'number') {
      out[k] = v;
      continue;
    }
    if (!(v instanceof NDArray)) throw new TypeError(`loaded state of parameter ${index}: ${k} is neither a number nor an NDArray`);
    if (v.shape.length !== param.shape.length || v.shape.some((d, i) => d !== param.shape[i])) {
      throw new Error(
        `loaded state of parameter ${index}: ${k} has shape [${v.shape.join(',')}] but the parameter has shape [${param.shape.join(',')}]`,
      );
    }
    const isFloat = (d: string): boolean => d === 'float32' || d === 'float64';
    const cast = isFloat(v.dtype) && isFloat(param.dtype) && v.dtype !== param.dtype ? v.astype(param.dtype) : v;
    out[k] = cast.clone();
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof NDArray) return 'NDArray (wrap it: fromNDArray(a, { requiresGrad: true }))';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
