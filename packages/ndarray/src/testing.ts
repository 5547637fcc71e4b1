/**
 * The backend conformance suite: every op of the `Backend` contract run on a backend and on the
 * naive CPU reference (`referenceBackend`), with the results compared value by value.
 *
 * The test functions are passed in, so this module needs no test framework at run time:
 *
 * @example
 * // my-backend.test.ts
 * import { describe, it, expect } from 'vitest';
 * import { runConformance } from '@tsgrad/ndarray/testing';
 * runConformance(myBackend, { describe, it, expect });
 */
import { useBackend, UNARY_OPS, BINARY_OPS, type Backend } from './backend.js';
import { array, randint, randn } from './creation.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { referenceBackend } from './cpu/cpu-backend.js';
import { isFloat } from './dtype.js';
import { where } from './elementwise.js';
import { cat, stack } from './join.js';
import type { NDArray } from './ndarray.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { Generator } from './random.js';

/** The few assertions the suite uses (vitest's and jest's `expect` fit; `toBe` compares with `Object.is`, so NaN is NaN). */
export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeLessThanOrEqual(expected: number): void;
}

/** The test functions of the caller's framework. */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => void): void;
  expect(actual: unknown, message?: string): Matchers;
}

/** One conformance case: a computation whose results must agree across backends. */
interface Case {
  name: string;
  run: () => NDArray | NDArray[];
}

/** Runs `f` with `backend` active. */
function on<T>(backend: Backend, f: () => T): T {
  const previous = useBackend(backend);
  try {
    return f();
  } finally {
    useBackend(previous);
  }
}

/** The cases. Inputs are drawn once, from a fixed seed, outside `run`: both backends see the same data. */
function cases(): Case[] {
  const g = new Generator(2024);
  const f32 = (shape: number[]): NDArray => randn(shape, { generator: g });
  const f64 = (shape: number[]): NDArray => randn(shape, { generator: g, dtype: 'float64' });
  const ints = (shape: number[]): NDArray => randint(-5, 6, shape, { generator: g });
  const x = f32([3, 4]);
  const xt = f32([4, 3]).transpose(0, 1); // non-contiguous
  const x64 = f64([3, 4]);
  const pos = x.abs().add(0.1);
  const a = f32([2, 1, 3]);
  const b = f32([4, 3]);
  const i = ints([3, 4]);
  const out: Case[] = [];

  for (const op of UNARY_OPS) {
    const input = op === 'log' || op === 'sqrt' || op === 'reciprocal' ? pos : x;
    out.push({ name: `unary ${op} float32`, run: () => input[op]() });
    out.push({ name: `unary ${op} strided view`, run: () => xt[op]() });
    out.push({ name: `unary ${op} float64`, run: () => x64[op]() });
  }
  out.push({ name: 'unary on int32', run: () => [i.neg(), i.abs(), i.relu(), i.square(), i.sign(), i.exp()] });
  for (const op of BINARY_OPS) {
    const lhs = op === 'pow' ? a.abs() : a;
    out.push({ name: `binary ${op} broadcast`, run: () => lhs[op](b) });
    out.push({ name: `binary ${op} scalar`, run: () => x[op](0.5) });
    out.push({ name: `binary ${op} strided`, run: () => xt[op](x) });
    // integers to negative powers are an error, as in PyTorch
    const rhs = op === 'pow' ? i.abs() : i.add(1);
    out.push({ name: `binary ${op} int32`, run: () => i[op](rhs.transpose(0, 1).contiguous().transpose(0, 1)) });
  }
  const row = f32([1, 4]);
  out.push({ name: 'binary with an expanded (stride 0) operand', run: () => x.mul(row.expand([3, 4])) });
  out.push({ name: 'where', run: () => where(a.gt(0), a, b) });
  out.push({ name: 'copy and cast', run: () => [xt.contiguous(), x.mul(3).astype('int32'), x.astype('bool'), i.astype('float64')] });
  const r = f32([2, 3, 4]);
  const rt = r.permute([2, 0, 1]);
  for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]]) {
    out.push({ name: `sum/max/min over [${axes}]`, run: () => [r.sum(axes), r.max(axes), r.min(axes), rt.sum(axes, true)] });
  }
  const withNaN = x.log(); // NaN where x < 0
  out.push({
    name: 'max/min/argmax propagate NaN',
    run: () => [withNaN.max(), withNaN.min(), withNaN.max(1), withNaN.min(0), withNaN.argmax(1), withNaN.argmin(), withNaN.sum(0)],
  });
  for (const axis of [0, 1, 2]) {
    out.push({
      name: `max/min with indices along ${axis}`,
      run: () => {
        const m = rt.maxWithIndices(axis);
        const n = i.reshape([3, 2, 2]).minWithIndices(axis);
        return [m.values, m.indices, n.values, n.indices];
      },
    });
  }
  const [ma, mb, mat, mbt, mba, mbb] = [f32([5, 7]), f32([7, 3]), f32([7, 5]), f32([3, 7]), f64([2, 1, 4, 3]), f64([5, 3, 2])];
  out.push({ name: 'matmul 2-d', run: () => ma.matmul(mb) });
  out.push({ name: 'matmul transposed operands', run: () => mat.transpose(0, 1).matmul(mbt.transpose(0, 1)) });
  out.push({ name: 'matmul batched broadcast', run: () => mba.matmul(mbb) });
  const index = array([[0, 2, 1, 2], [1, 0, 0, 0]], { dtype: 'int32' });
  out.push({ name: 'gather', run: () => [x.gather(0, index), xt.gather(1, index.slice(1, 0, 3))] });
  const src = f32([2, 4]);
  out.push({ name: 'scatterAdd', run: () => x.scatterAdd(0, index, src) });
  out.push({ name: 'indexSelect', run: () => xt.indexSelect(1, array([3, 0, 3], { dtype: 'int32' })) });
  out.push({ name: 'pad', run: () => [x.pad([1, 2, -1, 1], 0.5), xt.pad([2, 0])] });
  out.push({ name: 'cat and stack', run: () => [cat([x, xt, i], 0), cat([xt, x64], 1), stack([x, xt], 2), cat([x.gt(0), xt.lt(0)])] });

  const cx = f32([2, 4, 7, 6]);
  const cw = f32([6, 2, 3, 2]);
  const copts = { stride: [2, 1] as [number, number], padding: [1, 0] as [number, number], dilation: [1, 2] as [number, number], groups: 2 };
  out.push({
    name: 'conv2d forward and backward',
    run: () => {
      const y = conv2d(cx, cw, copts);
      const gy = y.mul(0.5).add(1);
      return [y, conv2dBackwardInput(gy, cw, cx.shape, copts), conv2dBackwardWeight(gy, cx, cw.shape, copts)];
    },
  });
  const px = f32([2, 3, 7, 7]);
  out.push({
    name: 'maxPool2d forward and backward',
    run: () => {
      const { values, indices } = maxPool2d(px, { kernel: 3, stride: 2, padding: 1, ceilMode: true });
      return [values, indices, maxPool2dBackward(values.add(1), indices, px.shape)];
    },
  });
  out.push({
    name: 'avgPool2d forward and backward',
    run: () => {
      const opts = { kernel: [3, 2] as [number, number], stride: 2, padding: 1, ceilMode: true, countIncludePad: false };
      const y = avgPool2d(px, opts);
      return [y, avgPool2dBackward(y.add(1), px.shape, opts)];
    },
  });
  return out;
}

