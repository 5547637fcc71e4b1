/**
 * Making tensors: from JavaScript data, from an NDArray, and ndarray's creation functions with
 * PyTorch's `requiresGrad` option added.
 */
import * as nd from '@tsgrad/ndarray';
import type { DType, Generator, NDArray, NestedArray, Shape, TypedArray } from '@tsgrad/ndarray';
import { Tensor } from './tensor.js';

/** Options shared by the creation functions. */
export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreationOptions {
  /** The generator to draw from (default: the one `manualSeed` seeds). */
  generator?: Generator;
}

function randomOpts(opts: RandomOptions): { dtype?: DType; generator?: Generator } {
  const out: { dtype?: DType; generator?: Generator } = {};
  if (opts.dtype !== undefined) out.dtype = opts.dtype;
  if (opts.generator !== undefined) out.generator = opts.generator;
  return out;
}

function wrap(a: NDArray, opts: CreationOptions): Tensor {
  return new Tensor(a, { requiresGrad: opts.requiresGrad ?? false });
}

/**
 * A tensor from nested arrays, a flat list or a typed array (give `shape` for flat data).
 * Numbers become float32 and booleans bool unless `dtype` says otherwise.
 *
 * @example
 * const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * w.shape; // [2, 2]
 */
export function tensor(
  data: NestedArray | TypedArray | readonly number[],
  opts: CreationOptions & { shape?: Shape } = {},
): Tensor {
  const arrayOpts: { shape?: Shape; dtype?: DType } = {};
  if (opts.shape !== undefined) arrayOpts.shape = opts.shape;
  if (opts.dtype !== undefined) arrayOpts.dtype = opts.dtype;
  return wrap(nd.array(data, arrayOpts), opts);
}

/**
 * A leaf tensor over an existing NDArray (no copy).
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * const x = fromNDArray(zeros([2, 3]));
 * x.requiresGrad; // false
 */
export function fromNDArray(a: NDArray, opts: { requiresGrad?: boolean } = {}): Tensor {
  return wrap(a, opts);
}

/**
 * @example
 * zeros([2, 3], { requiresGrad: true }).sum().item(); // 0
 */
export function zeros(shape: Shape, opts: CreationOptions = {}): Tensor {
  return wrap(nd.zeros(shape, opts.dtype), opts);
}

/**
 * @example
 * ones([2]).toArray(); // [1, 1]
 */
export function ones(shape: Shape, opts: CreationOptions = {}): Tensor {
  return wrap(nd.ones(shape, opts.dtype), opts);
}

/**
 * @example
 * full([2], 7).toArray(); // [7, 7]
 */
export function full(shape: Shape, value: number, opts: CreationOptions = {}): Tensor {
  return wrap(nd.full(shape, value, opts.dtype), opts);
}

/**
 * @example
 * zerosLike(ones([2])).toArray(); // [0, 0]
 */
export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return zeros(t.shape, { dtype: opts.dtype ?? t.dtype, requiresGrad: opts.requiresGrad ?? false });
}

/**
 * @example
 * onesLike(zeros([2])).toArray(); // [1, 1]
 */
export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return ones(t.shape, { dtype: opts.dtype ?? t.dtype, requiresGrad: opts.requiresGrad ?? false });
}

/**
 * `start, start+step, ...` below `end` (or `0..start-1` with one argument).
 *
 * @example
 * arange(3).toArray(); // [0, 1, 2]
 */
export function arange(start: number, end?: number, step?: number, opts: CreationOptions = {}): Tensor {
  return wrap(nd.arange(start, end, step, opts.dtype), opts);
}

/**
 * @example
 * eye(2).toArray(); // [[1, 0], [0, 1]]
 */
export function eye(n: number, m?: number, opts: CreationOptions = {}): Tensor {
  return wrap(nd.eye(n, m, opts.dtype), opts);
}

/**
 * Uniform in [0, 1).
 *
 * @example
 * rand([2, 2], { requiresGrad: true }).shape; // [2, 2]
 */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return wrap(nd.rand(shape, randomOpts(opts)), opts);
}

/**
 * Standard normal.
 *
 * @example
 * randn([3]).shape; // [3]
 */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return wrap(nd.randn(shape, randomOpts(opts)), opts);
}

/**
 * Integers in [low, high) (int32; cannot require grad).
 *
 * @example
 * randint(0, 10, [4]).dtype; // 'int32'
 */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  return wrap(nd.randint(low, high, shape, randomOpts(opts)), opts);
}

/**
 * A random permutation of `0..n-1` (int32).
 *
 * @example
 * randperm(4).shape; // [4]
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  return wrap(nd.randperm(n, randomOpts(opts)), opts);
}

/**
 * Uniform in [low, high).
 *
 * @example
 * uniform([2], -1, 1).shape; // [2]
 */
export function uniform(shape: Shape, low: number, high: number, opts: RandomOptions = {}): Tensor {
  return wrap(nd.uniform(shape, low, high, randomOpts(opts)), opts);
}

/**
 * Normal with the given mean and standard deviation.
 *
 * @example
 * normal([2], 0, 0.01).shape; // [2]
 */
export function normal(shape: Shape, mean: number, std: number, opts: RandomOptions = {}): Tensor {
  return wrap(nd.normal(shape, mean, std, randomOpts(opts)), opts);
}
