import { NDArray, allocate, array, type Shape } from '@tsgrad/ndarray';
import type { Collated } from './dataset.js';

/**
 * Stacks a list of samples into one batch, as PyTorch's `default_collate`: arrays of one shape
 * and dtype become one array with a new leading batch dimension (one typed array, filled by one
 * copy per sample); numbers become a 1-d array (int32 when all are integers, as PyTorch's int64,
 * else float64); tuples are collated field by field.
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { defaultCollate } from '@tsgrad/data';
 * const [x, y] = defaultCollate([[array([1, 2]), 0], [array([3, 4]), 1]]);
 * x.shape; // [2, 2]
 * y.dtype; // 'int32'
 * ```
 */
export function defaultCollate<T>(items: readonly T[]): Collated<T>;
export function defaultCollate(items: readonly unknown[]): unknown {
  if (items.length === 0) throw new Error('defaultCollate: cannot collate an empty list of samples');
  const first = items[0];
  if (first instanceof NDArray) return stackArrays(items);
  if (typeof first === 'number') return stackNumbers(items);
  if (Array.isArray(first)) {
    const fields = first.length;
    const columns: unknown[][] = Array.from({ length: fields }, () => []);
    for (const [k, item] of items.entries()) {
      if (!Array.isArray(item) || item.length !== fields) {
        throw new Error(`defaultCollate: sample ${k} is not a ${fields}-field tuple like sample 0`);
      }
      for (let f = 0; f < fields; f++) columns[f].push(item[f]);
    }
    return columns.map((column) => defaultCollate(column));
  }
  throw new Error(`defaultCollate: cannot collate samples of type ${typeof first}; pass { collate } to the DataLoader`);
}

function stackArrays(items: readonly unknown[]): NDArray {
  const arrays: NDArray[] = [];
  for (const [k, item] of items.entries()) {
    if (!(item instanceof NDArray)) throw new Error(`defaultCollate: sample ${k} is not an NDArray like sample 0`);
    arrays.push(item);
  }
  const { shape, dtype, size } = arrays[0];
  for (const [k, a] of arrays.entries()) {
    if (a.dtype !== dtype || !sameShape(a.shape, shape)) {
      throw new Error(
        `defaultCollate: stack expects each sample to be equal size and dtype, but sample 0 is ` +
          `[${shape.join(', ')}] ${dtype} and sample ${k} is [${a.shape.join(', ')}] ${a.dtype}`,
      );
    }
  }
  const out = allocate(dtype, arrays.length * size);
  for (const [k, a] of arrays.entries()) out.set(a.toTypedArray(), k * size);
  return array(out, { shape: [arrays.length, ...shape], dtype });
}

function stackNumbers(items: readonly unknown[]): NDArray {
  const values: number[] = [];
  for (const [k, item] of items.entries()) {
    if (typeof item !== 'number') throw new Error(`defaultCollate: sample ${k} is not a number like sample 0`);
    values.push(item);
  }
  const integral = values.every((v) => Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1);
  return integral
    ? array(Int32Array.from(values), { shape: [values.length], dtype: 'int32' })
    : array(Float64Array.from(values), { shape: [values.length], dtype: 'float64' });
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
