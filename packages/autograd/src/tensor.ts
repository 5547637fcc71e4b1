/**
 * `Tensor`: an `NDArray` plus what reverse-mode autodiff needs: whether it requires grad, the
 * gradient accumulated into it (`grad`) and the node of the op that made it (`gradFn`).
 *
 * Methods mirror NDArray's names. Differentiable ones go through an op made by `defineOp`;
 * comparisons and argmax return tensors outside the graph.
 */
import type { DType, NDArray, NestedArray, Shape, TypedArray } from '@tsgrad/ndarray';
import { array } from '@tsgrad/ndarray';
import { mean, softmax } from './composite.js';
import { backward, type BackwardOptions } from './engine.js';
import type { Node } from './node.js';
import * as binary from './ops/binary.js';
import * as indexing from './ops/index.js';
import { matmul } from './ops/matmul.js';
import * as movement from './ops/movement.js';
import { pad, type PadMode } from './ops/pad.js';
import * as reduce from './ops/reduce.js';
import { logSoftmax } from './ops/softmax.js';
import * as unary from './ops/unary.js';

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

/**
 * A number as a 0-d constant for a binary op with `like`: PyTorch's "weak" scalar rule, so a
 * number never widens a float tensor and only a non-integer turns an integer tensor to float32.
 */
