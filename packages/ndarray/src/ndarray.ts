/**
 * The strided n-d array.
 *
 * An `NDArray` is a window onto flat storage that its backend owns: element `[i0, i1, ...]`
 * is element `offset + i0*strides[0] + i1*strides[1] + ...` of the storage. Views (reshape,
 * permute, expand, narrow...) make a new window over the same storage and never copy;
 * everything that computes, reads or writes elements goes through the backend (see `backend.ts`).
 */
import type { Backend } from './backend.js';
import { sameBackend } from './device.js';
import { checkDType, type DType, type NestedArray, type Shape, type TypedArray } from './dtype.js';
import { trackInScope } from './memory.js';
import type { Storage } from './storage.js';
import {
  formatShape,
  inferShape,
  isContiguousLayout,
  normalizeDim,
  sizeOf,
  stridesFor,
  viewStrides,
} from './shape.js';
import { binaryOp, unaryOp } from './elementwise.js';
import { argReduce, logsumexp, mean, reduce, sumTo } from './reduction.js';
import { gather, indexSelect, pad, scatterAdd } from './indexing.js';
import { matmul } from './linalg.js';
import { formatArray } from './format.js';

/**
 * An n-dimensional array of numbers: a backend's storage plus shape, strides (in elements) and offset.
 *
 * @example
 * import { array } from '@tsgrad/ndarray';
 * const a = array([[1, 2], [3, 4]]);
 * a.transpose(0, 1).toArray(); // [[1, 3], [2, 4]]
 */
export class NDArray {
  readonly shape: Shape;
  readonly strides: Shape;
  readonly offset: number;
  readonly dtype: DType;
  /** The backend's handle to the elements: opaque outside the backend, shared by views. */
  readonly storage: Storage;
  /** Set by `keep`: no `tidy` scope disposes this array. */
  kept = false;
  private disposed = false;

