/**
 * The CPU backend: allocates results as typed arrays and runs the kernels of `cpu/*.ts`.
 *
 * `makeCpuBackend` builds a backend from a set of kernels. `cpuBackend` uses the fast ones;
 * `referenceBackend` the naive ones, and is the oracle of the conformance suite (`testing.ts`).
 */
import type { Backend, BinaryOp, ReduceOp, UnaryOp } from '../backend.js';
import { allocate, type DType, type FloatArray, type Shape, type TypedArray } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { sizeOf } from '../shape.js';
import * as conv from './conv2d.js';
import * as ew from './elementwise.js';
import * as ix from './indexing.js';
import type { Conv2dGeometry, Pool2dGeometry } from './kernel-types.js';
import { gemm, gemmNaive, type GemmOperands } from './matmul.js';
import * as pool from './pool2d.js';
import * as red from './reduce.js';
import { offsetsOf } from './strided.js';

type Pads = readonly (readonly [number, number])[];

/** The flat kernels a CPU backend is assembled from (the fast set or the naive set). */
export interface CpuKernels {
  unary(op: UnaryOp, x: NDArray, out: TypedArray): void;
  binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void;
  where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, out: TypedArray): void;
  assign(dst: NDArray, src: NDArray): void;
  reduce(op: ReduceOp, x: NDArray, axes: readonly number[], out: TypedArray): void;
  argReduce(op: 'max' | 'min', x: NDArray, axis: number, values: TypedArray, indices: Int32Array): void;
  gemm(op: GemmOperands): void;
  gather(x: NDArray, dim: number, index: NDArray, out: TypedArray): void;
  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray, out: TypedArray): void;
  indexSelect(x: NDArray, dim: number, index: NDArray, out: NDArray): void;
  pad(x: NDArray, pads: Pads, value: number, out: NDArray): void;
  conv2dForward(x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray): void;
  conv2dBackwardInput(gy: FloatArray, w: FloatArray, g: Conv2dGeometry, gx: FloatArray): void;
  conv2dBackwardWeight(gy: FloatArray, x: FloatArray, g: Conv2dGeometry, gw: FloatArray): void;
  maxPool2dForward(x: FloatArray, g: Pool2dGeometry, out: FloatArray, indices: Int32Array): void;
  maxPool2dBackward(gy: FloatArray, indices: Int32Array, g: Pool2dGeometry, gx: FloatArray): void;
  avgPool2dForward(x: FloatArray, g: Pool2dGeometry, cip: boolean, div: number | undefined, out: FloatArray): void;
  avgPool2dBackward(gy: FloatArray, g: Pool2dGeometry, cip: boolean, div: number | undefined, gx: FloatArray): void;
}

/**
 * The fast kernels.
 *
 * @example
 * const fast = makeCpuBackend('cpu', fastKernels);
 */
export const fastKernels: CpuKernels = {
  unary: ew.unary,
  binary: ew.binary,
  where: ew.where,
  assign: ew.assign,
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
};

/**
 * The naive reference kernels: one element at a time from its multi-index.
 *
 * @example
 * const slow = makeCpuBackend('cpu-naive', naiveKernels);
 */
export const naiveKernels: CpuKernels = {
  unary: ew.unaryNaive,
  binary: ew.binaryNaive,
  where: ew.whereNaive,
  assign: ew.assignNaive,
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
};

/** A new contiguous array. */
function empty(shape: Shape, dtype: DType): NDArray {
  return new NDArray(allocate(dtype, sizeOf(shape)), shape, undefined, 0, dtype);
}

/** The elements of a contiguous float array as a flat buffer of exactly `size` elements. */
function flat(x: NDArray): FloatArray {
  const c = x.contiguous();
  const data = c.storage;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`dtype mismatch: expected a float32 or float64 array, got ${x.dtype}`);
  }
  return c.offset === 0 && data.length === c.size ? data : data.subarray(c.offset, c.offset + c.size);
}

/** The storage of a freshly allocated float array. */
function floatStorage(x: NDArray): FloatArray {
  const data = x.storage;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`dtype mismatch: expected a float32 or float64 array, got ${x.dtype}`);
  }
  return data;
}

/** int32 storage of exactly `size` elements (indices from maxPool2d). */
function flatInt32(x: NDArray): Int32Array {
  const c = x.dtype === 'int32' ? x.contiguous() : x.astype('int32');
  const data = c.storage;
  if (!(data instanceof Int32Array)) throw new Error(`dtype mismatch: expected int32 indices, got ${x.dtype}`);
  return data.subarray(c.offset, c.offset + c.size);
}

/**
 * `[...B, m, k] @ [...B, k, n]`: one `gemm` per batch entry, addressing each operand through
 * its own strides, so transposed and broadcast (stride-0) operands are read without copying.
 */
function batchedMatmul(a: NDArray, b: NDArray, kernels: CpuKernels): NDArray {
  const nd = a.ndim;
  const m = a.shape[nd - 2];
  const k = a.shape[nd - 1];
  const n = b.shape[nd - 1];
  const batch = a.shape.slice(0, nd - 2);
  const out = empty([...batch, m, n], a.dtype);
  const c = floatStorage(out);
  const av = a.storage;
  const bv = b.storage;
  if (!(av instanceof Float32Array || av instanceof Float64Array) || !(bv instanceof Float32Array || bv instanceof Float64Array)) {
    throw new Error(`dtype mismatch: matmul kernels take float32 or float64, got ${a.dtype} and ${b.dtype}`);
  }
  const aStarts = offsetsOf(batch, a.strides.slice(0, nd - 2), a.offset);
  const bStarts = offsetsOf(batch, b.strides.slice(0, nd - 2), b.offset);
  for (let i = 0; i < aStarts.length; i++) {
    kernels.gemm({
      m, k, n,
      a: av, aOffset: aStarts[i], aRowStride: a.strides[nd - 2], aColStride: a.strides[nd - 1],
      b: bv, bOffset: bStarts[i], bRowStride: b.strides[nd - 2], bColStride: b.strides[nd - 1],
      c, cOffset: i * m * n,
    });
  }
  return out;
}

