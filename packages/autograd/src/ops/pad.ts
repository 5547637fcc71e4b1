/**
 * Padding, with PyTorch's `F.pad` order of widths: last dim first (`[left, right, top, bottom]`).
 * Constant padding is a primitive whose backward crops. The other modes are built from an
 * index gather per padded dim, so their backward is indexSelect's scatter-add: a border element
 * copied into the padding gets the gradients of all its copies.
 */
import { array } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { Tensor } from '../tensor.js';
import { indexSelect } from './index.js';

/** How the border is filled: a value, a mirror image, the edge repeated, or a wrap-around. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Constant padding; negative widths crop. The backward crops (pads negatively) the gradient. */
export const padConstant = defineOp({
  name: 'pad',
  forward: ([x], pads: readonly number[], value: number) => x.pad(pads, value),
  backward: (g, { params: [pads] }) => [g.pad(pads.map((p) => -p))],
});

/**
 * The source position of each output position `-before .. n+after-1` along a dim of size `n`.
 *
 * @example
 * padSource('reflect', 4, 2, 1);   // [2, 1, 0, 1, 2, 3, 2]
 * padSource('replicate', 3, 1, 1); // [0, 0, 1, 2, 2]
 * padSource('circular', 3, 1, 1);  // [2, 0, 1, 2, 0]
 */
export function padSource(mode: Exclude<PadMode, 'constant'>, n: number, before: number, after: number): number[] {
  const source: number[] = [];
  for (let i = -before; i < n + after; i++) {
    if (mode === 'reflect') source.push(i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    else if (mode === 'replicate') source.push(Math.min(Math.max(i, 0), n - 1));
    else source.push(((i % n) + n) % n);
  }
  return source;
}

function checkModePads(mode: PadMode, x: Tensor, pads: readonly number[]): void {
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim) {
    throw new Error(`pad: expected an even number of widths for at most ${x.ndim} dims, got [${pads.join(',')}]`);
  }
  for (let k = 0; k < pads.length; k++) {
    const n = x.shape[x.ndim - 1 - Math.floor(k / 2)];
    const p = pads[k];
    const tooWide = mode === 'reflect' ? p >= n : p > n;
    if (p < 0 || tooWide) {
      const limit = mode === 'reflect' ? `< ${n}` : `<= ${n}`;
      throw new Error(`pad: ${mode} padding widths must be >= 0 and ${limit} (the dim's size), got ${p} for a dim of size ${n}`);
    }
  }
}

/**
 * Pads `x` with `pads` widths (last dim first) in the given mode.
 *
 * @example
 * pad(tensor([[1, 2, 3]]), [1, 1], 'reflect').toArray(); // [[2, 1, 2, 3, 2]]
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (mode === 'constant') return padConstant([x], pads, value);
  checkModePads(mode, x, pads);
  let out = x;
  for (let k = 0; k < pads.length; k += 2) {
    const dim = x.ndim - 1 - k / 2;
    if (pads[k] === 0 && pads[k + 1] === 0) continue;
    const source = padSource(mode, x.shape[dim], pads[k], pads[k + 1]);
    out = indexSelect([out, constantIndex(source)], dim);
  }
  return out;
}

/** A constant int32 index tensor (requires no grad). */
function constantIndex(source: number[]): Tensor {
  return new Tensor(array(Int32Array.from(source), { shape: [source.length] }));
}
