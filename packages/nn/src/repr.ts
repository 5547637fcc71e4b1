/**
 * Python-style formatting for module reprs, so that `String(model)` reads like PyTorch's `print(model)`:
 * `True`/`False`, tuples as `(5, 5)`, floats as Python's `repr` (`1e-05`, `0.1`, `1.0`).
 */

/** A value an `extraRepr` prints: a number, a flag, a tuple, a bare word (`same`) or `None`. */
export type ReprValue = number | boolean | string | null | readonly number[];

/**
 * A float as Python's `repr` writes it: shortest round-trip digits, a `.0` on whole numbers,
 * exponent form below 1e-4 or from 1e16 on, with a two-digit exponent.
 *
 * @example
 * pyFloat(1e-5); // '1e-05'
 * pyFloat(0.1); // '0.1'
 * pyFloat(2); // '2.0'
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    // JavaScript writes 1e-5; Python writes 1e-05.
    return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/**
 * A value as Python's `str.format` prints it in a PyTorch `extra_repr`.
 *
 * @example
 * pyValue([5, 5]); // '(5, 5)'
 * pyValue(false); // 'False'
 * pyValue('same'); // 'same'
 */
export function pyValue(v: ReprValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return `(${v.join(', ')})`;
}

/**
 * Indents every line but the first by `spaces`, as PyTorch's `_addindent` does for nested reprs.
 *
 * @example
 * addIndent('A(\n  (0): B()\n)', 2); // 'A(\n    (0): B()\n  )'
 */
export function addIndent(text: string, spaces: number): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const pad = ' '.repeat(spaces);
  return [lines[0], ...lines.slice(1).map((line) => pad + line)].join('\n');
}

/**
 * A shape as PyTorch writes it in error messages: `[6, 4, 3, 3]`.
 *
 * @example
 * torchShape([6, 4, 3, 3]); // '[6, 4, 3, 3]'
 */
export function torchShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * What a value is, for an error message: its class name, or its type.
 *
 * @example
 * describeValue([1, 2]); // 'Array'
 * describeValue(undefined); // 'undefined'
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