/**
 * Registers one test per case that checks `backend` against the naive CPU reference kernels:
 * same shapes, same dtypes, and values equal (integers and bools) or within a relative
 * tolerance (1e-5 for float32, 1e-10 for float64).
 *
 * @example
 * import { describe, it, expect } from 'vitest';
 * import { cpuBackend } from '@tsgrad/ndarray';
 * import { runConformance } from '@tsgrad/ndarray/testing';
 * runConformance(cpuBackend, { describe, it, expect });
 */
export function runConformance(backend: Backend, t: TestApi): void {
  t.describe(`backend conformance: ${backend.name}`, () => {
    for (const c of cases()) {
      t.it(c.name, () => {
        const want = on(referenceBackend, c.run);
        const got = on(backend, c.run);
        const ws = Array.isArray(want) ? want : [want];
        const gs = Array.isArray(got) ? got : [got];
        t.expect(gs.length).toBe(ws.length);
        for (let k = 0; k < ws.length; k++) compare(t, `${c.name} [${k}]`, gs[k], ws[k]);
      });
    }
  });
}

function compare(t: TestApi, name: string, got: NDArray, want: NDArray): void {
  t.expect(got.shape, `${name}: shape`).toEqual(want.shape);
  t.expect(got.dtype, `${name}: dtype`).toBe(want.dtype);
  const g = on(referenceBackend, () => got.toTypedArray());
  const w = on(referenceBackend, () => want.toTypedArray());
  const tol = want.dtype === 'float32' ? 1e-5 : want.dtype === 'float64' ? 1e-10 : 0;
  for (let i = 0; i < w.length; i++) {
    if (!isFloat(want.dtype) || !Number.isFinite(w[i])) {
      t.expect(g[i], `${name}: element ${i}`).toBe(w[i]);
    } else {
      const err = Math.abs(g[i] - w[i]) / Math.max(1, Math.abs(w[i]));
      t.expect(err, `${name}: element ${i} is ${g[i]}, expected ${w[i]}`).toBeLessThanOrEqual(tol);
    }
  }
}
