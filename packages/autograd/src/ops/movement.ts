/**
 * Ops that move or reinterpret elements without arithmetic: views, copies and casts. Their
 * backward moves the gradient the opposite way (a reshape back, the inverse permutation, the
 * sliced gradient placed back among zeros). `expand` needs nothing: the engine sums the
 * gradient back to the input's shape.
 */
import { arange, zeros, type DType, type NDArray, type Shape } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { alongDim, normalizeDim } from '../shape.js';

/** Backward of every op that only changes the shape: reshape the gradient back. */
const reshapeBack = (g: NDArray, { inputs: [x] }: { inputs: readonly NDArray[] }): NDArray[] => [g.reshape(x.shape)];

/** A view with a new shape (`-1` allowed); never copies. */
export const view = defineOp({
  name: 'view',
  forward: ([x], shape: Shape) => x.view(shape),
  backward: reshapeBack,
});

/** A new shape (`-1` allowed); a view when the strides allow, else a copy. */
export const reshape = defineOp({
  name: 'reshape',
  forward: ([x], shape: Shape) => x.reshape(shape),
  backward: reshapeBack,
});

/** Removes size-1 dims (all of them, or just `dim`). */
export const squeeze = defineOp({
  name: 'squeeze',
  forward: ([x], dim: number | undefined) => x.squeeze(dim),
  backward: reshapeBack,
});

/** Inserts a size-1 dim at `dim`. */
export const unsqueeze = defineOp({
  name: 'unsqueeze',
  forward: ([x], dim: number) => x.unsqueeze(dim),
  backward: reshapeBack,
});

/** Merges dims `startDim..endDim` into one. */
export const flatten = defineOp({
  name: 'flatten',
  forward: ([x], startDim: number, endDim: number) => x.flatten(startDim, endDim),
  backward: reshapeBack,
});

/** Reorders the dims; the backward applies the inverse permutation. */
export const permute = defineOp({
  name: 'permute',
  forward: ([x], dims: readonly number[]) => x.permute(dims),
  backward: (g, { inputs: [x], params: [dims] }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[normalizeDim(d, x.ndim)] = i));
    return [g.permute(inverse)];
  },
});

/** Swaps two dims; a transpose is its own inverse. */
export const transpose = defineOp({
  name: 'transpose',
  forward: ([x], d0: number, d1: number) => x.transpose(d0, d1),
  backward: (g, { params: [d0, d1] }) => [g.transpose(d0, d1)],
});

/** Broadcasts size-1 dims to `shape` (stride 0, no copy); the engine sums the gradient back. */
export const expand = defineOp({
  name: 'expand',
  forward: ([x], shape: Shape) => x.expand(shape),
  backward: (g) => [g],
});

/** Where `start` (negative from the end, clamped) lands in a dim of size `n`. */
function clampIndex(i: number, n: number): number {
  return Math.min(Math.max(i < 0 ? i + n : i, 0), n);
}

/**
 * Elements `start, start+step, ...` below `end` along `dim` (a view). The backward puts the
 * gradient back among zeros: by padding when `step` is 1, by a scatter otherwise.
 */
export const slice = defineOp({
  name: 'slice',
  forward: ([x], dim: number, start: number | undefined, end: number | undefined, step: number) =>
    x.slice(dim, start, end, step),
  backward: (g, { inputs: [x], params: [dim, start, , step] }) => {
    const d = normalizeDim(dim, x.ndim);
    const n = x.shape[d];
    const first = clampIndex(start ?? 0, n);
    const length = g.shape[d];
    if (step === 1) {
      const pads = new Array<number>(2 * (x.ndim - d)).fill(0);
      pads[pads.length - 2] = first; // F.pad order: last dim first, so `d` is the last pair
      pads[pads.length - 1] = n - first - length;
      return [g.pad(pads)];
    }
    const positions = arange(first, first + length * step, step, 'int32').reshape(alongDim(x.ndim, d, length));
    return [zeros(x.shape, g.dtype).scatterAdd(d, positions.expand(g.shape).contiguous(), g)];
  },
});

/** A contiguous copy when needed (the same values, so the gradient passes through). */
export const contiguous = defineOp({
  name: 'contiguous',
  forward: ([x]) => x.contiguous(),
  backward: (g) => [g],
});

/** A copy (the gradient passes through). */
export const clone = defineOp({
  name: 'clone',
  forward: ([x]) => x.clone(),
  backward: (g) => [g],
});

/** A cast to `dtype`; the engine casts the gradient back to the input's dtype. */
export const astype = defineOp({
  name: 'astype',
  forward: ([x], dtype: DType) => x.astype(dtype),
  backward: (g) => [g],
});
