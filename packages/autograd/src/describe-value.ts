/**
 * How an error message names a value that is not what an API expected: its kind and, for
 * the mix-ups that happen most, what to write instead.
 */

/**
 * A short description of `v` for an error message.
 *
 * @example
 * describeValue([1, 2]);      // 'an array (2 elements); wrap it: tensor([...])'
 * describeValue(undefined);   // 'undefined'
 */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array (${v.length} elements); wrap it: tensor([...])`;
  if (typeof v === 'object') {
    const kind = v.constructor?.name ?? 'Object';
    if (kind === 'NDArray') return 'an NDArray; wrap it: fromNDArray(a)';
    return kind === 'Object' ? 'a plain object' : `an object of class ${kind}`;
  }
  return `${typeof v} ${String(v)}`;
}
