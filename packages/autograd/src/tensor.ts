/**
 * `Tensor`: an `NDArray` plus what reverse-mode autodiff needs: whether it requires grad, the
 * gradient accumulated into it (`grad`) and the node of the op that made it (`gradFn`).
 *
 * Methods mirror NDArray's names. Differentiable ones go through an op made by `defineOp`;
 * comparisons and argmax return tensors outside the graph.
 */
import type { Backend, DType, NDArray, NestedArray, Shape, TypedArray } from '@tsgrad/ndarray';
import { array } from '@tsgrad/ndarray';
import { mean, softmax } from './composite.js';
import { describeValue } from './describe-value.js';
import { backward, type BackwardOptions } from './engine.js';
import type { Node } from './node.js';
import * as binary from './ops/binary.js';
import { clamp } from './ops/clamp.js';
import * as indexing from './ops/index.js';
import { matmul } from './ops/matmul.js';
import * as movement from './ops/movement.js';
import { pad, type PadMode } from './ops/pad.js';
import * as reduce from './ops/reduce.js';
import { logSoftmax } from './ops/softmax.js';
import { toBackend } from './ops/to-backend.js';
import * as unary from './ops/unary.js';
import { spread, type VarianceOptions } from './ops/variance.js';

/** Options of the `Tensor` constructor. */
export interface TensorOptions {
  /** Record ops on this tensor so `backward` computes its `.grad` (default false). */
  requiresGrad?: boolean;
}

/** Axes to reduce over: one, several, or all when omitted. */
export type Axis = number | readonly number[];

/**
 * Whether tensors of this dtype can carry gradients (float32 and float64 only).
 *
 * @example
 * isFloatDType('int32'); // false
 */
export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

function checkCanRequireGrad(dtype: DType): void {
  if (!isFloatDType(dtype)) {
    throw new Error(`only Tensors of floating point dtype can require gradients, got ${dtype}`);
  }
}

/** Whether `v` has an NDArray's shape and dtype (checked by shape, not class, so two copies of ndarray still mix). */
function isArrayLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'shape' in v && Array.isArray(v.shape) && 'dtype' in v && typeof v.dtype === 'string';
}

/**
 * A number as a 0-d constant for a binary op with `like`: PyTorch's "weak" scalar rule, so a
 * number never widens a float tensor and only a non-integer turns an integer tensor to float32.
 *
 * @example
 * scalarFor(tensor([1], { dtype: 'float64' }), 2).dtype; // 'float64'
 */
export function scalarFor(like: Tensor, value: number): Tensor {
  const dtype: DType = isFloatDType(like.dtype) ? like.dtype : Number.isInteger(value) ? 'int32' : 'float32';
  return new Tensor(array(value, { dtype, backend: like.data.backend }));
}

/**
 * An n-d array that can record the ops applied to it and compute gradients.
 *
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const y = x.mul(x).sum();        // y = Σ x²
 * y.backward();
 * x.grad?.toArray();               // [2, 4, 6]
 */
export class Tensor {
  /**
   * The values. Optimizers update them in place (fused backend kernels), which bumps the
   * storage's version; ops read them at call time.
   */
  data: NDArray;
  /** The accumulated gradient of a leaf (or of a tensor that called `retainGrad()`); null until backward. */
  grad: Tensor | null = null;
  /** Whether ops on this tensor are recorded for backward. */
  requiresGrad: boolean;
  /** The node of the op that made this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** A label for graph drawings (`toDot`, `toSvg`). */
  name: string | undefined = undefined;
  /** Whether backward stores this non-leaf's gradient in `.grad` too (see `retainGrad`). */
  retainsGrad = false;

