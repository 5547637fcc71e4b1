/**
 * Size arguments as PyTorch takes them: one number for both spatial dims, or an `[h, w]` pair.
 */

/** `[height, width]`. */
export type Pair = [number, number];

/** A size given once for both spatial dims, or per dim. */
export type IntOrPair = number | readonly [number, number];

/**
 * Expands a size to `[h, w]`, checking that both are integers of at least `min`.
 *
 * @example
 * toPair(3, 'kernelSize'); // [3, 3]
 * toPair([2, 1], 'stride', 1); // [2, 1]
 */
export function toPair(value: IntOrPair, name: string, min = 0): Pair {
  const pair: Pair = typeof value === 'number' ? [value, value] : [value[0], value[1]];
  if (typeof value !== 'number' && value.length !== 2) {
    throw new Error(`${name} must be a number or a pair, got [${value.join(', ')}]`);
  }
  for (const v of pair) {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`${name} must be an integer >= ${min} or a pair of them, got ${formatIntOrPair(value)}`);
    }
  }
  return pair;
}

/**
 * A size as PyTorch prints it in a repr: `2` or `(2, 3)`.
 *
 * @example
 * formatIntOrPair([5, 5]); // '(5, 5)'
 */
export function formatIntOrPair(value: IntOrPair): string {
  return typeof value === 'number' ? String(value) : `(${value.join(', ')})`;
}
