/**
 * Making arrays: from JavaScript data, filled with a constant, ranges, identity, and random.
 */
import { allocating } from './allocation.js';
import type { Backend } from './backend.js';
import { getBackend } from './default-backend.js';
import { allocate, checkDType, checkFitsDType, dtypeOf, type DType, type NestedArray, type Shape, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { checkShape, formatShape, sizeOf } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';

/** Options of the random functions. */
export interface RandomOptions {
  dtype?: DType;
  generator?: Generator;
}

function isTypedArray(x: unknown): x is TypedArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint8Array;
}

/** The shape of a nested array, read along the first elements. */
function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let x = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0];
  }
  return shape;
}

/** Names a bad entry of a nested array for an error message (plain-JavaScript callers can pass anything). */
function describeEntry(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof NDArray) return `an NDArray ${formatShape(v.shape)} (join arrays with stack or cat)`;
  return String(v);
}

/** Writes the leaves of `data` into `out` in row-major order, checking it is rectangular. */
function flattenInto(data: NestedArray, shape: Shape, dim: number, out: number[], flags: { allBool: boolean }): void {
  if (dim === shape.length) {
    if (typeof data === 'boolean') out.push(data ? 1 : 0);
    else if (typeof data === 'number') {
      flags.allBool = false;
      out.push(data);
    } else {
      throw new TypeError(`array: expected a number or boolean at depth ${dim}, got ${describeEntry(data)}`);
    }
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    const got = Array.isArray(data) ? `${data.length} elements` : String(data);
    throw new Error(`array: ragged nested array: expected ${shape[dim]} elements at depth ${dim}, got ${got}`);
  }
  for (const item of data) flattenInto(item, shape, dim + 1, out, flags);
}

/**
 * A new array on the default backend holding a copy of host values `data` (row-major) as `dtype`.
 *
 * @example
 * fromHost(new Float32Array([1, 2, 3, 4]), [2, 2], 'float32').get(1, 0); // 3
 */
export function fromHost(data: TypedArray, shape: Shape, dtype: DType, backend: Backend = getBackend()): NDArray {
  return new NDArray(backend.upload(data, dtype), shape.slice(), undefined, 0, dtype);
}

/**
 * An array from nested JavaScript arrays, a number, or a typed array, copied into the memory of
 * `backend` (the default backend unless given; shape defaults to 1-d for a typed array). The dtype is inferred: bool for
 * booleans, float32 for numbers, the typed array's own otherwise.
 *
 * @example
 * array([[1, 2], [3, 4]]).shape;                            // [2, 2]
 * array(new Float64Array(6), { shape: [2, 3] }).dtype;      // 'float64'
 * array([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' }).get(1, 0); // 3
 */
export function array(
  data: NestedArray | TypedArray | readonly number[],
  opts: { shape?: Shape; dtype?: DType; backend?: Backend } = {},
): NDArray {
  const backend = opts.backend ?? getBackend();
  if (opts.dtype !== undefined) checkDType(opts.dtype);
  if (isTypedArray(data)) {
    const shape = opts.shape ?? [data.length];
    checkShape(shape);
    if (sizeOf(shape) !== data.length) {
      throw new Error(`array: shape ${formatShape(shape)} (${sizeOf(shape)} elements) does not match the data length ${data.length}`);
    }
    const own = dtypeOf(data);
    const dtype = opts.dtype ?? own;
    // A conversion goes through the backend's copy kernel, which rounds and truncates as PyTorch.
    if (dtype === own) return fromHost(data, shape, dtype, backend);
    return fromHost(data, shape, own, backend).astype(dtype);
  }
  const nested = data as NestedArray;
  const inferred = nestedShape(nested);
  const values: number[] = [];
  const flags = { allBool: true };
  flattenInto(nested, inferred, 0, values, flags);
  let shape: Shape = inferred;
  if (opts.shape !== undefined) {
    checkShape(opts.shape);
    if (sizeOf(opts.shape) !== values.length) {
      throw new Error(
        `array: shape ${formatShape(opts.shape)} (${sizeOf(opts.shape)} elements) does not match the data ${formatShape(inferred)} (${values.length} elements)`,
      );
    }
    shape = opts.shape;
  }
  const dtype = opts.dtype ?? (flags.allBool && values.length > 0 ? 'bool' : 'float32');
  checkFitsDType('array', dtype, values);
  const host = allocate(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) host[i] = values[i] !== 0 ? 1 : 0;
  else host.set(values);
  return fromHost(host, shape, dtype, backend);
}

/**
 * An array of zeros (float32 unless `dtype` says otherwise).
 *
 * @example
 * zeros([2, 3]).size; // 6
 */
export function zeros(shape: Shape, dtype: DType = 'float32'): NDArray {
  checkShape(shape, 'zeros: shape');
  checkDType(dtype);
  const storage = allocating('zeros', shape, dtype, () => getBackend().allocate(dtype, sizeOf(shape)));
  return new NDArray(storage, shape.slice(), undefined, 0, dtype);
}

/**
 * An array of ones.
 *
 * @example
 * ones([2]).toArray(); // [1, 1]
 */
export function ones(shape: Shape, dtype: DType = 'float32'): NDArray {
  return full(shape, 1, dtype);
}

/**
 * An array filled with `value` (float32 for a number, bool for a boolean, unless `dtype` is given).
 *
 * @example
 * full([2], 7).toArray(); // [7, 7]
 */