  constructor(data: NDArray, opts: TensorOptions = {}) {
    if (data instanceof Tensor || !isArrayLike(data)) {
      const hint = data instanceof Tensor ? 'a Tensor (use it as it is, or t.detach())' : describeValue(data);
      throw new TypeError(`Tensor: data must be an NDArray, got ${hint}`);
    }
    const requiresGrad = opts.requiresGrad ?? false;
    if (requiresGrad) checkCanRequireGrad(data.dtype);
    this.data = data;
    this.requiresGrad = requiresGrad;
  }

  /**
   * True for tensors made by the user rather than by an op (gradients accumulate in leaves).
   * @example
   * tensor([1], { requiresGrad: true }).mul(2).isLeaf; // false
   */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /**
   * The size of each dim.
   * @example
   * zeros([2, 3]).shape; // [2, 3]
   */
  get shape(): Shape {
    return this.data.shape;
  }
  /**
   * The element type.
   * @example
   * zeros([2]).dtype; // 'float32'
   */
  get dtype(): DType {
    return this.data.dtype;
  }
  /**
   * The number of dims.
   * @example
   * zeros([2, 3]).ndim; // 2
   */
  get ndim(): number {
    return this.data.ndim;
  }
  /**
   * The number of elements.
   * @example
   * zeros([2, 3]).size; // 6
   */
  get size(): number {
    return this.data.size;
  }

  // ---- autograd ------------------------------------------------------------------------

  /**
   * Accumulates d(this)/d(leaf) into every leaf's `.grad`; `gradient` defaults to 1 for a
   * one-element tensor. Frees the graph unless `{ retainGraph: true }`, which may be passed
   * alone: `loss.backward({ retainGraph: true })`.
   * @example
   * const x = tensor([1, 2], { requiresGrad: true });
   * x.square().backward(tensor([1, 1]));
   * x.grad?.toArray(); // [2, 4]
   * const loss = x.square().sum();
   * loss.backward({ retainGraph: true });
   * loss.backward();
   * x.grad?.toArray(); // [6, 12]
   */
  backward(opts?: BackwardOptions): void;
  backward(gradient?: Tensor | NDArray, opts?: BackwardOptions): void;
  backward(gradientOrOpts?: Tensor | NDArray | BackwardOptions, opts?: BackwardOptions): void {
    backward(this, gradientOrOpts, opts);
  }
  /**
   * How many in-place writes the data's storage has seen (PyTorch's `_version`); autograd
   * compares it with the version an op saw in forward.
   * @example
   * const w = zeros([2]);
   * w.data.fill_(1);
   * w.version; // 1
   */
  get version(): number {
    return this.data.version;
  }

  // ---- memory and devices ----------------------------------------------------------------

  /**
   * Disposes the data and the gradient (see `NDArray.dispose`); the tensor is unusable afterwards.
   * @example
   * const t = zeros([1000]);
   * t.dispose();
   * t.isDisposed; // true
   */
  dispose(): void {
    this.data.dispose();
    this.grad?.dispose();
  }
  /** `using t = ...` disposes at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /**
   * Whether the data was disposed.
   * @example
   * zeros([1]).isDisposed; // false
   */
  get isDisposed(): boolean {
    return this.data.isDisposed;
  }
  /**
   * The arrays this tensor keeps alive, for `tidy` (its data and its gradient's).
   * @example
   * zeros([2]).heldArrays().length; // 1
   */
  heldArrays(): NDArray[] {
    return this.grad === null ? [this.data] : [this.data, this.grad.data];
  }
  /**
   * This tensor on `backend` (itself when already there); differentiable, as PyTorch's `to`.
   * @example
   * import { referenceBackend } from '@tsgrad/ndarray';
   * tensor([1, 2]).to(referenceBackend).data.backend.name; // 'cpu-naive'
   */
  to(backend: Backend): Tensor {
    if (this.data.backend === backend) return this;
    return toBackend([this], backend);
  }

