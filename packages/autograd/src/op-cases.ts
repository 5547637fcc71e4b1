/**
 * The expressions of the autograd op fixtures (`fixtures/make_fixtures.py` → `ops.json`), case by
 * case: one table for every test that replays the fixtures, on the CPU backend in float64
 * (`ops.test.ts`) and on other backends in float32 (`@tsgrad/gpu`'s `autograd.test.ts`).
 * Test support only: not exported from the package and not shipped.
 */
import { array } from '@tsgrad/ndarray';
import { avgPool2d, conv2d, maxPool2d, pad, Tensor, where } from './index.js';

/** One case's expression: the fixture's inputs in, the output out. */
export type OpFn = (...xs: Tensor[]) => Tensor;

/** Every case's expression; constants are made in `float` on the active backend when a case runs. */
export function opCases(float: 'float32' | 'float64'): Record<string, OpFn> {
  const arange12 = (): Tensor =>
    new Tensor(array(Array.from({ length: 12 }, (_, i) => i), { shape: [12], dtype: float }));
  return {
    neg: (x) => x.neg(),
    exp: (x) => x.exp(),
    log: (x) => x.log(),
    sqrt: (x) => x.sqrt(),
    abs: (x) => x.abs(),
    relu: (x) => x.relu(),
    tanh: (x) => x.tanh(),
    sigmoid: (x) => x.sigmoid(),
    sign: (x) => x.sign(),
    square: (x) => x.square(),
    reciprocal: (x) => x.reciprocal(),
    relu_at_zero: (x) => x.relu(),
    abs_at_zero: (x) => x.abs(),
    add: (a, b) => a.add(b),
    sub: (a, b) => a.sub(b),
    mul: (a, b) => a.mul(b),
    div: (a, b) => a.div(b),
    pow: (a, b) => a.pow(b),
    maximum: (a, b) => a.maximum(b),
    minimum: (a, b) => a.minimum(b),
    maximum_ties: (a, b) => a.maximum(b),
    minimum_ties: (a, b) => a.minimum(b),
    add_scalar: (x) => x.add(2.5),
    sub_scalar: (x) => x.sub(2.5),
    mul_scalar: (x) => x.mul(-3),
    div_scalar: (x) => x.div(4),
    pow_scalar: (x) => x.pow(3),
    pow_half: (x) => x.pow(0.5),
    where: (c, a, b) => where(c, a, b),
    sum_all: (x) => x.sum(),
    sum_dim: (x) => x.sum(1),
    sum_dims_keepdim: (x) => x.sum([0, 2], true),
    mean_all: (x) => x.mean(),
    mean_dim: (x) => x.mean(-1),
    max_all: (x) => x.max(),
    max_all_ties: (x) => x.max(),
    min_all_ties: (x) => x.min(),
    max_dim: (x) => x.max(1),
    max_dim_keepdim: (x) => x.max(0, true),
    max_dim_ties: (x) => x.max(1),
    min_dim: (x) => x.min(-1),
    amax_dims_ties: (x) => x.max([0, 1]),
    min_all: (x) => x.min(),
    amax_dims: (x) => x.max([0, 2]),
    amin_dims_keepdim: (x) => x.min([1, 2], true),
    logsumexp: (x) => x.logsumexp(1),
    logsumexp_keepdim: (x) => x.logsumexp(0, true),
    softmax: (x) => x.softmax(1),
    softmax_dim0: (x) => x.softmax(0),
    log_softmax: (x) => x.logSoftmax(1),
    log_softmax_dim0: (x) => x.logSoftmax(0),
    reshape: (x) => x.reshape([3, 4]),
    view: (x) => x.view([4, -1]),
    permute: (x) => x.permute([2, 0, 1]),
    transpose: (x) => x.transpose(0, 2),
    expand: (x) => x.expand([2, 3, 4]),
    squeeze: (x) => x.squeeze(1),
    unsqueeze: (x) => x.unsqueeze(-1),
    flatten: (x) => x.flatten(1),
    narrow: (x) => x.narrow(1, 1, 3),
    slice_step: (x) => x.slice(0, 1, 6, 2),
    slice_negative: (x) => x.slice(1, -4, -1),
    squeeze_all: (x) => x.squeeze(),
    contiguous: (x) => x.transpose(0, 1).contiguous().mul(arange12().reshape([4, 3])),
    clone: (x) => x.clone().mul(x),
    astype_roundtrip: (x) => x.astype('float32').astype('float64').mul(2),
    transpose_then_reshape: (x) => x.transpose(0, 1).reshape([-1]).mul(arange12()),
    matmul_2d: (a, b) => a.matmul(b),
    matmul_1d_2d: (a, b) => a.matmul(b),
    matmul_2d_1d: (a, b) => a.matmul(b),
    matmul_1d_1d: (a, b) => a.matmul(b),
    matmul_batched: (a, b) => a.matmul(b),
    matmul_broadcast: (a, b) => a.matmul(b),
    matmul_batched_1d: (a, b) => a.matmul(b),
    gather: (x, i) => x.gather(1, i),
    index_select: (x, i) => x.indexSelect(0, i),
    scatter_add: (x, i, s) => x.scatterAdd(1, i, s),
    pad_constant: (x) => pad(x, [1, 2, 0, 1], 'constant', 0.5),
    pad_crop: (x) => pad(x, [-1, 2]),
    pad_reflect: (x) => pad(x, [2, 1, 3, 1], 'reflect'),
    pad_replicate: (x) => pad(x, [2, 2, 1, 3], 'replicate'),
    pad_circular: (x) => pad(x, [1, 3, 2, 1], 'circular'),
    conv2d: (x, w) => conv2d(x, w),
    conv2d_stride_padding: (x, w) => conv2d(x, w, { stride: [2, 1], padding: [1, 2] }),
    conv2d_dilation: (x, w) => conv2d(x, w, { dilation: 2, padding: 1 }),
    conv2d_groups: (x, w) => conv2d(x, w, { groups: 2, padding: 1 }),
    max_pool2d: (x) => maxPool2d(x, { kernel: 2 }),
    max_pool2d_overlap: (x) => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }),
    max_pool2d_ceil_dilation: (x) => maxPool2d(x, { kernel: 2, stride: 2, dilation: 2, ceilMode: true }),
    avg_pool2d: (x) => avgPool2d(x, { kernel: 2 }),
    avg_pool2d_padding: (x) => avgPool2d(x, { kernel: 3, stride: 2, padding: 1 }),
    avg_pool2d_exclude_pad_ceil: (x) =>
      avgPool2d(x, { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    avg_pool2d_divisor: (x) => avgPool2d(x, { kernel: 2, divisorOverride: 3 }),
    reuse: (x) => x.mul(x).add(x),
    diamond: (x) => {
      const h = x.exp();
      return h.tanh().mul(h.sigmoid());
    },
    mlp: (x, w1, b1, w2, y) => {
      const logits = x.matmul(w1).add(b1).relu().matmul(w2);
      return logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
    },
  };
}