function scalarFor(like: Tensor, value: number): Tensor {
  const dtype: DType = isFloatDType(like.dtype) ? like.dtype : Number.isInteger(value) ? 'int32' : 'float32';
  return new Tensor(array(value, { dtype }));
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
  /** The values. Optimizers replace it (`p.data = p.data.sub(...)`); ops read it at call time. */
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
    const requiresGrad = opts.requiresGrad ?? false;
    if (requiresGrad) checkCanRequireGrad(data.dtype);
    this.data = data;
    this.requiresGrad = requiresGrad;
  }

  /** True for tensors made by the user rather than by an op (gradients accumulate in leaves). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get shape(): Shape {
    return this.data.shape;
  }
  get dtype(): DType {
    return this.data.dtype;
  }
  get ndim(): number {
    return this.data.ndim;
  }
  get size(): number {
    return this.data.size;
  }

  // ---- autograd ------------------------------------------------------------------------

  /**
   * Accumulates d(this)/d(leaf) into every leaf's `.grad`; `gradient` defaults to 1 for a
   * one-element tensor. Frees the graph unless `{ retainGraph: true }`.
   */
  backward(gradient?: Tensor | NDArray, opts?: BackwardOptions): void {
    backward(this, gradient, opts);
  }
  /** The same data, cut from the graph (never requires grad). */
  detach(): Tensor {
    return new Tensor(this.data);
  }
  /** Sets `requiresGrad` in place (leaves only, as PyTorch); returns this. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error('you can only change requiresGrad flags of leaf variables.');
    }
    if (flag) checkCanRequireGrad(this.dtype);
    this.requiresGrad = flag;
    return this;
  }
  /** Makes backward store this non-leaf tensor's gradient in `.grad` too. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("can't retainGrad on a Tensor that has requiresGrad=false");
    this.retainsGrad = true;
    return this;
  }

  // ---- elementwise -----------------------------------------------------------------------

  private other(o: Tensor | number): Tensor {
    return typeof o === 'number' ? scalarFor(this, o) : o;
  }
  add(o: Tensor | number): Tensor {
    return binary.add([this, this.other(o)]);
  }
  sub(o: Tensor | number): Tensor {
    return binary.sub([this, this.other(o)]);
  }
  mul(o: Tensor | number): Tensor {
    return binary.mul([this, this.other(o)]);
  }
  div(o: Tensor | number): Tensor {
    return binary.div([this, this.other(o)]);
  }
  pow(o: Tensor | number): Tensor {
    return binary.pow([this, this.other(o)]);
  }
  maximum(o: Tensor | number): Tensor {
    return binary.maximum([this, this.other(o)]);
  }
  minimum(o: Tensor | number): Tensor {
    return binary.minimum([this, this.other(o)]);
  }
  neg(): Tensor {
    return unary.neg([this]);
  }
  exp(): Tensor {
    return unary.exp([this]);
  }
  log(): Tensor {
    return unary.log([this]);
  }
  sqrt(): Tensor {
    return unary.sqrt([this]);
  }
  abs(): Tensor {
    return unary.abs([this]);
  }
  relu(): Tensor {
    return unary.relu([this]);
  }
  tanh(): Tensor {
    return unary.tanh([this]);
  }
  sigmoid(): Tensor {
    return unary.sigmoid([this]);
  }
  sign(): Tensor {
    return unary.sign([this]);
  }
  square(): Tensor {
    return unary.square([this]);
  }
  reciprocal(): Tensor {
    return unary.reciprocal([this]);
  }

  // ---- comparisons (no gradient) --------------------------------------------------------

  private compareData(o: Tensor | number): NDArray | number {
    return typeof o === 'number' ? o : o.data;
  }
  gt(o: Tensor | number): Tensor {
    return new Tensor(this.data.gt(this.compareData(o)));
  }
  ge(o: Tensor | number): Tensor {
    return new Tensor(this.data.ge(this.compareData(o)));
  }
  lt(o: Tensor | number): Tensor {
    return new Tensor(this.data.lt(this.compareData(o)));
  }
  le(o: Tensor | number): Tensor {
    return new Tensor(this.data.le(this.compareData(o)));
  }
  eq(o: Tensor | number): Tensor {
    return new Tensor(this.data.eq(this.compareData(o)));
  }
  ne(o: Tensor | number): Tensor {
    return new Tensor(this.data.ne(this.compareData(o)));
  }

  // ---- reductions ----------------------------------------------------------------------

  sum(axis?: Axis, keepdim = false): Tensor {
    return reduce.sum([this], axis, keepdim);
  }
  mean(axis?: Axis, keepdim = false): Tensor {
    return mean(this, axis, keepdim);
  }
  /** max over all axes or a list of axes (ties share the gradient), or along one dim (the gradient goes to the returned index). */
  max(axis?: Axis, keepdim = false): Tensor {
    return typeof axis === 'number' ? reduce.maxDim([this], axis, keepdim).out : reduce.amax([this], axis, keepdim);
  }
  /** min, with the same rules as `max`. */
  min(axis?: Axis, keepdim = false): Tensor {
    return typeof axis === 'number' ? reduce.minDim([this], axis, keepdim).out : reduce.amin([this], axis, keepdim);
  }
  /** max along `dim` and the index of each maximum (the indices carry no gradient). */
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const { out, saved } = reduce.maxDim([this], dim, keepdim);
    return { values: out, indices: new Tensor(saved) };
  }
  /** min along `dim` and the index of each minimum (the indices carry no gradient). */
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const { out, saved } = reduce.minDim([this], dim, keepdim);
    return { values: out, indices: new Tensor(saved) };
  }
  logsumexp(axis?: Axis, keepdim = false): Tensor {
    return reduce.logsumexp([this], axis, keepdim);
  }
  argmax(axis?: number, keepdim = false): Tensor {
    return new Tensor(this.data.argmax(axis, keepdim));
  }
  argmin(axis?: number, keepdim = false): Tensor {
    return new Tensor(this.data.argmin(axis, keepdim));
  }
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return logSoftmax([this], dim);
  }

  // ---- shape and movement --------------------------------------------------------------

  view(shape: Shape): Tensor {
    return movement.view([this], shape);
  }
  reshape(shape: Shape): Tensor {
    return movement.reshape([this], shape);
  }
  permute(dims: readonly number[]): Tensor {
    return movement.permute([this], dims);
  }
  transpose(d0: number, d1: number): Tensor {
    return movement.transpose([this], d0, d1);
  }
  expand(shape: Shape): Tensor {
    return movement.expand([this], shape);
  }
  squeeze(dim?: number): Tensor {
    return movement.squeeze([this], dim);
  }
  unsqueeze(dim: number): Tensor {
    return movement.unsqueeze([this], dim);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return movement.flatten([this], startDim, endDim);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return movement.slice([this], dim, start, start + length, 1);
  }
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return movement.slice([this], dim, start, end, step);
  }
  contiguous(): Tensor {
    return movement.contiguous([this]);
  }
  clone(): Tensor {
    return movement.clone([this]);
  }
  astype(dtype: DType): Tensor {
    return movement.astype([this], dtype);
  }
  isContiguous(): boolean {
    return this.data.isContiguous();
  }

  // ---- indexing and linear algebra -------------------------------------------------------

  gather(dim: number, index: Tensor): Tensor {
    return indexing.gather([this, index], dim);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexing.indexSelect([this, index], dim);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexing.scatterAdd([this, index, src], dim);
  }
  /** Pads with `F.pad` widths (last dim first); modes other than 'constant' pad by copying. */
  pad(pads: readonly number[], value = 0, mode: PadMode = 'constant'): Tensor {
    return pad(this, pads, mode, value);
  }
  matmul(o: Tensor): Tensor {
    return matmul([this, o]);
  }

  // ---- output ----------------------------------------------------------------------------

  toArray(): NestedArray {
    return this.data.toArray();
  }
  item(): number {
    return this.data.item();
  }
  toTypedArray(): TypedArray {
    return this.data.toTypedArray();
  }
  get(...index: number[]): number {
    return this.data.get(...index);
  }
  toString(): string {
    const grad = this.gradFn !== null ? `, gradFn=<${this.gradFn.name}>` : this.requiresGrad ? ', requiresGrad=true' : '';
    return `tensor(${this.data.toString()}${grad})`;
  }
}
