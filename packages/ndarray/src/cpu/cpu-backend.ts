/**
 * The CPU backend: storage is a typed array (`CpuStorage`), kernels are the loops of `cpu/*.ts`.
 *
 * `CpuBackend` is assembled from a set of kernels. `cpuBackend` uses the fast ones;
 * `referenceBackend` the naive ones, and is the oracle of the conformance suite (`testing.ts`).
 */
import type { Backend, BackendCapabilities, BackendDescription, BinaryOp, ReduceOp, UnaryOp } from '../backend.js';
import type { DType, FloatArray, Shape, TypedArray } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import type { AdamScalars, RmspropScalars, SgdScalars } from '../optimizer-steps.js';
import { sizeOf } from '../shape.js';
import { MemoryLedger, type MemoryInfo, type Storage } from '../storage.js';
import * as conv from './conv2d.js';
import { BufferPool } from './buffer-pool.js';
import { allocateHost, cpuData, CpuStorage } from './cpu-storage.js';
import * as ew from './elementwise.js';
import * as ix from './indexing.js';
import type { Conv2dGeometry, Pool2dGeometry } from './kernel-types.js';
import { gemm, gemmNaive, type GemmOperands } from './matmul.js';
import * as opt from './optimizers.js';
import * as pool from './pool2d.js';
import * as red from './reduce.js';
import { offsetsOf } from './strided.js';
import { freeHeapArray, heapArray } from './wasm/heap-arrays.js';

type Pads = readonly (readonly [number, number])[];

/** The flat kernels a CPU backend is assembled from (the fast set or the naive set). */
export interface CpuKernels {
  /** An elementwise unary op of `x` into `out`. */
  unary(op: UnaryOp, x: NDArray, out: TypedArray): void;
  /** An elementwise binary op, broadcast to `shape`, into `out`. */
  binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void;
  /** `cond ? a : b` elementwise, broadcast to `shape`, into `out`. */
  where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void;
  /** Copies `src` (any strides) into `dst`. */
  assign(dst: NDArray, src: NDArray): void;
  /** Sets every element of `dst` to `value`. */
  fill(dst: NDArray, value: number): void;
  /** A reduction (sum, max, ...) over `axes` into `out`. */
  reduce(op: ReduceOp, x: NDArray, axes: readonly number[], out: TypedArray): void;
  /** The index of the max or min along one dim. */
  argReduce(op: 'max' | 'min', x: NDArray, axis: number, values: TypedArray, indices: Int32Array): void;
  /** The matrix product kernel. */
  gemm(op: GemmOperands): void;
  /** Gathers along a dim by an int32 index array. */
  gather(x: NDArray, dim: number, index: NDArray, out: TypedArray): void;
  /** Adds `src` into a copy of `x` at the positions `index` names. */
  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray, out: NDArray): void;
  /** Selects entries along a dim by a 1-d index. */
  indexSelect(x: NDArray, dim: number, index: NDArray, out: NDArray): void;
  /** Constant padding (negative widths crop). */
  pad(x: NDArray, pads: Pads, value: number, out: NDArray): void;
  /** Convolution forward on flat arrays. */
  conv2dForward(x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray): void;
  /** The input gradient of conv2d (gemm then row2im, or the naive loops). */
  conv2dBackwardInput(gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray): void;
  /** The weight gradient of conv2d (one gemm per group, or the naive loops). */
  conv2dBackwardWeight(gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray): void;
  /** Max pooling forward on flat arrays (values and indices). */
  maxPool2dForward(x: FloatArray, g: Pool2dGeometry, out: FloatArray, indices: Int32Array): void;
  /** See {@link Backend.maxPool2dBackward}. */
  maxPool2dBackward(gy: FloatArray, indices: Int32Array, g: Pool2dGeometry, gx: FloatArray): void;
  /** Average pooling forward on flat arrays. */
  avgPool2dForward(x: FloatArray, g: Pool2dGeometry, cip: boolean, div: number | undefined, out: FloatArray): void;
  /** See {@link Backend.avgPool2dBackward}. */
  avgPool2dBackward(gy: FloatArray, g: Pool2dGeometry, cip: boolean, div: number | undefined, gx: FloatArray): void;
  /** The fused SGD update, in place. */
  sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void;
  /** The fused Adam/AdamW update, in place. */
  adamStep(param: NDArray, grad: NDArray, m: NDArray, v: NDArray, vMax: NDArray | null, s: AdamScalars): void;
  /** The fused RMSprop update, in place. */
  rmspropStep(param: NDArray, grad: NDArray, v: NDArray, buf: NDArray | null, gAvg: NDArray | null, s: RmspropScalars): void;
}