  /**
   * The same data, cut from the graph (never requires grad).
   * @example
   * tensor([1], { requiresGrad: true }).mul(2).detach().requiresGrad; // false
   */
  detach(): Tensor {
    return new Tensor(this.data);
  }
  /**
   * Sets `requiresGrad` in place (leaves only, as PyTorch); returns this.
   * @example
   * zeros([2]).requiresGrad_().requiresGrad; // true
   */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error('you can only change requiresGrad flags of leaf variables.');
    }
    if (flag) checkCanRequireGrad(this.dtype);
    this.requiresGrad = flag;
    return this;
  }
  /**
   * Makes backward store this non-leaf tensor's gradient in `.grad` too.
   * @example
   * const h = tensor([1, 2], { requiresGrad: true }).mul(3).retainGrad();
   * h.sum().backward();
   * h.grad?.toArray(); // [1, 1]
   */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("can't retainGrad on a Tensor that has requiresGrad=false");
    this.retainsGrad = true;
    return this;
  }

  // ---- elementwise -----------------------------------------------------------------------

  private other(o: Tensor | number): Tensor {
    return typeof o === 'number' ? scalarFor(this, o) : o;
  }
  /**
   * a + b, broadcasting.
   * @example
   * tensor([1, 2]).add(1).toArray(); // [2, 3]
   */
  add(o: Tensor | number): Tensor {
    return binary.add([this, this.other(o)]);
  }
  /**
   * a - b, broadcasting.
   * @example
   * tensor([1, 2]).sub(tensor([1])).toArray(); // [0, 1]
   */
  sub(o: Tensor | number): Tensor {
    return binary.sub([this, this.other(o)]);
  }
  /**
   * a * b, broadcasting.
   * @example
   * tensor([1, 2]).mul(3).toArray(); // [3, 6]
   */
  mul(o: Tensor | number): Tensor {
    return binary.mul([this, this.other(o)]);
  }
  /**
   * a / b (true division), broadcasting.
   * @example
   * tensor([1, 2]).div(2).toArray(); // [0.5, 1]
   */
  div(o: Tensor | number): Tensor {
    return binary.div([this, this.other(o)]);
  }
  /**
   * a ** b, broadcasting.
   * @example
   * tensor([2, 3]).pow(2).toArray(); // [4, 9]
   */
  pow(o: Tensor | number): Tensor {
    return binary.pow([this, this.other(o)]);
  }
  /**
   * Elementwise max; ties split the gradient in half.
   * @example
   * tensor([1, 5]).maximum(3).toArray(); // [3, 5]
   */
  maximum(o: Tensor | number): Tensor {
    return binary.maximum([this, this.other(o)]);
  }
  /**
   * Elementwise min; ties split the gradient in half.
   * @example
   * tensor([1, 5]).minimum(3).toArray(); // [1, 3]
   */
  minimum(o: Tensor | number): Tensor {
    return binary.minimum([this, this.other(o)]);
  }
  /**
   * -x.
   * @example
   * tensor([1, -2]).neg().toArray(); // [-1, 2]
   */
  neg(): Tensor {
    return unary.neg([this]);
  }
  /**
   * e^x.
   * @example
   * tensor([0]).exp().toArray(); // [1]
   */
  exp(): Tensor {
    return unary.exp([this]);
  }
  /**
   * Natural log.
   * @example
   * tensor([1]).log().toArray(); // [0]
   */
  log(): Tensor {
    return unary.log([this]);
  }
  /**
   * Square root.
   * @example
   * tensor([4]).sqrt().toArray(); // [2]
   */
  sqrt(): Tensor {
    return unary.sqrt([this]);
  }
  /**
   * |x|.
   * @example
   * tensor([-2]).abs().toArray(); // [2]
   */
  abs(): Tensor {
    return unary.abs([this]);
  }
  /**
   * max(x, 0).
   * @example
   * tensor([-1, 2]).relu().toArray(); // [0, 2]
   */
  relu(): Tensor {
    return unary.relu([this]);
  }
  /**
   * Hyperbolic tangent.
   * @example
   * tensor([0]).tanh().toArray(); // [0]
   */
  tanh(): Tensor {
    return unary.tanh([this]);
  }
  /**
   * 1 / (1 + e^-x).
   * @example
   * tensor([0]).sigmoid().toArray(); // [0.5]
   */
  sigmoid(): Tensor {
    return unary.sigmoid([this]);
  }
  /**
   * -1, 0 or 1 (zero gradient).
   * @example
   * tensor([-3, 0, 2]).sign().toArray(); // [-1, 0, 1]
   */
  sign(): Tensor {
    return unary.sign([this]);
  }
  /**
   * x².
   * @example
   * tensor([3]).square().toArray(); // [9]
   */
  square(): Tensor {
    return unary.square([this]);
  }
  /**
   * 1 / x.
   * @example
   * tensor([4]).reciprocal().toArray(); // [0.25]
   */
  reciprocal(): Tensor {
    return unary.reciprocal([this]);
  }
  /**
   * Sine (radians).
   * @example
   * tensor([0]).sin().toArray(); // [0]
   */
  sin(): Tensor {
    return unary.sin([this]);
  }
  /**
   * Cosine (radians).
   * @example
   * tensor([0]).cos().toArray(); // [1]
   */
  cos(): Tensor {
    return unary.cos([this]);
  }
  /**
   * Every element held inside [min, max]; either bound may be omitted (`null`), and each may be
   * a tensor. On a bound the gradient passes, as PyTorch.
   * @example
   * tensor([-2, 0.5, 3]).clamp(-1, 1).toArray(); // [-1, 0.5, 1]
   * tensor([-2, 0.5, 3]).clamp(null, 1).toArray(); // [-2, 0.5, 1]
   */
  clamp(min?: Tensor | number | null, max?: Tensor | number | null): Tensor {
    return clamp(this, min, max);
  }
  /**
   * Alias of `clamp`, as PyTorch's `clip`.
   * @example
   * tensor([-2, 3]).clip(0).toArray(); // [0, 3]
   */
  clip(min?: Tensor | number | null, max?: Tensor | number | null): Tensor {
    return clamp(this, min, max);
  }

  // ---- comparisons (no gradient) --------------------------------------------------------

  private compareData(o: Tensor | number): NDArray | number {
    return typeof o === 'number' ? o : o.data;
  }
  /**
   * a > b as bool, outside the graph.
   * @example
   * tensor([1, 3]).gt(2).toArray(); // [false, true]
   */
  gt(o: Tensor | number): Tensor {
    return new Tensor(this.data.gt(this.compareData(o)));
  }
  /**
   * a >= b as bool, outside the graph.
   * @example
   * tensor([1, 2]).ge(2).toArray(); // [false, true]
   */
  ge(o: Tensor | number): Tensor {
    return new Tensor(this.data.ge(this.compareData(o)));
  }
  /**
   * a < b as bool, outside the graph.
   * @example
   * tensor([1, 3]).lt(2).toArray(); // [true, false]
   */
  lt(o: Tensor | number): Tensor {
    return new Tensor(this.data.lt(this.compareData(o)));
  }
  /**
   * a <= b as bool, outside the graph.
   * @example
   * tensor([2, 3]).le(2).toArray(); // [true, false]
   */
  le(o: Tensor | number): Tensor {
    return new Tensor(this.data.le(this.compareData(o)));
  }
  /**
   * a == b as bool, outside the graph.
   * @example
   * tensor([1, 2]).eq(2).toArray(); // [false, true]
   */
  eq(o: Tensor | number): Tensor {
    return new Tensor(this.data.eq(this.compareData(o)));
  }
  /**
   * a != b as bool, outside the graph.
   * @example
   * tensor([1, 2]).ne(2).toArray(); // [true, false]
   */
  ne(o: Tensor | number): Tensor {
    return new Tensor(this.data.ne(this.compareData(o)));
  }

  // ---- reductions ----------------------------------------------------------------------

  /**
   * Sum over `axis` (all axes when omitted).
   * @example
   * tensor([[1, 2], [3, 4]]).sum(0).toArray(); // [4, 6]
   */
  sum(axis?: Axis, keepdim = false): Tensor {
    return reduce.sum([this], axis, keepdim);
  }
  /**
   * Mean over `axis` (all axes when omitted).
   * @example
   * tensor([[1, 2], [3, 4]]).mean(1).toArray(); // [1.5, 3.5]
   */
  mean(axis?: Axis, keepdim = false): Tensor {
    return mean(this, axis, keepdim);
  }
  /**
   * The variance over `axis` (all axes when omitted), with `correction` 1 (or `unbiased`) by
   * default, as `torch.var`.
   * @example
   * tensor([1, 2, 3, 4]).var().item(); // 1.6666...
   * tensor([[1, 2], [3, 5]]).var(1, { correction: 0, keepdim: true }).toArray(); // [[0.25], [1]]
   */
  var(axis?: Axis, opts: VarianceOptions = {}): Tensor {
    return spread('var', this, axis, opts);
  }
  /**
   * The standard deviation: the square root of `var` (same options); its gradient is 0 where it is 0.
   * @example
   * tensor([2, 4, 4, 4, 5, 5, 7, 9]).std(undefined, { unbiased: false }).item(); // 2
   */
  std(axis?: Axis, opts: VarianceOptions = {}): Tensor {
    return spread('std', this, axis, opts);
  }
  /**
   * max over all axes or a list of axes (ties share the gradient evenly), or along one dim
   * (the gradient goes to the returned index), as PyTorch's `max()`, `amax` and `max(dim)`.
   * @example
   * tensor([[1, 5], [7, 2]]).max(1).toArray(); // [5, 7]
   */
  max(axis?: Axis, keepdim = false): Tensor {
    return typeof axis === 'number' ? reduce.maxDim([this], axis, keepdim).out : reduce.amax([this], axis, keepdim);
  }
  /**
   * min, with the same rules as `max`.
   * @example
   * tensor([[1, 5], [7, 2]]).min().item(); // 1
   */
  min(axis?: Axis, keepdim = false): Tensor {
    return typeof axis === 'number' ? reduce.minDim([this], axis, keepdim).out : reduce.amin([this], axis, keepdim);
  }
  /**
   * max along `dim` and the index of each maximum (the indices carry no gradient).
   * @example
   * tensor([[1, 5], [7, 2]]).maxWithIndices(1).indices.toArray(); // [1, 0]
   */
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const { out, saved } = reduce.maxDim([this], dim, keepdim);
    return { values: out, indices: new Tensor(saved) };
  }
  /**
   * min along `dim` and the index of each minimum (the indices carry no gradient).
   * @example
   * tensor([[1, 5], [7, 2]]).minWithIndices(1).indices.toArray(); // [0, 1]
   */
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const { out, saved } = reduce.minDim([this], dim, keepdim);
    return { values: out, indices: new Tensor(saved) };
  }
  /**
   * log Σ exp(x) over `axis`, computed without overflow.
   * @example
   * tensor([0, 0]).logsumexp().item(); // 0.6931...
   */
  logsumexp(axis?: Axis, keepdim = false): Tensor {
    return reduce.logsumexp([this], axis, keepdim);
  }
  /**
   * Index of the max (the first among ties), int32, outside the graph.
   * @example
   * tensor([1, 3, 3]).argmax().item(); // 1
   */
  argmax(axis?: number, keepdim = false): Tensor {
    return new Tensor(this.data.argmax(axis, keepdim));
  }
  /**
   * Index of the min (the first among ties), int32, outside the graph.
   * @example
   * tensor([2, 0, 0]).argmin().item(); // 1
   */
  argmin(axis?: number, keepdim = false): Tensor {
    return new Tensor(this.data.argmin(axis, keepdim));
  }
  /**
   * exp(x) / Σ exp(x) along `dim`.
   * @example
   * tensor([0, 0]).softmax(0).toArray(); // [0.5, 0.5]
   */
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  /**
   * log(softmax(x)) along `dim`, fused and stable.
   * @example
   * tensor([0, 0]).logSoftmax(0).toArray(); // [-0.693..., -0.693...]
   */
  logSoftmax(dim: number): Tensor {
    return logSoftmax([this], dim);
  }

  // ---- shape and movement --------------------------------------------------------------

  /**
   * A view with a new shape (`-1` allowed); throws if the strides do not allow one.
   * @example
   * arange(6).view([2, -1]).shape; // [2, 3]
   */
  view(shape: Shape): Tensor {
    return movement.view([this], shape);
  }
  /**
   * A new shape (`-1` allowed): a view when possible, else a copy.
   * @example
   * arange(6).reshape([3, 2]).shape; // [3, 2]
   */
  reshape(shape: Shape): Tensor {
    return movement.reshape([this], shape);
  }
  /**
   * Reorders the dims (a view).
   * @example
   * zeros([2, 3, 4]).permute([2, 0, 1]).shape; // [4, 2, 3]
   */
  permute(dims: readonly number[]): Tensor {
    return movement.permute([this], dims);
  }
  /**
   * Swaps two dims (a view).
   * @example
   * zeros([2, 3]).transpose(0, 1).shape; // [3, 2]
   */
  transpose(d0: number, d1: number): Tensor {
    return movement.transpose([this], d0, d1);
  }
  /**
   * Broadcasts size-1 dims to `shape` (`-1` keeps a size; a view).
   * @example
   * zeros([3, 1]).expand([3, 4]).shape; // [3, 4]
   */
  expand(shape: Shape): Tensor {
    return movement.expand([this], shape);
  }
  /**
   * Removes size-1 dims (all, or `dim`).
   * @example
   * zeros([2, 1, 3]).squeeze().shape; // [2, 3]
   */
  squeeze(dim?: number): Tensor {
    return movement.squeeze([this], dim);
  }
  /**
   * Inserts a size-1 dim at `dim`.
   * @example
   * zeros([2, 3]).unsqueeze(0).shape; // [1, 2, 3]
   */
  unsqueeze(dim: number): Tensor {
    return movement.unsqueeze([this], dim);
  }
  /**
   * Merges dims `startDim..endDim`.
   * @example
   * zeros([2, 3, 4]).flatten(1).shape; // [2, 12]
   */
  flatten(startDim = 0, endDim = -1): Tensor {
    return movement.flatten([this], startDim, endDim);
  }
  /**
   * `length` elements from `start` along `dim` (a view).
   * @example
   * arange(5).narrow(0, 1, 2).toArray(); // [1, 2]
   */
  narrow(dim: number, start: number, length: number): Tensor {
    return movement.slice([this], dim, start, start + length, 1);
  }
  /**
   * Python's `x[start:end:step]` along `dim` (a view).
   * @example
   * arange(6).slice(0, 1, 6, 2).toArray(); // [1, 3, 5]
   */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return movement.slice([this], dim, start, end, step);
  }
  /**
   * This tensor's values in row-major order (a copy only when needed).
   * @example
   * zeros([2, 3]).transpose(0, 1).contiguous().isContiguous(); // true
   */
  contiguous(): Tensor {
    return movement.contiguous([this]);
  }
  /**
   * A copy that stays in the graph.
   * @example
   * tensor([1]).clone().toArray(); // [1]
   */
  clone(): Tensor {
    return movement.clone([this]);
  }
  /**
   * A cast; the gradient is cast back.
   * @example
   * tensor([1.5]).astype('float64').dtype; // 'float64'
   */
  astype(dtype: DType): Tensor {
    return movement.astype([this], dtype);
  }
  /**
   * Whether the data is laid out row-major without gaps.
   * @example
   * zeros([2, 3]).isContiguous(); // true
   */
  isContiguous(): boolean {
    return this.data.isContiguous();
  }

  // ---- indexing and linear algebra -------------------------------------------------------

  /**
   * out[i][j] = x[i][index[i][j]] for dim 1; the gradient is scatter-added back.
   * @example
   * tensor([[1, 2], [3, 4]]).gather(1, tensor([[1], [0]], { dtype: 'int32' })).toArray(); // [[2], [3]]
   */
  gather(dim: number, index: Tensor): Tensor {
    return indexing.gather([this, index], dim);
  }
  /**
   * Whole slices along `dim`, in the order `index` lists them.
   * @example
   * tensor([10, 20, 30]).indexSelect(0, tensor([2, 0], { dtype: 'int32' })).toArray(); // [30, 10]
   */
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexing.indexSelect([this, index], dim);
  }
  /**
   * This tensor plus `src` added at `index` along `dim` (a new tensor).
   * @example
   * zeros([3]).scatterAdd(0, tensor([0, 0], { dtype: 'int32' }), ones([2])).toArray(); // [2, 0, 0]
   */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexing.scatterAdd([this, index, src], dim);
  }
  /**
   * Pads with `F.pad` widths (last dim first); modes other than 'constant' pad by copying.
   * @example
   * tensor([[1, 2]]).pad([1, 1]).toArray(); // [[0, 1, 2, 0]]
   */
  pad(pads: readonly number[], value = 0, mode: PadMode = 'constant'): Tensor {
    return pad(this, pads, mode, value);
  }
  /**
   * Matrix product (1-d, 2-d and batched operands, batch dims broadcast).
   * @example
   * ones([2, 3]).matmul(ones([3, 4])).shape; // [2, 4]
   */
  matmul(o: Tensor): Tensor {
    return matmul([this, o]);
  }

  // ---- output ----------------------------------------------------------------------------

  /**
   * The values as nested JavaScript arrays.
   * @example
   * tensor([[1, 2]]).toArray(); // [[1, 2]]
   */
  toArray(): NestedArray {
    return this.data.toArray();
  }
  /**
   * The value of a one-element tensor.
   * @example
   * tensor([[5]]).item(); // 5
   */
  item(): number {
    return this.data.item();
  }
  /**
   * The values as nested arrays, read asynchronously (works on every backend).
   * @example
   * await tensor([[1, 2]]).toArrayAsync(); // [[1, 2]]
   */
  toArrayAsync(): Promise<NestedArray> {
    return this.data.toArrayAsync();
  }
  /**
   * The values as a typed array, read asynchronously (TF.js's `data()`; `data` is the NDArray here).
   * @example
   * await tensor([1, 2]).dataAsync(); // Float32Array [1, 2]
   */
  dataAsync(): Promise<TypedArray> {
    return this.data.data();
  }
  /**
   * A contiguous copy of the values in the dtype's typed array.
   * @example
   * tensor([1, 2]).toTypedArray(); // Float32Array [1, 2]
   */
  toTypedArray(): TypedArray {
    return this.data.toTypedArray();
  }
  /**
   * One element.
   * @example
   * tensor([[1, 2], [3, 4]]).get(1, 0); // 3
   */
  get(...index: number[]): number {
    return this.data.get(...index);
  }
  /**
   * PyTorch-like text, with the op that made the tensor.
   * @example
   * tensor([1], { requiresGrad: true }).mul(2).toString(); // 'tensor([2.], gradFn=<mul>)'
   */
  toString(): string {
    const grad = this.gradFn !== null ? `, gradFn=<${this.gradFn.name}>` : this.requiresGrad ? ', requiresGrad=true' : '';
    const text = this.data.toString(); // 'tensor([...])', PyTorch's form
    return grad === '' ? text : text.endsWith(')') ? `${text.slice(0, -1)}${grad})` : `${text}${grad}`;
  }
}