  /**
   * A window onto `storage` (made by a backend); strides default to row-major, offset to 0.
   * Prefer `array()`, `zeros()` and friends, which allocate.
   *
   * @example
   * import { cpuBackend, NDArray } from '@tsgrad/ndarray';
   * const s = cpuBackend.upload(new Float32Array([1, 2, 3, 4]), 'float32');
   * new NDArray(s, [2, 2]).get(1, 0); // 3
   */
  constructor(storage: Storage, shape: Shape, strides?: Shape, offset = 0, dtype?: DType) {
    const dt = dtype ?? storage.dtype;
    checkDType(dt);
    if (dt !== storage.dtype && !(dt === 'bool' && storage.dtype === 'uint8') && !(dt === 'uint8' && storage.dtype === 'bool')) {
      throw new Error(`dtype mismatch: ${storage.dtype} storage cannot hold dtype ${dt}`);
    }
    if (storage.released) throw new Error(`NDArray: the storage (${storage.dtype}, ${storage.size} elements) was already released`);
    this.storage = storage;
    this.shape = shape;
    this.strides = strides ?? stridesFor(shape);
    this.offset = offset;
    this.dtype = dt;
    // The last element this window can reach must exist: a bad layout fails here, not as NaNs later.
    let last = offset;
    let empty = false;
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 0) empty = true;
      last += (shape[d] - 1) * this.strides[d];
    }
    if (!empty && (last >= storage.size || offset < 0)) {
      throw new RangeError(
        `NDArray: shape ${formatShape(shape)} with strides ${formatShape(this.strides)} and offset ${offset} ` +
          `reaches element ${last}, but the storage has ${storage.size} elements`,
      );
    }
    storage.refs++;
    trackInScope(this);
  }

  /** The backend that owns this array's storage and runs its operations. */
  get backend(): Backend {
    return this.storage.backend;
  }

  /** The version of the storage: how many in-place writes it has seen. */
  get version(): number {
    return this.storage.version;
  }

  // ---------------------------------------------------------------- lifetime and devices

  /** Whether `dispose()` was called on this array. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Gives this array up. Its storage goes back to the backend once no undisposed array (view)
   * uses it; using this array afterwards is an error. Idempotent.
   *
   * @example
   * const a = zeros([1000]);
   * a.dispose();
   * a.isDisposed; // true
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (--this.storage.refs <= 0) this.storage.backend.release(this.storage);
  }

  /** `using a = zeros([3])` disposes `a` at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Throws if this array was disposed (or its storage released); `op` names the caller. */
  checkAlive(op: string): void {
    if (this.disposed || this.storage.released) {
      throw new Error(`${op}: the array ${formatShape(this.shape)} ${this.dtype} was disposed`);
    }
  }

  /**
   * This array on `backend`: itself if it is there already, else a contiguous copy made there.
   *
   * @example
   * import { array, referenceBackend } from '@tsgrad/ndarray';
   * array([1, 2]).to(referenceBackend).backend.name; // 'cpu-naive'
   */
  to(backend: Backend): NDArray {
    this.checkAlive('to');
    if (backend === this.backend) return this;
    const host = this.backend.readSync(this);
    return new NDArray(backend.upload(host, this.dtype), this.shape, undefined, 0, this.dtype);
  }

  /**
   * Like `to`, reading asynchronously (for a source backend without synchronous reads).
   *
   * @example
   * const b = await array([1, 2]).toAsync(referenceBackend);
   */
  async toAsync(backend: Backend): Promise<NDArray> {
    this.checkAlive('toAsync');
    if (backend === this.backend) return this;
    const host = await this.backend.read(this);
    return new NDArray(backend.upload(host, this.dtype), this.shape, undefined, 0, this.dtype);
  }

  // ---------------------------------------------------------------- in-place writes

  /**
   * Copies `src` (broadcast to this shape, converted to this dtype) into this array's elements,
   * in place, and bumps the version. PyTorch's `copy_`.
   *
   * @example
   * const a = zeros([2, 2]);
   * a.copy_(array([1, 2]));
   * a.toArray(); // [[1, 2], [1, 2]]
   */
  copy_(src: NDArray): this {
    const source = src.expand(this.shape);
    const backend = sameBackend('copy_', [this, source]);
    backend.assign(this, source);
    this.storage.version++;
    return this;
  }

  /**
   * Writes `value` into every element, in place, and bumps the version. PyTorch's `fill_`.
   *
   * @example
   * zeros([2]).fill_(3).toArray(); // [3, 3]
   */
  fill_(value: number): this {
    this.checkAlive('fill_');
    this.backend.fill(this, value);
    this.storage.version++;
    return this;
  }

  /**
   * `fill_(0)`.
   *
   * @example
   * ones([2]).zero_().toArray(); // [0, 0]
   */
  zero_(): this {
    return this.fill_(0);
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  // ---------------------------------------------------------------- views (never copy)

  /** A view with new shape/strides/offset over the same storage. */
  private withLayout(shape: Shape, strides: Shape, offset = this.offset): NDArray {
    return new NDArray(this.storage, shape, strides, offset, this.dtype);
  }

  /**
   * The same elements read in a different shape, without copying; `-1` infers one size.
   * Throws when the strides do not allow it (then use `reshape`, which copies).
   *
   * @example
   * arange(6).view([2, -1]).shape; // [2, 3]
   */
  view(shape: Shape): NDArray {
    const target = inferShape(shape, this.size, this.shape);
    const strides = viewStrides(this.shape, this.strides, target);
    if (strides === null) {
      throw new Error(
        `view: shape ${formatShape(target)} is not compatible with the strides ${formatShape(this.strides)} of ` +
          `${formatShape(this.shape)} (a dimension spans non-contiguous memory); use reshape() instead`,
      );
    }
    return this.withLayout(target, strides);
  }

  /**
   * Like `view`, but copies when the strides do not allow a view (as PyTorch's reshape).
   *
   * @example
   * arange(6).reshape([3, 2]).transpose(0, 1).reshape([-1]).toArray(); // [0, 2, 4, 1, 3, 5]
   */
  reshape(shape: Shape): NDArray {
    const target = inferShape(shape, this.size, this.shape);
    const strides = viewStrides(this.shape, this.strides, target);
    if (strides !== null) return this.withLayout(target, strides);
    return this.contiguous().withLayout(target, stridesFor(target), 0);
  }

  /**
   * Reorders the dimensions: dim `i` of the result is dim `dims[i]` of this array.
   *
   * @example
   * zeros([2, 3, 4]).permute([2, 0, 1]).shape; // [4, 2, 3]
   */
  permute(dims: readonly number[]): NDArray {
    const n = this.ndim;
    if (dims.length !== n) {
      throw new Error(`permute: got ${dims.length} dims [${dims.join(',')}] for a ${n}-d array`);
    }
    const seen = new Array<boolean>(n).fill(false);
    const shape = new Array<number>(n);
    const strides = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = normalizeDim(dims[i], n);
      if (seen[d]) throw new Error(`permute: dim ${d} appears more than once in [${dims.join(',')}]`);
      seen[d] = true;
      shape[i] = this.shape[d];
      strides[i] = this.strides[d];
    }
    return this.withLayout(shape, strides);
  }

  /**
   * Swaps two dimensions.
   *
   * @example
   * zeros([2, 3]).transpose(0, 1).shape; // [3, 2]
   */
  transpose(dim0: number, dim1: number): NDArray {
    const n = this.ndim;
    if (n === 0) {
      normalizeDim(dim0, 0);
      normalizeDim(dim1, 0);
      return this;
    }
    const a = normalizeDim(dim0, n);
    const b = normalizeDim(dim1, n);
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    shape[a] = this.shape[b];
    shape[b] = this.shape[a];
    strides[a] = this.strides[b];
    strides[b] = this.strides[a];
    return this.withLayout(shape, strides);
  }

  /**
   * Repeats size-1 dims (and adds leading dims) without copying: the repeated dim gets
   * stride 0. `-1` keeps a size.
   *
   * @example
   * array([1, 2, 3]).expand([2, 3]).toArray(); // [[1, 2, 3], [1, 2, 3]]
   */
  expand(shape: Shape): NDArray {
    const lead = shape.length - this.ndim;
    if (lead < 0) {
      throw new Error(
        `expand: the number of sizes ${formatShape(shape)} (${shape.length}) must be at least the number of dims (${this.ndim})`,
      );
    }
    const outShape = new Array<number>(shape.length);
    const strides = new Array<number>(shape.length);
    for (let i = 0; i < shape.length; i++) {
      const want = shape[i];
      if (i < lead) {
        if (want < 0 || !Number.isInteger(want)) {
          throw new Error(`expand: size ${want} is not allowed for the new leading dim ${i} of ${formatShape(shape)}`);
        }
        outShape[i] = want;
        strides[i] = 0;
        continue;
      }
      const have = this.shape[i - lead];
      if (want === -1 || want === have) {
        outShape[i] = have;
        strides[i] = this.strides[i - lead];
      } else if (have === 1 && Number.isInteger(want) && want >= 0) {
        outShape[i] = want;
        strides[i] = 0;
      } else {
        throw new Error(
          `expand: the expanded size (${want}) must match the existing size (${have}) at non-singleton dim ${i}; ` +
            `target ${formatShape(shape)}, array ${formatShape(this.shape)}`,
        );
      }
    }
    return this.withLayout(outShape, strides);
  }

  /**
   * Removes size-1 dims: all of them, or only `dim` (a no-op when that dim's size is not 1).
   *
   * @example
   * zeros([2, 1, 3]).squeeze().shape; // [2, 3]
   */
  squeeze(dim?: number): NDArray {
    const keep: number[] = [];
    if (dim === undefined) {
      for (let i = 0; i < this.ndim; i++) if (this.shape[i] !== 1) keep.push(i);
    } else {
      const d = normalizeDim(dim, this.ndim);
      for (let i = 0; i < this.ndim; i++) if (i !== d || this.shape[i] !== 1) keep.push(i);
    }
    return this.withLayout(
      keep.map((i) => this.shape[i]),
      keep.map((i) => this.strides[i]),
    );
  }

  /**
   * Inserts a size-1 dim at position `dim` (`-1` appends).
   *
   * @example
   * zeros([2, 3]).unsqueeze(1).shape; // [2, 1, 3]
   */
  unsqueeze(dim: number): NDArray {
    const d = normalizeDim(dim, this.ndim + 1);
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    // Any stride works for a size-1 dim; this one keeps contiguous arrays contiguous.
    const stride = d < this.ndim ? this.shape[d] * this.strides[d] : 1;
    shape.splice(d, 0, 1);
    strides.splice(d, 0, stride);
    return this.withLayout(shape, strides);
  }

  /**
   * Merges dims `startDim..endDim` into one (a view when possible, as reshape).
   *
   * @example
   * zeros([2, 3, 4]).flatten(1).shape; // [2, 12]
   */
  flatten(startDim = 0, endDim = -1): NDArray {
    if (this.ndim === 0) return this.reshape([1]);
    const s = normalizeDim(startDim, this.ndim);
    const e = normalizeDim(endDim, this.ndim);
    if (s > e) throw new Error(`flatten: startDim ${startDim} cannot come after endDim ${endDim}`);
    const shape = [...this.shape.slice(0, s), sizeOf(this.shape.slice(s, e + 1)), ...this.shape.slice(e + 1)];
    return this.reshape(shape);
  }

  /**
   * The `length` entries from `start` along `dim`, as a view.
   *
   * @example
   * arange(10).narrow(0, 2, 3).toArray(); // [2, 3, 4]
   */
  narrow(dim: number, start: number, length: number): NDArray {
    const d = normalizeDim(dim, this.ndim);
    const size = this.shape[d];
    const s = start < 0 ? start + size : start;
    if (!Number.isInteger(start) || s < 0 || s > size) {
      throw new RangeError(`narrow: start ${start} out of range for dim ${d} of size ${size}`);
    }
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`narrow: length must be a non-negative integer, got ${length}`);
    }
    if (s + length > size) {
      throw new RangeError(`narrow: start (${s}) + length (${length}) exceeds dim ${d} of size ${size}`);
    }
    const shape = this.shape.slice();
    shape[d] = length;
    return this.withLayout(shape, this.strides, this.offset + s * this.strides[d]);
  }

  /**
   * Python's `a[start:end:step]` along `dim`, as a view (negative indices count from the end,
   * out-of-range bounds are clamped, `step` must be positive).
   *
   * @example
   * arange(10).slice(0, 1, -1, 3).toArray(); // [1, 4, 7]
   */
  slice(dim: number, start?: number, end?: number, step = 1): NDArray {
    const d = normalizeDim(dim, this.ndim);
    const size = this.shape[d];
    if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
    const clamp = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
    const s = start === undefined ? 0 : clamp(start);
    const e = end === undefined ? size : clamp(end);
    const length = e > s ? Math.ceil((e - s) / step) : 0;
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    shape[d] = length;
    strides[d] = this.strides[d] * step;
    return this.withLayout(shape, strides, this.offset + s * this.strides[d]);
  }

  /**
   * Whether the elements are laid out in row-major order without gaps.
   *
   * @example
   * zeros([2, 3]).transpose(0, 1).isContiguous(); // false
   */
  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }

  /**
   * This array if it is contiguous, else a contiguous copy.
   *
   * @example
   * zeros([2, 3]).transpose(0, 1).contiguous().strides; // [2, 1]
   */
  contiguous(): NDArray {
    return this.isContiguous() ? this : sameBackend('contiguous', [this]).copy(this, this.dtype);
  }

  /**
   * A contiguous copy.
   *
   * @example
   * const b = array([1, 2]).clone();
   */
  clone(): NDArray {
    return sameBackend('clone', [this]).copy(this, this.dtype);
  }

  /**
   * A contiguous copy converted to `dtype` (floats to ints truncate toward zero; any non-zero
   * becomes `true` in bool).
   *
   * @example
   * array([1.7, -1.7]).astype('int32').toArray(); // [1, -1]
   */
  astype(dtype: DType): NDArray {
    checkDType(dtype);
    return sameBackend('astype', [this]).copy(this, dtype);
  }

  // ---------------------------------------------------------------- elementwise

  /** `this + other`, broadcasting. @example array([1, 2]).add(1).toArray(); // [2, 3] */
  add(other: NDArray | number): NDArray {
    return binaryOp('add', this, other);
  }
  /** `this - other`. @example array([1, 2]).sub(array([1, 1])).toArray(); // [0, 1] */
  sub(other: NDArray | number): NDArray {
    return binaryOp('sub', this, other);
  }
  /** `this * other`. @example array([1, 2]).mul(3).toArray(); // [3, 6] */
  mul(other: NDArray | number): NDArray {
    return binaryOp('mul', this, other);
  }
  /** True division (integers give float32). @example array([1, 2]).div(2).toArray(); // [0.5, 1] */
  div(other: NDArray | number): NDArray {
    return binaryOp('div', this, other);
  }
  /** `this ** other`. @example array([2, 3]).pow(2).toArray(); // [4, 9] */
  pow(other: NDArray | number): NDArray {
    return binaryOp('pow', this, other);
  }
  /** Elementwise maximum (NaN propagates). @example array([1, 5]).maximum(3).toArray(); // [3, 5] */
  maximum(other: NDArray | number): NDArray {
    return binaryOp('maximum', this, other);
  }
  /** Elementwise minimum (NaN propagates). @example array([1, 5]).minimum(3).toArray(); // [1, 3] */
  minimum(other: NDArray | number): NDArray {
    return binaryOp('minimum', this, other);
  }
  /** `this > other` as bool. @example array([1, 5]).gt(3).toArray(); // [false, true] */
  gt(other: NDArray | number): NDArray {
    return binaryOp('gt', this, other);
  }
  /** `this >= other` as bool. @example array([1, 3]).ge(3).toArray(); // [false, true] */
  ge(other: NDArray | number): NDArray {
    return binaryOp('ge', this, other);
  }
  /** `this < other` as bool. @example array([1, 5]).lt(3).toArray(); // [true, false] */
  lt(other: NDArray | number): NDArray {
    return binaryOp('lt', this, other);
  }
  /** `this <= other` as bool. @example array([1, 3]).le(1).toArray(); // [true, false] */
  le(other: NDArray | number): NDArray {
    return binaryOp('le', this, other);
  }
  /** `this == other` as bool. @example array([1, 3]).eq(3).toArray(); // [false, true] */
  eq(other: NDArray | number): NDArray {
    return binaryOp('eq', this, other);
  }
  /** `this != other` as bool. @example array([1, 3]).ne(3).toArray(); // [true, false] */
  ne(other: NDArray | number): NDArray {
    return binaryOp('ne', this, other);
  }

  /** `-x`. @example array([1, -2]).neg().toArray(); // [-1, 2] */
  neg(): NDArray {
    return unaryOp('neg', this);
  }
  /** `e^x`. @example array([0]).exp().toArray(); // [1] */
  exp(): NDArray {
    return unaryOp('exp', this);
  }
  /** Natural log. @example array([1]).log().toArray(); // [0] */
  log(): NDArray {
    return unaryOp('log', this);
  }
  /** Square root. @example array([4]).sqrt().toArray(); // [2] */
  sqrt(): NDArray {
    return unaryOp('sqrt', this);
  }
  /** `|x|`. @example array([-2]).abs().toArray(); // [2] */
  abs(): NDArray {
    return unaryOp('abs', this);
  }
  /** `max(x, 0)`. @example array([-1, 2]).relu().toArray(); // [0, 2] */
  relu(): NDArray {
    return unaryOp('relu', this);
  }
  /** Hyperbolic tangent. @example array([0]).tanh().toArray(); // [0] */
  tanh(): NDArray {
    return unaryOp('tanh', this);
  }
  /** Sine (radians). @example array([0]).sin().toArray(); // [0] */
  sin(): NDArray {
    return unaryOp('sin', this);
  }
  /** Cosine (radians). @example array([0]).cos().toArray(); // [1] */
  cos(): NDArray {
    return unaryOp('cos', this);
  }
  /** `1 / (1 + e^-x)`, computed without overflow. @example array([0]).sigmoid().toArray(); // [0.5] */
  sigmoid(): NDArray {
    return unaryOp('sigmoid', this);
  }
  /** -1, 0 or 1. @example array([-3, 0, 2]).sign().toArray(); // [-1, 0, 1] */
  sign(): NDArray {
    return unaryOp('sign', this);
  }
  /** `x * x`. @example array([3]).square().toArray(); // [9] */
  square(): NDArray {
    return unaryOp('square', this);
  }
  /** `1 / x`. @example array([4]).reciprocal().toArray(); // [0.25] */
  reciprocal(): NDArray {
    return unaryOp('reciprocal', this);
  }

  // ---------------------------------------------------------------- reductions

  /**
   * Sum over `axis` (all axes when omitted).
   *
   * @example
   * array([[1, 2], [3, 4]]).sum(0).toArray(); // [4, 6]
   */
  sum(axis?: number | readonly number[], keepdim = false): NDArray {
    return reduce('sum', this, axis, keepdim);
  }

  /**
   * Mean over `axis` (floating-point arrays only, as PyTorch).
   *
   * @example
   * array([[1, 2], [3, 4]]).mean(1).toArray(); // [1.5, 3.5]
   */
  mean(axis?: number | readonly number[], keepdim = false): NDArray {
    return mean(this, axis, keepdim);
  }

  /**
   * Maximum over `axis` (NaN propagates).
   *
   * @example
   * array([[1, 5], [3, 4]]).max(1).toArray(); // [5, 4]
   */
  max(axis?: number | readonly number[], keepdim = false): NDArray {
    return reduce('max', this, axis, keepdim);
  }

  /**
   * Minimum over `axis`.
   *
   * @example
   * array([[1, 5], [3, 4]]).min(0).toArray(); // [1, 4]
   */
  min(axis?: number | readonly number[], keepdim = false): NDArray {
    return reduce('min', this, axis, keepdim);
  }

  /**
   * `log(sum(exp(x)))` over `axis`, computed stably by subtracting the maximum first.
   *
   * @example
   * array([1000, 1000]).logsumexp().item(); // 1000.693...
   */
  logsumexp(axis?: number | readonly number[], keepdim = false): NDArray {
    return logsumexp(this, axis, keepdim);
  }

  /**
   * The index of the maximum along `axis` (of the flattened array when omitted); the first
   * index among ties, as PyTorch.
   *
   * @example
   * array([[1, 5], [7, 7]]).argmax(1).toArray(); // [1, 0]
   */
  argmax(axis?: number, keepdim = false): NDArray {
    return argReduce('max', this, axis, keepdim).indices;
  }

  /**
   * The index of the minimum along `axis` (first among ties).
   *
   * @example
   * array([3, 1, 1]).argmin().item(); // 1
   */
  argmin(axis?: number, keepdim = false): NDArray {
    return argReduce('min', this, axis, keepdim).indices;
  }

  /**
   * Maximum values and their indices along `axis` (PyTorch's `max(dim)`).
   *
   * @example
   * const { values, indices } = array([[1, 5], [7, 2]]).maxWithIndices(1);
   */
  maxWithIndices(axis: number, keepdim = false): { values: NDArray; indices: NDArray } {
    return argReduce('max', this, axis, keepdim);
  }

  /**
   * Minimum values and their indices along `axis`.
   *
   * @example
   * const { values, indices } = array([[1, 5], [7, 2]]).minWithIndices(1);
   */
  minWithIndices(axis: number, keepdim = false): { values: NDArray; indices: NDArray } {
    return argReduce('min', this, axis, keepdim);
  }

  /**
   * Sums a broadcast result back to `shape` (which must broadcast to this array's shape):
   * the one place that undoes broadcasting in backward passes.
   *
   * @example
   * ones([2, 3]).sumTo([3]).toArray(); // [2, 2, 2]
   */
  sumTo(shape: Shape): NDArray {
    return sumTo(this, shape);
  }

  // ---------------------------------------------------------------- indexing

  /**
   * `out[i][j] = this[index[i][j]][j]` for `dim = 0` (and likewise for other dims).
   *
   * @example
   * array([[1, 2], [3, 4]]).gather(1, array([[1], [0]], { dtype: 'int32' })).toArray(); // [[2], [3]]
   */
  gather(dim: number, index: NDArray): NDArray {
    return gather(this, dim, index);
  }

  /**
   * A new array: this plus `src` added at `index` along `dim` (repeated indices accumulate).
   *
   * @example
   * zeros([3]).scatterAdd(0, array([0, 0, 2], { dtype: 'int32' }), ones([3])).toArray(); // [2, 0, 1]
   */
  scatterAdd(dim: number, index: NDArray, src: NDArray): NDArray {
    return scatterAdd(this, dim, index, src);
  }

  /**
   * The entries `index` (1-d, int32) along `dim`.
   *
   * @example
   * array([10, 20, 30]).indexSelect(0, array([2, 0], { dtype: 'int32' })).toArray(); // [30, 10]
   */
  indexSelect(dim: number, index: NDArray): NDArray {
    return indexSelect(this, dim, index);
  }

  /**
   * Constant padding with `F.pad` ordering: `[left, right, top, bottom, ...]` from the last dim;
   * negative amounts crop.
   *
   * @example
   * array([1, 2]).pad([1, 2]).toArray(); // [0, 1, 2, 0, 0]
   */
  pad(pads: readonly number[], value = 0): NDArray {
    return pad(this, pads, value);
  }

  // ---------------------------------------------------------------- linear algebra

  /**
   * Matrix product with PyTorch's rules for 1-d (vector) and batched (broadcast) operands.
   *
   * @example
   * array([[1, 2], [3, 4]]).matmul(array([1, 1])).toArray(); // [3, 7]
   */
  matmul(other: NDArray): NDArray {
    return matmul(this, other);
  }

  // ---------------------------------------------------------------- reading values
  // Reads go through the backend: synchronously where it can (`readSync`), always asynchronously
  // (`data()`, `toArrayAsync()`), as TensorFlow.js's `dataSync()` and `data()`.

  /** The elements of this view, row-major, as a new typed array (one synchronous read). */
  private readAll(op: string): TypedArray {
    this.checkAlive(op);
    return this.backend.readSync(this);
  }

  /**
   * The element at a full index (negative indices count from the end).
   *
   * @example
   * array([[1, 2], [3, 4]]).get(1, -1); // 4
   */
  get(...index: number[]): number {
    if (index.length !== this.ndim) {
      throw new Error(`get: expected ${this.ndim} indices for shape ${formatShape(this.shape)}, got ${index.length}`);
    }
    let o = this.offset;
    for (let d = 0; d < index.length; d++) {
      const size = this.shape[d];
      const i = index[d] < 0 ? index[d] + size : index[d];
      if (!Number.isInteger(i)) throw new TypeError(`get: index ${index[d]} for dim ${d} is not an integer`);
      if (i < 0 || i >= size) {
        throw new RangeError(`index ${index[d]} is out of bounds for dim ${d} with size ${size}`);
      }
      o += i * this.strides[d];
    }
    // A 0-d view of the one element: only it is read.
    return this.withLayout([], [], o).readAll('get')[0];
  }

  /**
   * The single element of a one-element array, as a number (bool gives 0 or 1).
   *
   * @example
   * array([[7]]).item(); // 7
   */
  item(): number {
    if (this.size !== 1) {
      throw new Error(`item: an array with ${this.size} elements (shape ${formatShape(this.shape)}) cannot be converted to a scalar`);
    }
    return this.readAll('item')[0];
  }

  /**
   * The values as nested JavaScript arrays (booleans for a bool array; a number for 0-d).
   *
   * @example
   * array([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   */
  toArray(): NestedArray {
    return nest(this.readAll('toArray'), this.shape, this.dtype === 'bool');
  }

  /**
   * The values as nested arrays, read asynchronously (works on every backend).
   *
   * @example
   * await array([[1, 2]]).toArrayAsync(); // [[1, 2]]
   */
  async toArrayAsync(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype === 'bool');
  }

  /**
   * A contiguous copy of the values in this dtype's typed array (safe to modify).
   *
   * @example
   * array([[1, 2], [3, 4]]).transpose(0, 1).toTypedArray(); // Float32Array [1, 3, 2, 4]
   */
  toTypedArray(): TypedArray {
    return this.readAll('toTypedArray');
  }

  /**
   * The values, row-major, as a new typed array, read asynchronously (works on every backend).
   *
   * @example
   * await array([1, 2]).data(); // Float32Array [1, 2]
   */
  async data(): Promise<TypedArray> {
    this.checkAlive('data');
    return this.backend.read(this);
  }

  /**
   * PyTorch-style text: `tensor([[1., 2.],\n        [3., 4.]])`, summarised with `...` when
   * the array has more than 1000 elements.
   *
   * @example
   * String(array([1, 2])); // 'tensor([1., 2.])'
   */
  toString(): string {
    return formatArray(this);
  }

  /** Node's `console.log` and `util.inspect` print the same text as `toString()`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatArray(this);
  }
}

/** Row-major values as nested arrays of `shape`. */
function nest(values: TypedArray, shape: Shape, isBool: boolean): NestedArray {
  let at = 0;
  const build = (dim: number): NestedArray => {
    if (dim === shape.length) {
      const v = values[at++];
      return isBool ? v !== 0 : v;
    }
    const out: NestedArray[] = new Array(shape[dim]);
    for (let i = 0; i < shape[dim]; i++) out[i] = build(dim + 1);
    return out;
  };
  return build(0);
}