/**
 * The fast kernels.
 *
 * @example
 * const fast = new CpuBackend('cpu', fastKernels);
 */
export const fastKernels: CpuKernels = {
  unary: ew.unary,
  binary: ew.binary,
  where: ew.where,
  assign: ew.assign,
  fill: ew.fill,
  reduce: red.reduce,
  argReduce: red.argReduce,
  gemm,
  gather: ix.gather,
  scatterAdd: ix.scatterAdd,
  indexSelect: ix.indexSelect,
  pad: ix.pad,
  conv2dForward: conv.conv2dForward,
  conv2dBackwardInput: conv.conv2dBackwardInput,
  conv2dBackwardWeight: conv.conv2dBackwardWeight,
  maxPool2dForward: pool.maxPool2dForward,
  maxPool2dBackward: pool.maxPool2dBackward,
  avgPool2dForward: pool.avgPool2dForward,
  avgPool2dBackward: pool.avgPool2dBackward,
  sgdStep: opt.sgdStep,
  adamStep: opt.adamStep,
  rmspropStep: opt.rmspropStep,
};

/**
 * The naive reference kernels: one element at a time from its multi-index.
 *
 * @example
 * const slow = new CpuBackend('cpu-naive', naiveKernels);
 */
export const naiveKernels: CpuKernels = {
  unary: ew.unaryNaive,
  binary: ew.binaryNaive,
  where: ew.whereNaive,
  assign: ew.assignNaive,
  fill: ew.fillNaive,
  reduce: red.reduceNaive,
  argReduce: red.argReduceNaive,
  gemm: gemmNaive,
  gather: ix.gatherNaive,
  scatterAdd: ix.scatterAddNaive,
  indexSelect: ix.indexSelectNaive,
  pad: ix.padNaive,
  conv2dForward: conv.conv2dForwardNaive,
  conv2dBackwardInput: conv.conv2dBackwardInputNaive,
  conv2dBackwardWeight: conv.conv2dBackwardWeightNaive,
  maxPool2dForward: pool.maxPool2dForwardNaive,
  maxPool2dBackward: pool.maxPool2dBackwardNaive,
  avgPool2dForward: pool.avgPool2dForwardNaive,
  avgPool2dBackward: pool.avgPool2dBackwardNaive,
  sgdStep: opt.sgdStepNaive,
  adamStep: opt.adamStepNaive,
  rmspropStep: opt.rmspropStepNaive,
};

/** The elements of a float array as a flat buffer of exactly `size` elements (copied first if strided). */
function flat(x: NDArray): FloatArray {
  const c = x.contiguous();
  const data = cpuData(c);
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`dtype mismatch: expected a float32 or float64 array, got ${x.dtype}`);
  }
  return c.offset === 0 && data.length === c.size ? data : data.subarray(c.offset, c.offset + c.size);
}

/** The storage of a freshly allocated float array. */
function floatStorage(x: NDArray): FloatArray {
  const data = cpuData(x);
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`dtype mismatch: expected a float32 or float64 array, got ${x.dtype}`);
  }
  return data;
}

/** int32 storage of exactly `size` elements (indices from maxPool2d). */
function flatInt32(x: NDArray): Int32Array {
  const c = x.dtype === 'int32' ? x.contiguous() : x.astype('int32');
  const data = cpuData(c);
  if (!(data instanceof Int32Array)) throw new Error(`dtype mismatch: expected int32 indices, got ${x.dtype}`);
  return data.subarray(c.offset, c.offset + c.size);
}

const ALL_DTYPES: readonly DType[] = ['bool', 'uint8', 'int32', 'float32', 'float64'];

