/**
 * The Backend contract: the kernels an array library needs, and which backend is active.
 *
 * `NDArray` methods check arguments, work out shapes and dtypes, and then call the active
 * backend, which allocates the result and runs the kernel. Views (reshape, permute, expand...)
 * never reach the backend: they only make new shape/strides/offset over the same storage.
 */
import type { DType, Shape } from './dtype.js';
import type { NDArray } from './ndarray.js';
import type { Conv2dGeometry, Pool2dGeometry } from './cpu/kernel-types.js';
import { cpuBackend } from './cpu/cpu-backend.js';

export type { Conv2dGeometry, Pool2dGeometry };

/** Elementwise functions of one argument. */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'relu'
  | 'tanh'
  | 'sigmoid'
  | 'sign'
  | 'square'
  | 'reciprocal'
  | 'sin'
  | 'cos';

/** Elementwise functions of two arguments; the comparisons give `bool`. */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'gt'
  | 'ge'
  | 'lt'
  | 'le'
  | 'eq'
  | 'ne';

/** Reductions that combine many values into one. */
export type ReduceOp = 'sum' | 'max' | 'min';

/**
 * Every unary op, for loops in tests and conformance checks.
 *
 * @example
 * UNARY_OPS.includes('exp'); // true
 */
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'relu', 'tanh', 'sigmoid', 'sign', 'square', 'reciprocal', 'sin', 'cos',
];

/**
 * Every binary op.
 *
 * @example
 * BINARY_OPS.length; // 13
 */
export const BINARY_OPS: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'gt', 'ge', 'lt', 'le', 'eq', 'ne',
];

/**
 * Whether a binary op is a comparison (its result is `bool`).
 *
 * @example
 * isComparison('lt'); // true
 */
export function isComparison(op: BinaryOp): boolean {
  return op === 'gt' || op === 'ge' || op === 'lt' || op === 'le' || op === 'eq' || op === 'ne';
}

/**
 * The kernels a backend provides. Inputs may be any strided views; every result is a new,
 * contiguous array that the backend allocated. Arguments arrive already checked and
 * with their shapes and dtypes worked out by `NDArray`.
 */
export interface Backend {
  readonly name: string;
  /** A contiguous copy of `x` converted to `dtype`. */
  copy(x: NDArray, dtype: DType): NDArray;
  /** `op(x)` elementwise, computed and stored as `dtype`. */
  unary(op: UnaryOp, x: NDArray, dtype: DType): NDArray;
  /** `op(a, b)` over the broadcast `shape`; arithmetic results are stored as `dtype`, comparisons as bool. */
  binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray;
  /** `cond ? a : b` over the broadcast `shape`, stored as `dtype`. */
  where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray;
  /** Reduces over `axes` (sorted, distinct) keeping them as size-1 dims; stored as `dtype`. */
  reduce(op: ReduceOp, x: NDArray, axes: readonly number[], dtype: DType): NDArray;
  /** Max or min along one axis (kept, size 1) with the first index of the extreme value (int32). */
  argReduce(op: 'max' | 'min', x: NDArray, axis: number): { values: NDArray; indices: NDArray };
  /** `[...B, m, k] @ [...B, k, n]` with equal batch shapes (broadcast batches arrive with stride 0). */
  matmul(a: NDArray, b: NDArray): NDArray;
  /** `out[i][j] = x[index[i][j]][j]` along `dim` (index is int32 and in range). */
  gather(x: NDArray, dim: number, index: NDArray): NDArray;
  /** A copy of `x` with `src[i][j]` added at `[index[i][j]][j]` along `dim`. */
  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray;
  /** The entries `index` (1-d int32, in range) of `x` along `dim`. */
  indexSelect(x: NDArray, dim: number, index: NDArray): NDArray;
  /** `xs` joined along `dim` (they agree in every other dim), stored as `dtype`. */
  cat(xs: readonly NDArray[], dim: number, dtype: DType): NDArray;
  /** Constant padding: `pads[d] = [before, after]` for every dim (negative crops). */
  pad(x: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray;
  conv2d(x: NDArray, w: NDArray, g: Conv2dGeometry): NDArray;
  conv2dBackwardInput(gy: NDArray, w: NDArray, g: Conv2dGeometry): NDArray;
  conv2dBackwardWeight(gy: NDArray, x: NDArray, g: Conv2dGeometry): NDArray;
  maxPool2d(x: NDArray, g: Pool2dGeometry): { values: NDArray; indices: NDArray };
  maxPool2dBackward(gy: NDArray, indices: NDArray, g: Pool2dGeometry): NDArray;
  avgPool2d(x: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray;
  avgPool2dBackward(
    gy: NDArray,
    g: Pool2dGeometry,
    countIncludePad: boolean,
    divisorOverride: number | undefined,
  ): NDArray;
}

// Null means "the CPU backend"; resolved lazily so that importing this file runs nothing.
let active: Backend | null = null;

/**
 * Makes `backend` the one every NDArray operation runs on; returns the previous one.
 *
 * @example
 * import { useBackend, cpuBackend } from '@tsgrad/ndarray';
 * const previous = useBackend(cpuBackend);
 * useBackend(previous);
 */
export function useBackend(backend: Backend): Backend {
  const previous = getBackend();
  active = backend;
  return previous;
}

/**
 * The active backend (the CPU backend unless `useBackend` chose another).
 *
 * @example
 * import { getBackend } from '@tsgrad/ndarray';
 * getBackend().name; // 'cpu'
 */
export function getBackend(): Backend {
  return active ?? cpuBackend;
}
