/**
 * Elementwise operations at the array level: result dtype, broadcast shape, then the backend.
 */
import { isComparison, type Backend, type BinaryOp, type UnaryOp } from './backend.js';
import { sameBackend } from './device.js';
import { getBackend } from './default-backend.js';
import { isFloat, resultType, scalarResultType, type DType } from './dtype.js';
import { keep } from './memory.js';
import { NDArray } from './ndarray.js';
import { broadcastShapes, formatShape } from './shape.js';

/** Unary ops whose result is a float even for integer input. */
const FLOAT_RESULT: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'reciprocal', 'sin', 'cos']);

/**
 * A 0-d array on `backend` holding `value`: float64, which holds every JavaScript number
 * exactly, or float32 on a backend without float64. Recent values are cached per backend
 * (an upload per `x.mul(2)` would cost more than a small kernel); the cached arrays are only
 * ever read, and `keep` protects them from `tidy`.
 *
 * @example
 * scalarArray(2).item(); // 2
 */
export function scalarArray(value: number, backend: Backend = getBackend()): NDArray {
  let cache = scalarCache.get(backend);
  if (cache === undefined) scalarCache.set(backend, (cache = new Map()));
  // Map keys treat -0 as 0: a negative zero is never cached.
  const cached = Object.is(value, -0) ? undefined : cache.get(value);
  if (cached !== undefined && !cached.isDisposed) return cached;
  const dtype = backend.capabilities.dtypes.includes('float64') ? 'float64' : 'float32';
  const host = dtype === 'float64' ? new Float64Array([value]) : new Float32Array([value]);
  const a = keep(new NDArray(backend.upload(host, dtype), [], [], 0, dtype));
  if (cache.size >= SCALAR_CACHE_SIZE) cache.clear();
  if (!Object.is(value, -0)) cache.set(value, a);
  return a;
}

const SCALAR_CACHE_SIZE = 256;
const scalarCache = new WeakMap<Backend, Map<number, NDArray>>();

function checkOperand(op: string, x: unknown): asserts x is NDArray {
  if (!(x instanceof NDArray)) throw new TypeError(`${op}: expected an NDArray or a number, got ${String(x)}`);
}

/**
 * `op(x)` elementwise. Float arrays keep their dtype; integer input gives int32, or float32 for
 * ops with non-integer results (exp, log, sqrt, tanh, sigmoid, reciprocal, sin, cos).
 *
 * @example
 * unaryOp('exp', array([0, 1])).toArray(); // [1, 2.718...]
 */
export function unaryOp(op: UnaryOp, x: NDArray): NDArray {
  if (op === 'neg' && x.dtype === 'bool') {
    throw new TypeError('neg: negation on a bool array is not supported (to invert a mask, use mask.eq(false))');
  }
  const dtype: DType = isFloat(x.dtype) ? x.dtype : FLOAT_RESULT.has(op) ? 'float32' : 'int32';
  return sameBackend(op, [x]).unary(op, x, dtype);
}

/**
 * `a op b` with PyTorch broadcasting. A number operand is a "weak" scalar: it does not widen a
 * float array (float32 + 0.1 stays float32). Comparisons give bool; division of integers gives float32.
 *
 * @example
 * binaryOp('add', array([[1], [2]]), array([10, 20])).toArray(); // [[11, 21], [12, 22]]
 */
export function binaryOp(op: BinaryOp, a: NDArray, b: NDArray | number): NDArray {
  let other: NDArray;
  let dtype: DType;
  let shape = a.shape;
  if (typeof b === 'number') {
    a.checkAlive(op);
    dtype = scalarResultType(a.dtype, b);
    // PyTorch converts the scalar to the computation dtype first: float32(x) == 0.1 compares
    // with float32(0.1), not with the double 0.1.
    other = scalarArray(dtype === 'float32' ? Math.fround(b) : b, a.backend);
  } else {
    checkOperand(op, b);
    other = b;
    dtype = resultType(a.dtype, b.dtype);
    if (!sameShape(a.shape, b.shape)) shape = broadcastShapes(a.shape, b.shape);
  }
  if (op === 'pow' && !isFloat(dtype) && hasNegative(b)) {
    throw new RangeError('pow: integers to negative integer powers are not allowed (use a float base, e.g. astype(\'float32\'))');
  }
  if (isComparison(op)) dtype = 'bool';
  else if (op === 'div' && !isFloat(dtype)) dtype = 'float32';
  return sameBackend(op, [a, other]).binary(op, a, other, shape, dtype);
}

/**
 * Whether an exponent holds a negative value (checked for integer pow only: it costs a reduction
 * and a read, so a backend without synchronous reads skips it and its result is backend-defined).
 */
function hasNegative(b: NDArray | number): boolean {
  if (typeof b === 'number') return b < 0;
  return b.size > 0 && b.backend.capabilities.syncRead && b.min().item() < 0;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `cond ? a : b` elementwise with broadcasting over all three; `cond` must be bool (or uint8).
 *
 * @example
 * where(array([true, false]), array([1, 2]), 0).toArray(); // [1, 0]
 */
export function where(cond: NDArray, a: NDArray | number, b: NDArray | number): NDArray {
  checkOperand('where', cond);
  if (cond.dtype !== 'bool' && cond.dtype !== 'uint8') {
    throw new TypeError(`where: dtype mismatch: the condition must be bool, got ${cond.dtype}`);
  }
  const x = typeof a === 'number' ? scalarArray(a, cond.backend) : a;
  const y = typeof b === 'number' ? scalarArray(b, cond.backend) : b;
  checkOperand('where', x);
  checkOperand('where', y);
  let dtype: DType;
  if (typeof a === 'number' && typeof b === 'number') {
    dtype = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float32';
  } else if (typeof a === 'number') dtype = scalarResultType(y.dtype, a);
  else if (typeof b === 'number') dtype = scalarResultType(x.dtype, b);
  else dtype = x.dtype === y.dtype ? x.dtype : resultType(x.dtype, y.dtype);
  let shape: number[];
  try {
    shape = broadcastShapes(broadcastShapes(cond.shape, x.shape), y.shape);
  } catch {
    throw new Error(
      `where: shapes ${formatShape(cond.shape)} (condition), ${formatShape(x.shape)} and ${formatShape(y.shape)} cannot be broadcast together`,
    );
  }
  return sameBackend('where', [cond, x, y]).where(cond, x, y, shape, dtype);
}