/**
 * A CPU backend running the given kernels. Storage is a typed array per allocation: over a block
 * of the wasm kernels' memory where it fits (./wasm/heap-arrays.ts: the kernels then work on it in
 * place), else an ordinary typed array, pooled for reuse when disposed (./buffer-pool.ts) or left
 * to the garbage collector (its ledger still counts live buffers and bytes).
 *
 * @example
 * const slow = new CpuBackend('cpu-naive', naiveKernels);
 * slow.describe().kind; // 'cpu'
 */
export class CpuBackend implements Backend {
  readonly capabilities: BackendCapabilities = {
    dtypes: ALL_DTYPES,
    syncRead: true,
    tolerance: { float32: { atol: 1e-5, rtol: 1e-5 }, float64: { atol: 1e-10, rtol: 1e-10 } },
  };
  private readonly ledger: MemoryLedger;
  /** Buffers of disposed arrays, for reuse; at most 64 MB wait there, so idle memory stays bounded. */
  private readonly pool = new BufferPool(64 * 2 ** 20);

  constructor(
    readonly name: string,
    private readonly kernels: CpuKernels,
  ) {
    // Typed arrays are the garbage collector's: only arrays of 4 KiB or more are worth the
    // microsecond it costs to account for them (see MemoryLedger).
    this.ledger = new MemoryLedger(name, 4096);
  }

  describe(): BackendDescription {
    const naive = this.kernels === naiveKernels;
    return { name: this.name, device: 'CPU (JavaScript, main thread)', kind: 'cpu', details: { kernels: naive ? 'naive reference' : 'fast' } };
  }

  // ---------------------------------------------------------------- memory

  allocate(dtype: DType, size: number): Storage {
    return this.wrap(this.buffer(dtype, size, true), dtype);
  }

  upload(data: TypedArray, dtype: DType): Storage {
    // Every element is written below, so a reused buffer (e.g. the last disposed batch) needs no zero-fill.
    const host = this.buffer(dtype, data.length, false);
    if (dtype === 'bool') for (let i = 0; i < data.length; i++) host[i] = data[i] !== 0 ? 1 : 0;
    // Float to int conversion on store truncates, as the copy kernel does.
    else host.set(data);
    return this.wrap(host, dtype);
  }

  readSync(x: NDArray): TypedArray {
    const out = allocateHost(x.dtype, x.size);
    this.kernels.assign(this.view(out, x), x);
    return out;
  }

  read(x: NDArray): Promise<TypedArray> {
    return Promise.resolve(this.readSync(x));
  }

  fill(x: NDArray, value: number): void {
    this.kernels.fill(x, value);
  }

  assign(dst: NDArray, src: NDArray): void {
    this.kernels.assign(dst, src);
  }

  release(storage: Storage): void {
    if (storage.released) return;
    this.ledger.release(storage);
    // A disposed array's block or buffer serves the next allocation of its size (see BufferPool).
    if (storage instanceof CpuStorage && !freeHeapArray(storage.data)) this.pool.give(storage.dtype, storage.data);
  }

  memory(): MemoryInfo {
    return this.ledger.info();
  }

  /**
   * Storage for `size` elements of `dtype`: in the wasm kernels' memory, or a pooled or new typed
   * array; zero-filled unless `zeroFill` is false (for a kernel that writes every element).
   */
  private buffer(dtype: DType, size: number, zeroFill: boolean): TypedArray {
    return heapArray(dtype, size, zeroFill) ?? this.pool.take(dtype, size, zeroFill) ?? allocateHost(dtype, size);
  }

  private wrap(data: TypedArray, dtype: DType): CpuStorage {
    const s = new CpuStorage(this, data, dtype);
    this.ledger.track(s);
    return s;
  }

  /** A contiguous array over host memory shaped like `like` (for reads). */
  private view(data: TypedArray, like: NDArray): NDArray {
    return new NDArray(new CpuStorage(this, data, like.dtype), like.shape, undefined, 0, like.dtype);
  }

  /** A new contiguous zero-filled array. */
  private empty(shape: Shape, dtype: DType): NDArray {
    return new NDArray(this.allocate(dtype, sizeOf(shape)), shape, undefined, 0, dtype);
  }

  /**
   * A new contiguous array for a kernel that writes every one of its elements (the fast and the
   * naive kernels alike): a reused buffer is handed over as it is, not zero-filled first.
   */
  private output(shape: Shape, dtype: DType): NDArray {
    const size = sizeOf(shape);
    const storage = this.wrap(this.buffer(dtype, size, false), dtype);
    return new NDArray(storage, shape, undefined, 0, dtype);
  }