/**
 * A CPU backend running the given kernels.
 *
 * @example
 * const slow = makeCpuBackend('cpu-naive', naiveKernels);
 */
export function makeCpuBackend(name: string, kernels: CpuKernels): Backend {
  return {
    name,
    copy(x, dtype) {
      const out = empty(x.shape, dtype);
      kernels.assign(out, x);
      return out;
    },
    unary(op, x, dtype) {
      const out = empty(x.shape, dtype);
      kernels.unary(op, x, out.storage);
      return out;
    },
    binary(op, a, b, shape, dtype) {
      const out = empty(shape, dtype);
      kernels.binary(op, a, b, shape, out.storage);
      return out;
    },
    where(cond, a, b, shape, dtype) {
      const out = empty(shape, dtype);
      kernels.where(cond, a, b, shape, out.storage);
      return out;
    },
    reduce(op, x, axes, dtype) {
      const out = empty(red.keptShape(x.shape, axes), dtype);
      kernels.reduce(op, x, axes, out.storage);
      return out;
    },
    argReduce(op, x, axis) {
      const shape = red.keptShape(x.shape, [axis]);
      const values = empty(shape, x.dtype);
      const indices = empty(shape, 'int32');
      const idx = indices.storage;
      if (!(idx instanceof Int32Array)) throw new Error('argReduce: indices must be int32');
      kernels.argReduce(op, x, axis, values.storage, idx);
      return { values, indices };
    },
    matmul(a, b) {
      return batchedMatmul(a, b, kernels);
    },
    gather(x, dim, index) {
      const out = empty(index.shape, x.dtype);
      kernels.gather(x, dim, index, out.storage);
      return out;
    },
    scatterAdd(x, dim, index, src) {
      const out = empty(x.shape, x.dtype);
      kernels.scatterAdd(x, dim, index, src, out.storage);
      return out;
    },
    indexSelect(x, dim, index) {
      const shape = x.shape.slice();
      shape[dim] = index.size;
      const out = empty(shape, x.dtype);
      kernels.indexSelect(x, dim, index, out);
      return out;
    },
    cat(xs, dim, dtype) {
      const shape = xs[0].shape.slice();
      shape[dim] = xs.reduce((n, x) => n + x.shape[dim], 0);
      const out = empty(shape, dtype);
      let start = 0;
      for (const x of xs) {
        // Each input is copied (and converted) into its slab of the result, a view.
        kernels.assign(out.narrow(dim, start, x.shape[dim]), x);
        start += x.shape[dim];
      }
      return out;
    },
    pad(x, pads, value) {
      const out = empty(x.shape.map((d, i) => d + pads[i][0] + pads[i][1]), x.dtype);
      kernels.pad(x, pads, value, out);
      return out;
    },
    conv2d(x, w, g) {
      const out = empty([g.n, g.o, g.oh, g.ow], x.dtype);
      kernels.conv2dForward(flat(x), flat(w), g, floatStorage(out));
      return out;
    },
    conv2dBackwardInput(gy, w, g) {
      const gx = empty([g.n, g.c, g.h, g.w], gy.dtype);
      kernels.conv2dBackwardInput(flat(gy), flat(w), g, floatStorage(gx));
      return gx;
    },
    conv2dBackwardWeight(gy, x, g) {
      const gw = empty([g.o, g.c / g.groups, g.kh, g.kw], gy.dtype);
      kernels.conv2dBackwardWeight(flat(gy), flat(x), g, floatStorage(gw));
      return gw;
    },
    maxPool2d(x, g) {
      const values = empty([g.n, g.c, g.oh, g.ow], x.dtype);
      const indices = empty([g.n, g.c, g.oh, g.ow], 'int32');
      kernels.maxPool2dForward(flat(x), g, floatStorage(values), flatInt32(indices));
      return { values, indices };
    },
    maxPool2dBackward(gy, indices, g) {
      const gx = empty([g.n, g.c, g.h, g.w], gy.dtype);
      kernels.maxPool2dBackward(flat(gy), flatInt32(indices), g, floatStorage(gx));
      return gx;
    },
    avgPool2d(x, g, countIncludePad, divisorOverride) {
      const out = empty([g.n, g.c, g.oh, g.ow], x.dtype);
      kernels.avgPool2dForward(flat(x), g, countIncludePad, divisorOverride, floatStorage(out));
      return out;
    },
    avgPool2dBackward(gy, g, countIncludePad, divisorOverride) {
      const gx = empty([g.n, g.c, g.h, g.w], gy.dtype);
      kernels.avgPool2dBackward(flat(gy), g, countIncludePad, divisorOverride, floatStorage(gx));
      return gx;
    },
  };
}

/**
 * The reference CPU backend (fast kernels); active unless `useBackend` chose another.
 *
 * @example
 * import { cpuBackend, useBackend } from '@tsgrad/ndarray';
 * useBackend(cpuBackend);
 */
export const cpuBackend: Backend = makeCpuBackend('cpu', fastKernels);

/**
 * The CPU backend on the naive kernels: slow, simple, the oracle other backends are checked against.
 *
 * @example
 * import { referenceBackend } from '@tsgrad/ndarray';
 * referenceBackend.name; // 'cpu-naive'
 */
export const referenceBackend: Backend = makeCpuBackend('cpu-naive', naiveKernels);
