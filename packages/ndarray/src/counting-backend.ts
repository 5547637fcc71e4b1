/**
 * A test backend with truly opaque storage: it runs another backend's kernels, but its
 * handles hide the memory (no code outside this file can reach it), every read is counted and
 * memory is tracked. If any code outside a backend still reached into storage, running the
 * suites on this backend would fail: that is the proof that the storage seam holds.
 */
import type { Backend, BackendCapabilities, BackendDescription, BinaryOp, ReduceOp, UnaryOp } from './backend.js';
import { cpuBackend } from './cpu/cpu-backend.js';
import type { DType, Shape, TypedArray } from './dtype.js';
import type { Conv2dGeometry, Pool2dGeometry } from './geometry.js';
import { NDArray } from './ndarray.js';
import type { AdamScalars, RmspropScalars, SgdScalars } from './optimizer-steps.js';
import { MemoryLedger, Storage, type MemoryInfo } from './storage.js';

/** A handle that says nothing about where its elements are. */
class OpaqueStorage extends Storage {
  constructor(
    readonly backend: CountingBackend,
    dtype: DType,
    size: number,
  ) {
    super(dtype, size);
  }
}

// Module-private: the inner storage behind each handle.
const innerOf = new WeakMap<Storage, Storage>();

/** What a {@link CountingBackend} has counted. */
export interface Counts {
  syncReads: number;
  asyncReads: number;
  uploads: number;
  kernels: number;
}

/**
 * Wraps `inner` (the CPU backend by default) behind opaque storage and counts reads.
 * With `syncRead: false` it refuses synchronous reads, as a WebGPU backend would.
 *
 * @example
 * import { CountingBackend } from '@tsgrad/ndarray/testing';
 * import { withBackend, zeros } from '@tsgrad/ndarray';
 * const counting = new CountingBackend();
 * withBackend(counting, () => zeros([2]).add(1).toArray()); // [1, 1]
 * counting.counts.syncReads; // 1
 */
export class CountingBackend implements Backend {
  readonly counts: Counts = { syncReads: 0, asyncReads: 0, uploads: 0, kernels: 0 };
  readonly capabilities: BackendCapabilities;
  private readonly ledger: MemoryLedger;

  constructor(
    private readonly inner: Backend = cpuBackend,
    readonly name = 'counting',
    opts: { syncRead?: boolean } = {},
  ) {
    this.capabilities = { ...inner.capabilities, syncRead: opts.syncRead ?? true };
    this.ledger = new MemoryLedger(name);
  }

  /** Sets every count back to zero. */
  resetCounts(): void {
    this.counts.syncReads = this.counts.asyncReads = this.counts.uploads = this.counts.kernels = 0;
  }

  describe(): BackendDescription {
    return { ...this.inner.describe(), name: this.name, details: { wraps: this.inner.name } };
  }

  // ---------------------------------------------------------------- handles

  private adopt(s: Storage): OpaqueStorage {
    const outer = new OpaqueStorage(this, s.dtype, s.size);
    innerOf.set(outer, s);
    const inner = this.inner;
    this.ledger.track(outer, () => inner.release(s));
    return outer;
  }

  /** The same view over the inner storage (kept out of tidy scopes: its lifetime is the handle's). */
  private unwrap(x: NDArray): NDArray {
    const s = innerOf.get(x.storage);
    if (s === undefined) throw new Error(`${this.name}: an array of backend ${x.storage.backend.name} reached this backend`);
    const v = new NDArray(s, x.shape, x.strides, x.offset, x.dtype);
    v.kept = true;
    return v;
  }

  private maybe(x: NDArray | null): NDArray | null {
    return x === null ? null : this.unwrap(x);
  }

  /** A result of the inner backend, behind a new handle. */
  private wrap(r: NDArray): NDArray {
    r.kept = true;
    this.counts.kernels++;
    return new NDArray(this.adopt(r.storage), r.shape, r.strides, r.offset, r.dtype);
  }

  // ---------------------------------------------------------------- memory

  allocate(dtype: DType, size: number): Storage {
    return this.adopt(this.inner.allocate(dtype, size));
  }

  upload(data: TypedArray, dtype: DType): Storage {
    this.counts.uploads++;
    return this.adopt(this.inner.upload(data, dtype));
  }

  readSync(x: NDArray): TypedArray {
    if (!this.capabilities.syncRead) throw new Error(`${this.name}: synchronous reads are not available; use await data()`);
    this.counts.syncReads++;
    return this.inner.readSync(this.unwrap(x));
  }

  read(x: NDArray): Promise<TypedArray> {
    this.counts.asyncReads++;
    return this.inner.read(this.unwrap(x));
  }

  fill(x: NDArray, value: number): void {
    this.inner.fill(this.unwrap(x), value);
  }

  assign(dst: NDArray, src: NDArray): void {
    this.inner.assign(this.unwrap(dst), this.unwrap(src));
  }