  // ---------------------------------------------------------------- kernels

  copy(x: NDArray, dtype: DType): NDArray {
    const out = this.empty(x.shape, dtype);
    this.kernels.assign(out, x);
    return out;
  }

  unary(op: UnaryOp, x: NDArray, dtype: DType): NDArray {
    const out = this.output(x.shape, dtype);
    this.kernels.unary(op, x, cpuData(out));
    return out;
  }

  binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray {
    const out = this.output(shape, dtype);
    this.kernels.binary(op, a, b, shape, cpuData(out));
    return out;
  }

  where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray {
    const out = this.empty(shape, dtype);
    this.kernels.where(cond, a, b, shape, cpuData(out));
    return out;
  }

  reduce(op: ReduceOp, x: NDArray, axes: readonly number[], dtype: DType): NDArray {
    const out = this.empty(red.keptShape(x.shape, axes), dtype);
    this.kernels.reduce(op, x, axes, cpuData(out));
    return out;
  }

  argReduce(op: 'max' | 'min', x: NDArray, axis: number): { values: NDArray; indices: NDArray } {
    const shape = red.keptShape(x.shape, [axis]);
    const values = this.empty(shape, x.dtype);
    const indices = this.empty(shape, 'int32');
    const idx = cpuData(indices);
    if (!(idx instanceof Int32Array)) throw new Error('argReduce: indices must be int32');
    this.kernels.argReduce(op, x, axis, cpuData(values), idx);
    return { values, indices };
  }

  /**
   * `[...B, m, k] @ [...B, k, n]`: one `gemm` per batch entry, addressing each operand through
   * its own strides, so transposed and broadcast (stride-0) operands are read without copying.
   */
  matmul(a: NDArray, b: NDArray): NDArray {
    const nd = a.ndim;
    const m = a.shape[nd - 2];
    const k = a.shape[nd - 1];
    const n = b.shape[nd - 1];
    const batch = a.shape.slice(0, nd - 2);
    const out = this.empty([...batch, m, n], a.dtype);
    const c = floatStorage(out);
    const av = cpuData(a);
    const bv = cpuData(b);
    if (!(av instanceof Float32Array || av instanceof Float64Array) || !(bv instanceof Float32Array || bv instanceof Float64Array)) {
      throw new Error(`dtype mismatch: matmul kernels take float32 or float64, got ${a.dtype} and ${b.dtype}`);
    }
    const aStarts = offsetsOf(batch, a.strides.slice(0, nd - 2), a.offset);
    const bStarts = offsetsOf(batch, b.strides.slice(0, nd - 2), b.offset);
    for (let i = 0; i < aStarts.length; i++) {
      this.kernels.gemm({
        m, k, n,
        a: av, aOffset: aStarts[i], aRowStride: a.strides[nd - 2], aColStride: a.strides[nd - 1],
        b: bv, bOffset: bStarts[i], bRowStride: b.strides[nd - 2], bColStride: b.strides[nd - 1],
        c, cOffset: i * m * n,
      });
    }
    return out;
  }