export function full(shape: Shape, value: number | boolean, dtype?: DType): NDArray {
  const dt = dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const v = typeof value === 'boolean' ? Number(value) : dt === 'bool' ? Number(value !== 0) : value;
  const out = zeros(shape, dt);
  // Filling zeros with zero is a no-op worth skipping (zerosLike, the optimizer's fresh state).
  return v === 0 ? out : out.fill_(v);
}

/**
 * Zeros with `x`'s shape and dtype.
 *
 * @example
 * zerosLike(ones([2, 2], 'int32')).dtype; // 'int32'
 */
export function zerosLike(x: NDArray, dtype: DType = x.dtype): NDArray {
  checkDType(dtype);
  // On x's backend, as PyTorch's zeros_like is on x's device.
  return new NDArray(x.backend.allocate(dtype, x.size), x.shape.slice(), undefined, 0, dtype);
}

/**
 * Ones with `x`'s shape and dtype.
 *
 * @example
 * onesLike(zeros([3])).toArray(); // [1, 1, 1]
 */
export function onesLike(x: NDArray, dtype: DType = x.dtype): NDArray {
  return zerosLike(x, dtype).fill_(1);
}

/**
 * `[start, start + step, ...]` up to but excluding `end`; `arange(n)` is `0..n-1`. int32 when
 * all arguments are integers (PyTorch's int64), float32 otherwise.
 *
 * @example
 * arange(5).toArray();         // [0, 1, 2, 3, 4]
 * arange(0, 1, 0.25).toArray(); // [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, dtype?: DType): NDArray {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be non-zero and finite, got ${step}`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`arange: bounds must be finite, got ${lo} and ${hi}`);
  if ((hi - lo) * step < 0) {
    throw new RangeError(`arange: upper bound ${hi} and lower bound ${lo} are inconsistent with step sign ${step}`);
  }
  const dt = dtype ?? ([lo, hi, step].every(Number.isInteger) ? 'int32' : 'float32');
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const data = allocate(dt, n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return fromHost(data, [n], dt);
}

/**
 * The `n x m` identity matrix (ones on the main diagonal).
 *
 * @example
 * eye(2).toArray(); // [[1, 0], [0, 1]]
 */
export function eye(n: number, m = n, dtype: DType = 'float32'): NDArray {
  checkShape([n, m]);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromHost(data, [n, m], dtype);
}

/** A new array from a per-element sampler run on the host (float32 draws 24-bit uniforms). */
function sample(shape: Shape, dtype: DType, draw: (i: number) => number): NDArray {
  checkShape(shape);
  checkDType(dtype);
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(i);
  return fromHost(data, shape, dtype);
}

function floatDType(op: string, opts: RandomOptions): DType {
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return dtype;
}

/**
 * Uniform samples in [0, 1).
 *
 * @example
 * manualSeed(0);
 * rand([2, 2]).shape; // [2, 2]
 */
export function rand(shape: Shape, opts: RandomOptions = {}): NDArray {
  const dtype = floatDType('rand', opts);
  const g = opts.generator ?? defaultGenerator();
  return dtype === 'float32' ? sample(shape, dtype, () => g.nextFloat32()) : sample(shape, dtype, () => g.nextFloat64());
}

/**
 * Standard normal samples.
 *
 * @example
 * randn([3], { generator: new Generator(1) }).size; // 3
 */
export function randn(shape: Shape, opts: RandomOptions = {}): NDArray {
  const g = opts.generator ?? defaultGenerator();
  return sample(shape, floatDType('randn', opts), () => g.nextNormal());
}

/**
 * Uniform samples in [low, high).
 *
 * @example
 * uniform([2], -1, 1).shape; // [2]
 */
export function uniform(shape: Shape, low: number, high: number, opts: RandomOptions = {}): NDArray {
  if (!(low <= high)) throw new RangeError(`uniform: expects low <= high, got low=${low} high=${high}`);
  const g = opts.generator ?? defaultGenerator();
  const dtype = floatDType('uniform', opts);
  const width = high - low;
  return dtype === 'float32'
    ? sample(shape, dtype, () => low + width * g.nextFloat32())
    : sample(shape, dtype, () => low + width * g.nextFloat64());
}

/**
 * Normal samples with the given mean and standard deviation.
 *
 * @example
 * normal([2], 0, 0.1).shape; // [2]
 */
export function normal(shape: Shape, mean: number, std: number, opts: RandomOptions = {}): NDArray {
  if (!(std >= 0)) throw new RangeError(`normal: expects std >= 0, got ${std}`);
  const g = opts.generator ?? defaultGenerator();
  return sample(shape, floatDType('normal', opts), () => mean + std * g.nextNormal());
}

/**
 * Uniform integers in [low, high) (int32 unless `dtype` says otherwise).
 *
 * @example
 * randint(0, 10, [4]).dtype; // 'int32'
 */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): NDArray {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expects integers with low < high, got low=${low} high=${high}`);
  }
  const g = opts.generator ?? defaultGenerator();
  return sample(shape, opts.dtype ?? 'int32', () => low + g.nextInt(high - low));
}

/**
 * A random permutation of `0..n-1` (Fisher-Yates), int32.
 *
 * @example
 * randperm(5).toArray(); // e.g. [3, 0, 4, 1, 2]
 */
export function randperm(n: number, opts: RandomOptions = {}): NDArray {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const g = opts.generator ?? defaultGenerator();
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.nextInt(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const out = fromHost(perm, [n], 'int32');
  return opts.dtype === undefined || opts.dtype === 'int32' ? out : out.astype(opts.dtype);
}
