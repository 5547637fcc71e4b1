/**
 * Indexing ops. Reading by index (gather, indexSelect) has a scatter-add as its backward:
 * every element read sends its gradient back to where it was read from, adding up when the
 * same place was read more than once.
 */
import { zeros } from '@tsgrad/ndarray';
import { defineOp } from '../define-op.js';
import { alongDim, normalizeDim } from '../shape.js';

/** out[..i..] = x[..index[..i..]..] along `dim` (inputs: x, index). */
export const gather = defineOp({
  name: 'gather',
  forward: ([x, index], dim: number) => x.gather(dim, index),
  backward: (g, { inputs: [x, index], params: [dim] }) => [zeros(x.shape, g.dtype).scatterAdd(dim, index, g), null],
});

/** Whole slices of x along `dim`, in the order `index` lists them (inputs: x, index). */
export const indexSelect = defineOp({
  name: 'indexSelect',
  forward: ([x, index], dim: number) => x.indexSelect(dim, index),
  backward: (g, { inputs: [x, index], params: [dim] }) => {
    const d = normalizeDim(dim, x.ndim);
    // Each selected slice goes back to its source slice: a scatter with the index broadcast.
    const spread = index.reshape(alongDim(x.ndim, d, index.size)).expand(g.shape).contiguous();
    return [zeros(x.shape, g.dtype).scatterAdd(d, spread, g), null];
  },
});

/** x plus src added at index along `dim` (inputs: x, index, src); src's gradient is gathered. */
export const scatterAdd = defineOp({
  name: 'scatterAdd',
  forward: ([x, index, src], dim: number) => x.scatterAdd(dim, index, src),
  backward: (g, { inputs: [, index], params: [dim], needs }) => [g, null, needs[2] ? g.gather(dim, index) : null],
});