  release(storage: Storage): void {
    const s = innerOf.get(storage);
    const inner = this.inner;
    this.ledger.release(storage, () => {
      if (s !== undefined) inner.release(s);
    });
  }

  memory(): MemoryInfo {
    return this.ledger.info();
  }

  // ---------------------------------------------------------------- kernels

  copy(x: NDArray, dtype: DType): NDArray {
    return this.wrap(this.inner.copy(this.unwrap(x), dtype));
  }
  unary(op: UnaryOp, x: NDArray, dtype: DType): NDArray {
    return this.wrap(this.inner.unary(op, this.unwrap(x), dtype));
  }
  binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray {
    return this.wrap(this.inner.binary(op, this.unwrap(a), this.unwrap(b), shape, dtype));
  }
  where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray {
    return this.wrap(this.inner.where(this.unwrap(cond), this.unwrap(a), this.unwrap(b), shape, dtype));
  }
  reduce(op: ReduceOp, x: NDArray, axes: readonly number[], dtype: DType): NDArray {
    return this.wrap(this.inner.reduce(op, this.unwrap(x), axes, dtype));
  }
  argReduce(op: 'max' | 'min', x: NDArray, axis: number): { values: NDArray; indices: NDArray } {
    const r = this.inner.argReduce(op, this.unwrap(x), axis);
    return { values: this.wrap(r.values), indices: this.wrap(r.indices) };
  }
  matmul(a: NDArray, b: NDArray): NDArray {
    return this.wrap(this.inner.matmul(this.unwrap(a), this.unwrap(b)));
  }
  gather(x: NDArray, dim: number, index: NDArray): NDArray {
    return this.wrap(this.inner.gather(this.unwrap(x), dim, this.unwrap(index)));
  }
  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
    return this.wrap(this.inner.scatterAdd(this.unwrap(x), dim, this.unwrap(index), this.unwrap(src)));
  }
  indexSelect(x: NDArray, dim: number, index: NDArray): NDArray {
    return this.wrap(this.inner.indexSelect(this.unwrap(x), dim, this.unwrap(index)));
  }
  cat(xs: readonly NDArray[], dim: number, dtype: DType): NDArray {
    return this.wrap(this.inner.cat(xs.map((x) => this.unwrap(x)), dim, dtype));
  }
  pad(x: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    return this.wrap(this.inner.pad(this.unwrap(x), pads, value));
  }
  conv2d(x: NDArray, w: NDArray, g: Conv2dGeometry): NDArray {
    return this.wrap(this.inner.conv2d(this.unwrap(x), this.unwrap(w), g));
  }
  conv2dBackwardInput(gy: NDArray, w: NDArray, g: Conv2dGeometry): NDArray {
    return this.wrap(this.inner.conv2dBackwardInput(this.unwrap(gy), this.unwrap(w), g));
  }
  conv2dBackwardWeight(gy: NDArray, x: NDArray, g: Conv2dGeometry): NDArray {
    return this.wrap(this.inner.conv2dBackwardWeight(this.unwrap(gy), this.unwrap(x), g));
  }
  maxPool2d(x: NDArray, g: Pool2dGeometry): { values: NDArray; indices: NDArray } {
    const r = this.inner.maxPool2d(this.unwrap(x), g);
    return { values: this.wrap(r.values), indices: this.wrap(r.indices) };
  }
  maxPool2dBackward(gy: NDArray, indices: NDArray, g: Pool2dGeometry): NDArray {
    return this.wrap(this.inner.maxPool2dBackward(this.unwrap(gy), this.unwrap(indices), g));
  }
  avgPool2d(x: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray {
    return this.wrap(this.inner.avgPool2d(this.unwrap(x), g, countIncludePad, divisorOverride));
  }
  avgPool2dBackward(gy: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray {
    return this.wrap(this.inner.avgPool2dBackward(this.unwrap(gy), g, countIncludePad, divisorOverride));
  }
  sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void {
    this.counts.kernels++;
    this.inner.sgdStep(this.unwrap(param), this.unwrap(grad), this.maybe(buf), s);
  }
  adamStep(param: NDArray, grad: NDArray, m: NDArray, v: NDArray, vMax: NDArray | null, s: AdamScalars): void {
    this.counts.kernels++;
    this.inner.adamStep(this.unwrap(param), this.unwrap(grad), this.unwrap(m), this.unwrap(v), this.maybe(vMax), s);
  }
  rmspropStep(param: NDArray, grad: NDArray, v: NDArray, buf: NDArray | null, gAvg: NDArray | null, s: RmspropScalars): void {
    this.counts.kernels++;
    this.inner.rmspropStep(this.unwrap(param), this.unwrap(grad), this.unwrap(v), this.maybe(buf), this.maybe(gAvg), s);
  }
}