  gather(x: NDArray, dim: number, index: NDArray): NDArray {
    const out = this.empty(index.shape, x.dtype);
    this.kernels.gather(x, dim, index, cpuData(out));
    return out;
  }

  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
    const out = this.empty(x.shape, x.dtype);
    this.kernels.scatterAdd(x, dim, index, src, out);
    return out;
  }

  indexSelect(x: NDArray, dim: number, index: NDArray): NDArray {
    const shape = x.shape.slice();
    shape[dim] = index.size;
    const out = this.empty(shape, x.dtype);
    this.kernels.indexSelect(x, dim, index, out);
    return out;
  }

  cat(xs: readonly NDArray[], dim: number, dtype: DType): NDArray {
    const shape = xs[0].shape.slice();
    shape[dim] = xs.reduce((n, x) => n + x.shape[dim], 0);
    const out = this.empty(shape, dtype);
    let start = 0;
    for (const x of xs) {
      // Each input is copied (and converted) into its slab of the result, a view.
      this.kernels.assign(out.narrow(dim, start, x.shape[dim]), x);
      start += x.shape[dim];
    }
    return out;
  }

  pad(x: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    const out = this.empty(x.shape.map((d, i) => d + pads[i][0] + pads[i][1]), x.dtype);
    this.kernels.pad(x, pads, value, out);
    return out;
  }

  /** See {@link Backend.conv2d}: im2row and gemm, or the naive loops with the naive kernels. */
  conv2d(x: NDArray, w: NDArray, g: Conv2dGeometry): NDArray {
    const out = this.output([g.n, g.o, g.oh, g.ow], x.dtype);
    this.kernels.conv2dForward(flat(x), flat(w), g, floatStorage(out));
    return out;
  }

  /** The input gradient of conv2d (gemm then row2im, or the naive loops). */
  conv2dBackwardInput(gy: NDArray, w: NDArray, g: Conv2dGeometry): NDArray {
    const gx = this.output([g.n, g.c, g.h, g.w], gy.dtype);
    this.kernels.conv2dBackwardInput(flat(gy), flat(w), g, floatStorage(gx));
    return gx;
  }

  /** The weight gradient of conv2d (one gemm per group, or the naive loops). */
  conv2dBackwardWeight(gy: NDArray, x: NDArray, g: Conv2dGeometry): NDArray {
    const gw = this.output([g.o, g.c / g.groups, g.kh, g.kw], gy.dtype);
    this.kernels.conv2dBackwardWeight(flat(gy), flat(x), g, floatStorage(gw));
    return gw;
  }

  /** See {@link Backend.maxPool2d}. */
  maxPool2d(x: NDArray, g: Pool2dGeometry): { values: NDArray; indices: NDArray } {
    const values = this.output([g.n, g.c, g.oh, g.ow], x.dtype);
    const indices = this.output([g.n, g.c, g.oh, g.ow], 'int32');
    this.kernels.maxPool2dForward(flat(x), g, floatStorage(values), flatInt32(indices));
    return { values, indices };
  }

  /** See {@link Backend.maxPool2dBackward}. */
  maxPool2dBackward(gy: NDArray, indices: NDArray, g: Pool2dGeometry): NDArray {
    const gx = this.output([g.n, g.c, g.h, g.w], gy.dtype);
    this.kernels.maxPool2dBackward(flat(gy), flatInt32(indices), g, floatStorage(gx));
    return gx;
  }

  /** See {@link Backend.avgPool2d}. */
  avgPool2d(x: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray {
    const out = this.empty([g.n, g.c, g.oh, g.ow], x.dtype);
    this.kernels.avgPool2dForward(flat(x), g, countIncludePad, divisorOverride, floatStorage(out));
    return out;
  }

  /** See {@link Backend.avgPool2dBackward}. */
  avgPool2dBackward(gy: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray {
    const gx = this.empty([g.n, g.c, g.h, g.w], gy.dtype);
    this.kernels.avgPool2dBackward(flat(gy), g, countIncludePad, divisorOverride, floatStorage(gx));
    return gx;
  }

  sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void {
    this.kernels.sgdStep(param, grad, buf, s);
  }

  adamStep(param: NDArray, grad: NDArray, m: NDArray, v: NDArray, vMax: NDArray | null, s: AdamScalars): void {
    this.kernels.adamStep(param, grad, m, v, vMax, s);
  }

  rmspropStep(param: NDArray, grad: NDArray, v: NDArray, buf: NDArray | null, gAvg: NDArray | null, s: RmspropScalars): void {
    this.kernels.rmspropStep(param, grad, v, buf, gAvg, s);
  }
}

/**
 * The reference CPU backend (fast kernels); active unless `useBackend` chose another.
 *
 * @example
 * import { cpuBackend, useBackend } from '@tsgrad/ndarray';
 * useBackend(cpuBackend);
 */
export const cpuBackend: Backend = new CpuBackend('cpu', fastKernels);

/**
 * The CPU backend on the naive kernels: slow, simple, the oracle other backends are checked against.
 *
 * @example
 * import { referenceBackend } from '@tsgrad/ndarray';
 * referenceBackend.name; // 'cpu-naive'
 */
export const referenceBackend: Backend = new CpuBackend('cpu-naive', naiveKernels);
