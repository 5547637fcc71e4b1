/**
 * Every differentiable op of autograd on the gpu.js backend, in float32, against PyTorch's float64
 * values and gradients (packages/autograd/fixtures/ops.json, from make_fixtures.py): the forward
 * and backward kernels of the gpu backend, through autograd, with nothing in autograd changed.
 *
 * float64 central-difference gradient checks need float64 arithmetic, which this backend refuses;
 * they run on the CPU backend (packages/autograd/src/ops.test.ts) against these same fixtures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { array, useBackend } from '@tsgrad/ndarray';
import { avgPool2d, conv2d, maxPool2d, pad, Tensor, where } from '@tsgrad/autograd';
import { createGpuBackend } from './gpu-backend.js';

interface Encoded {
  dtype: 'float64' | 'int32' | 'bool';
  shape: number[];
  data: (number | boolean)[];
}
interface Case {
  name: string;
  inputs: (Encoded & { requiresGrad: boolean })[];
  out: Encoded;
  gradOut: Encoded;
  grads: (Encoded | null)[];
}
const fixtures: { torch: string; cases: Case[] } = JSON.parse(
  readFileSync(new URL('../../autograd/fixtures/ops.json', import.meta.url), 'utf8'),
);

/** A fixture array as a tensor, its float64 values rounded to float32. */
function decode(e: Encoded, requiresGrad = false): Tensor {
  const data = e.data.map(Number);
  const values = e.dtype === 'float64' ? Float32Array.from(data) : e.dtype === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
  return new Tensor(array(values, { shape: e.shape, dtype: e.dtype === 'float64' ? 'float32' : e.dtype }), { requiresGrad });
}

type Fn = (...xs: Tensor[]) => Tensor;
// made when called, on the active backend
const arange12 = (): Tensor => new Tensor(array(Float32Array.from({ length: 12 }, (_, i) => i), { shape: [12] }));

/** The same expressions as make_fixtures.py and packages/autograd/src/ops.test.ts, case by case. */
const ops: Record<string, Fn> = {
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

// A float32 -> float64 round trip: float64 is what this backend refuses.
const float64Only = new Set(['astype_roundtrip']);

/** float32 tolerance: inputs rounded to float32 (6e-8 relative) move results by a few ulps of the largest term. */
function expectClose(got: Tensor, want: Encoded, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const values = Array.from(got.data.toTypedArray(), Number);
  const expected = want.data.map(Number);
  const scale = Math.max(1, ...expected.map(Math.abs));
  values.forEach((v, k) => {
    if (!(Math.abs(v - expected[k]) <= 1e-5 * scale + 1e-4 * Math.abs(expected[k]))) {
      expect.fail(`${what}[${k}]: got ${v}, PyTorch ${expected[k]}`);
    }
  });
}

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`autograd ops on gpu:${mode} (float32) against PyTorch ${fixtures.torch}`, () => {
    const gpu = createGpuBackend(mode);
    it('has an expression for every fixture case', () => {
      expect(Object.keys(ops).sort()).toEqual(fixtures.cases.map((c) => c.name).sort());
    });
    for (const c of fixtures.cases) {
      if (float64Only.has(c.name)) continue;
      it(c.name, () => {
        const previous = useBackend(gpu);
        try {
          const inputs = c.inputs.map((e) => decode(e, e.requiresGrad));
          const out = ops[c.name](...inputs);
          expectClose(out, c.out, `${c.name} out`);
          out.backward(decode(c.gradOut));
          c.grads.forEach((g, i) => {
            const got = inputs[i].grad;
            if (g === null) expect(got, `${c.name} input ${i} needs no grad`).toBeNull();
            else if (got === null) expect.fail(`${c.name} grad ${i} is missing`);
            else expectClose(got, g, `${c.name} grad ${i}`);
          });
        } finally {
          useBackend(previous);
        }
      });
    }
  });
}
