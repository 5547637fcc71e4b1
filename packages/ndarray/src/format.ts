/**
 * PyTorch-style printing: `tensor([[1., 2.],\n        [3., 4.]])`.
 *
 * Follows `torch/_tensor_str.py` (precision 4, line width 80, arrays of more than 1000 elements
 * summarised to 3 items at each edge): one width for every element; floats print as `1.` when
 * all are integers, with 4 decimals otherwise, and in scientific notation when the magnitudes
 * span more than 1000x or leave `[1e-4, 1e8]`.
 */
import { isFloat, type Shape, type TypedArray } from './dtype.js';
import { stridesFor } from './shape.js';
import type { NDArray } from './ndarray.js';

const PRECISION = 4;
const LINE_WIDTH = 80;
const EDGE_ITEMS = 3;
const THRESHOLD = 1000;

/** Python's `'{:.4e}'.format(v)`: at least two exponent digits. */
function toSci(v: number): string {
  return v.toExponential(PRECISION).replace(/e([+-])(\d)$/, 'e$10$2');
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** Decides how to print every element of an array from (a summary of) its values. */
function makeFormatter(dtype: NDArray['dtype'], values: readonly number[]): { width: number; format: (v: number) => string } {
  if (dtype === 'bool') {
    const width = values.some((v) => v === 0) ? 5 : 4;
    return { width, format: (v) => (v !== 0 ? 'True' : 'False').padStart(width) };
  }
  if (!isFloat(dtype)) {
    let width = 1;
    for (const v of values) width = Math.max(width, String(v).length);
    return { width, format: (v) => String(v).padStart(width) };
  }
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
  let width = 1;
  let intMode = true;
  let sciMode = false;
  if (finite.length > 0) {
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    intMode = finite.every((v) => v === Math.ceil(v));
    if (intMode) {
      sciMode = max / min > 1000 || max > 1e8;
      for (const v of finite) width = Math.max(width, sciMode ? toSci(v).length : v.toFixed(0).length + 1);
    } else {
      sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
      for (const v of finite) width = Math.max(width, sciMode ? toSci(v).length : v.toFixed(PRECISION).length);
    }
  }
  const format = (v: number): string => {
    let s: string;
    if (!Number.isFinite(v)) s = nonFinite(v);
    else if (sciMode) s = toSci(v);
    else if (intMode) s = `${v.toFixed(0)}.`;
    else s = v.toFixed(PRECISION);
    // JavaScript drops the sign of -0 when formatting; Python, and so PyTorch, keeps it.
    if (Object.is(v, -0)) s = `-${s}`;
    return s.padStart(width);
  };
  return { width, format };
}

/** The indices printed along a dim of size `n`: all, or the edges around a gap (-1). */
function shownIndices(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

/** The values that will be printed (after summarising), in order. */
function shownValues(v: TypedArray, shape: Shape, strides: Shape, summarize: boolean): number[] {
  const out: number[] = [];
  const walk = (dim: number, o: number): void => {
    if (dim === shape.length) {
      out.push(v[o]);
      return;
    }
    for (const i of shownIndices(shape[dim], summarize)) if (i >= 0) walk(dim + 1, o + i * strides[dim]);
  };
  walk(0, 0);
  return out;
}

/**
 * PyTorch's text for an array.
 *
 * @example
 * formatArray(array([[1, 2], [3, 4]])); // 'tensor([[1., 2.],\n        [3., 4.]])'
 */
export function formatArray(x: NDArray): string {
  const suffix = x.dtype === 'float32' || x.dtype === 'bool' ? '' : `, dtype=${x.dtype}`;
  if (x.size === 0) {
    const size = x.ndim === 1 ? '' : `, size=(${x.shape.join(', ')})`;
    return `tensor([]${size}${suffix})`;
  }
  const summarize = x.size > THRESHOLD;
  // One read of the whole array, then formatting from the contiguous copy.
  const v = x.toTypedArray();
  const strides = stridesFor(x.shape);
  const { width, format } = makeFormatter(x.dtype, shownValues(v, x.shape, strides, summarize));
  const str = (dim: number, o: number, indent: number): string => {
    if (dim === x.ndim) return format(v[o]);
    const shown = shownIndices(x.shape[dim], summarize);
    if (dim === x.ndim - 1) {
      const items = shown.map((i) => (i < 0 ? ' ...' : format(v[o + i * strides[dim]])));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const slices = shown.map((i) => (i < 0 ? '...' : str(dim + 1, o + i * strides[dim], indent + 1)));
    const rest = x.ndim - dim;
    return `[${slices.join(`,${'\n'.repeat(rest - 1)}${' '.repeat(indent + 1)}`)}]`;
  };
  return `tensor(${str(0, 0, 'tensor('.length)}${suffix})`;
}
