/**
 * The Backend contract: the memory and kernels an array library needs.
 *
 * A backend owns element memory (`Storage`): it allocates it, uploads host values into it,
 * reads them back, writes it in place and releases it. `NDArray` methods check arguments, work
 * out shapes and dtypes, then call the backend of their operands, which allocates the result
 * and runs the kernel. Views (reshape, permute, expand...) never reach the backend: they only
 * make a new shape/strides/offset over the same storage. Nothing outside a backend touches
 * element memory.
 */
import type { DType, Shape, TypedArray } from './dtype.js';
import type { NDArray } from './ndarray.js';
import type { Conv2dGeometry, Pool2dGeometry } from './geometry.js';
import type { AdamScalars, RmspropScalars, SgdScalars } from './optimizer-steps.js';
import type { MemoryInfo, Storage } from './storage.js';

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

/** What a backend says about itself (`backend.describe()`). */
export interface BackendDescription {
  /** The backend's name, as in error messages (`cpu`, `gpu:webasm`...). */
  name: string;
  /** The device the kernels run on, in words (a CPU model, a GPU adapter or renderer). */
  device: string;
  /** `cpu` for host memory, `gpu` for device memory. */
  kind: 'cpu' | 'gpu';
  /** Whether the device is a software rasterizer (SwiftShader, llvmpipe, lavapipe). */
  software?: boolean;
  /** Any other facts worth printing (threads, mode...). */
  details?: Readonly<Record<string, string | number | boolean>>;
}

/** What a backend can do; the conformance suite and tests read it. */
export interface BackendCapabilities {
  /** The dtypes it stores. */
  dtypes: readonly DType[];
  /** Whether `readSync` works (a WebGPU backend can only read asynchronously). */
  syncRead: boolean;
  /** Absolute and relative tolerance of its float kernels against the naive reference, per float dtype. */
  tolerance: Readonly<Partial<Record<DType, { atol: number; rtol: number }>>>;
}

/**
 * Memory and kernels. Kernel inputs may be any strided views of this backend's storage; every
 * kernel result is a new, contiguous array that the backend allocated. Arguments arrive already
 * checked and with their shapes and dtypes worked out by `NDArray`.
 */
export interface Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** The backend and its device, in words. */
  describe(): BackendDescription;

  // ------------------------------------------------------------------ memory
  /** New zero-filled storage of `size` elements. */
  allocate(dtype: DType, size: number): Storage;
  /** New storage holding a copy of `data`, converted to `dtype`. */
  upload(data: TypedArray, dtype: DType): Storage;
  /** The elements of the view `x` in row-major order, as a new host typed array (throws if the backend cannot read synchronously). */
  readSync(x: NDArray): TypedArray;
  /** The same, asynchronously; every backend supports it. */
  read(x: NDArray): Promise<TypedArray>;
  /** Writes `value` into every element of the view `x`, in place. */
  fill(x: NDArray, value: number): void;
  /** Copies `src` (already broadcast to `dst`'s shape, converted to its dtype) into the view `dst`, in place. */
  assign(dst: NDArray, src: NDArray): void;
  /** Releases a storage now (idempotent). */
  release(storage: Storage): void;
  /** Live storages and bytes. */
  memory(): MemoryInfo;

  // ------------------------------------------------------------------ kernels
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
  /**
   * `out[i][j] = x[index[i][j]][j]` along `dim` (index is int32). An index outside `[0, size)`
   * throws an {@link IndexOutOfRangeError} (a device backend may report it at its next read).
   */
  gather(x: NDArray, dim: number, index: NDArray): NDArray;
  /** A copy of `x` with `src[i][j]` added at `[index[i][j]][j]` along `dim` (indices checked as gather's). */
  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray;
  /** The entries `index` (1-d int32, checked as gather's) of `x` along `dim`. */
  indexSelect(x: NDArray, dim: number, index: NDArray): NDArray;
  /** `xs` joined along `dim` (they agree in every other dim), stored as `dtype`. */
  cat(xs: readonly NDArray[], dim: number, dtype: DType): NDArray;
  /** Constant padding: `pads[d] = [before, after]` for every dim (negative crops). */
  pad(x: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray;
  /** 2-d convolution (cross-correlation) of contiguous `x` `[N, C, H, W]` with `w` `[O, C/groups, kH, kW]`. */
  conv2d(x: NDArray, w: NDArray, g: Conv2dGeometry): NDArray;
  /** The gradient of conv2d with respect to its input, from the output gradient `gy`. */
  conv2dBackwardInput(gy: NDArray, w: NDArray, g: Conv2dGeometry): NDArray;
  /** The gradient of conv2d with respect to its weight, from the output gradient `gy`. */
  conv2dBackwardWeight(gy: NDArray, x: NDArray, g: Conv2dGeometry): NDArray;
  /** Max pooling: the maxima and, for each, its flat index in its `H*W` plane. */
  maxPool2d(x: NDArray, g: Pool2dGeometry): { values: NDArray; indices: NDArray };
  /** Scatters `gy` to the input positions `indices` name (adding where windows overlap). */
  maxPool2dBackward(gy: NDArray, indices: NDArray, g: Pool2dGeometry): NDArray;
  /** Average pooling, with PyTorch's `countIncludePad` and `divisorOverride`. */
  avgPool2d(x: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray;
  /** Spreads each output gradient evenly over its window, as avgPool2d divided. */
  avgPool2dBackward(
    gy: NDArray,
    g: Pool2dGeometry,
    countIncludePad: boolean,
    divisorOverride: number | undefined,
  ): NDArray;

  // ------------------------------------------------------------------ fused optimizer updates, in place
  /** SGD on contiguous `param` with `grad`; `buf` is the momentum buffer (null without momentum). */
  sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void;
  /** Adam/AdamW on contiguous arrays; `vMax` null without amsgrad. */
  adamStep(param: NDArray, grad: NDArray, m: NDArray, v: NDArray, vMax: NDArray | null, s: AdamScalars): void;
  /** RMSprop; `buf` null without momentum, `gAvg` null unless centered. */
  rmspropStep(param: NDArray, grad: NDArray, v: NDArray, buf: NDArray | null, gAvg: NDArray | null, s: RmspropScalars): void;
}

/**
 * The error of an index outside its dim (gather, scatterAdd, indexSelect), with the values, so
 * callers such as the losses can restate it in their own terms.
 *
 * @example
 * new IndexOutOfRangeError('gather', 7, 1, 5).message; // 'gather: index 7 is out of bounds for dim 1 with size 5'
 */
export class IndexOutOfRangeError extends RangeError {
  constructor(
    readonly op: string,
    readonly index: number,
    readonly dim: number,
    readonly dimSize: number,
  ) {
    super(`${op}: index ${index} is out of bounds for dim ${dim} with size ${dimSize}`);
    this.name = 'IndexOutOfRangeError';
  }
}
