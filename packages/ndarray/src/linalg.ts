/**
 * Matrix product with PyTorch's `matmul` rules.
 */
import { sameBackend } from './device.js';
import type { NDArray } from './ndarray.js';
import { broadcastShapes, formatShape } from './shape.js';

/**
 * `a @ b`. 1-d operands are vectors (a leading or trailing size-1 dim is added, then removed);
 * operands with more than 2 dims are stacks of matrices whose batch dims broadcast. Both must
 * have the same dtype; integer arrays are multiplied in float64 and converted back.
 *
 * @example
 * matmul(ones([5, 2, 3]), ones([3, 4])).shape; // [5, 2, 4]
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dim, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.dtype !== b.dtype) {
    throw new TypeError(`matmul: dtype mismatch: ${a.dtype} and ${b.dtype} (convert one with astype)`);
  }
  const x = a.ndim === 1 ? a.unsqueeze(0) : a;
  const y = b.ndim === 1 ? b.unsqueeze(1) : b;
  const m = x.shape[x.ndim - 2];
  const k = x.shape[x.ndim - 1];
  const k2 = y.shape[y.ndim - 2];
  const n = y.shape[y.ndim - 1];
  if (k !== k2) {
    throw new Error(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${m}x${k} and ${k2}x${n})`,
    );
  }
  const batch = broadcastShapes(x.shape.slice(0, -2), y.shape.slice(0, -2));
  let xe = x.expand([...batch, m, k]);
  let ye = y.expand([...batch, k, n]);
  const isInt = a.dtype !== 'float32' && a.dtype !== 'float64';
  if (isInt) {
    xe = xe.astype('float64');
    ye = ye.astype('float64');
  }
  let out = sameBackend('matmul', [xe, ye]).matmul(xe, ye);
  if (isInt) out = out.astype(a.dtype === 'bool' ? 'int32' : a.dtype);
  const shape = [...batch];
  if (a.ndim > 1) shape.push(m);
  if (b.ndim > 1) shape.push(n);
  return out.reshape(shape);
}
