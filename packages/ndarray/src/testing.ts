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
import { UNARY_OPS, BINARY_OPS, type Backend } from './backend.js';
import { array, randint, randn } from './creation.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { referenceBackend } from './cpu/cpu-backend.js';
import { withBackend } from './default-backend.js';
import { isFloat, type DType } from './dtype.js';
import { where } from './elementwise.js';
import { cat, stack } from './join.js';
import type { NDArray } from './ndarray.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { Generator } from './random.js';

export { CountingBackend } from './counting-backend.js';

/** The few assertions the suite uses (vitest's and jest's `expect` fit; `toBe` compares with `Object.is`, so NaN is NaN). */
export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeLessThanOrEqual(expected: number): void;
}

/** The test functions of the caller's framework. */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => void | Promise<void>): void;
  expect(actual: unknown, message?: string): Matchers;
}

/** What the suite may assume of a backend; each option defaults to what `backend.capabilities` says. */
export interface ConformanceOptions {
  /** The dtypes to test (cases needing another dtype are skipped). */
  dtypes?: readonly DType[];
  /** Read results with `await data()` only (a backend without synchronous reads). */
  asyncReads?: boolean;
  /** Allowed error per float dtype: |got - want| <= atol + rtol * |want|. */
  tolerance?: Partial<Record<DType, { atol: number; rtol: number }>>;
}

/** One conformance case: a computation whose results must agree across backends. */
interface Case {
  name: string;
  /** The dtypes the case uses; skipped unless the backend has them all. */
  needs: readonly DType[];
  run: () => NDArray | NDArray[];
}

/**
 * The cases, with inputs on `backend`. Inputs are drawn on the host from a fixed seed and moved
 * to the backend outside `run`, so every backend sees the same data and `run` only computes.
 */
function cases(backend: Backend): Case[] {
  const g = new Generator(2024);
  const on = (a: NDArray): NDArray => a.to(backend);
  const host = <T>(f: () => T): T => withBackend(referenceBackend, f);
  const f32 = (shape: number[]): NDArray => on(host(() => randn(shape, { generator: g })));
  // Drawn whatever the backend stores (the stream stays the same); moved only where float64 lives.
  const f64 = (shape: number[]): NDArray => {
    const a = host(() => randn(shape, { generator: g, dtype: 'float64' }));
    return backend.capabilities.dtypes.includes('float64') ? on(a) : a;
  };
  const ints = (shape: number[]): NDArray => on(host(() => randint(-5, 6, shape, { generator: g })));
  const int32 = (data: number[][] | number[]): NDArray => on(host(() => array(data, { dtype: 'int32' })));
  const x = f32([3, 4]);
  const xt = f32([4, 3]).transpose(0, 1); // non-contiguous
  const x64 = f64([3, 4]);
  const pos = x.abs().add(0.1);
  const a = f32([2, 1, 3]);
  const b = f32([4, 3]);
  const i = ints([3, 4]);
  const out: Case[] = [];
  const F = ['float32'] as const;
  const FI = ['float32', 'int32'] as const;
  const FB = ['float32', 'bool'] as const;
  const ALL = ['float32', 'float64', 'int32', 'bool'] as const;

  for (const op of UNARY_OPS) {
    const input = op === 'log' || op === 'sqrt' || op === 'reciprocal' ? pos : x;
    out.push({ name: `unary ${op} float32`, needs: F, run: () => input[op]() });
    out.push({ name: `unary ${op} strided view`, needs: F, run: () => xt[op]() });
    out.push({ name: `unary ${op} float64`, needs: ['float64'], run: () => x64[op]() });
  }
  out.push({ name: 'unary on int32', needs: FI, run: () => [i.neg(), i.abs(), i.relu(), i.square(), i.sign(), i.exp()] });
  for (const op of BINARY_OPS) {
    const lhs = op === 'pow' ? a.abs() : a;
    out.push({ name: `binary ${op} broadcast`, needs: FB, run: () => lhs[op](b) });
    out.push({ name: `binary ${op} scalar`, needs: FB, run: () => x[op](0.5) });
    out.push({ name: `binary ${op} strided`, needs: FB, run: () => xt[op](x) });
    // integers to negative powers are an error, as in PyTorch
    const rhs = op === 'pow' ? i.abs() : i.add(1);
    out.push({ name: `binary ${op} int32`, needs: ['float32', 'int32', 'bool'], run: () => i[op](rhs.transpose(0, 1).contiguous().transpose(0, 1)) });
  }
  const row = f32([1, 4]);
  out.push({ name: 'binary with an expanded (stride 0) operand', needs: F, run: () => x.mul(row.expand([3, 4])) });
  out.push({ name: 'where', needs: FB, run: () => where(a.gt(0), a, b) });
  out.push({ name: 'copy and cast', needs: ['float32', 'int32', 'bool'], run: () => [xt.contiguous(), x.mul(3).astype('int32'), x.astype('bool'), i.astype('float32')] });
  out.push({ name: 'cast to float64', needs: ALL, run: () => [i.astype('float64'), x.astype('float64')] });
  const r = f32([2, 3, 4]);
  const rt = r.permute([2, 0, 1]);
  for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]]) {
    out.push({ name: `sum/max/min over [${axes}]`, needs: F, run: () => [r.sum(axes), r.max(axes), r.min(axes), rt.sum(axes, true)] });
  }
  const withNaN = x.log(); // NaN where x < 0
  out.push({
    name: 'max/min/argmax propagate NaN',
    needs: FI,
    run: () => [withNaN.max(), withNaN.min(), withNaN.max(1), withNaN.min(0), withNaN.argmax(1), withNaN.argmin(), withNaN.sum(0)],
  });
  for (const axis of [0, 1, 2]) {
    out.push({
      name: `max/min with indices along ${axis}`,
      needs: FI,
      run: () => {
        const m = rt.maxWithIndices(axis);
        const n = i.reshape([3, 2, 2]).minWithIndices(axis);
        return [m.values, m.indices, n.values, n.indices];
      },
    });
  }
  const [ma, mb, mat, mbt, mba, mbb] = [f32([5, 7]), f32([7, 3]), f32([7, 5]), f32([3, 7]), f64([2, 1, 4, 3]), f64([5, 3, 2])];
  out.push({ name: 'matmul 2-d', needs: F, run: () => ma.matmul(mb) });
  out.push({ name: 'matmul transposed operands', needs: F, run: () => mat.transpose(0, 1).matmul(mbt.transpose(0, 1)) });
  out.push({ name: 'matmul batched broadcast float64', needs: ['float64'], run: () => mba.matmul(mbb) });
  const index = int32([[0, 2, 1, 2], [1, 0, 0, 0]]);
  out.push({ name: 'gather', needs: FI, run: () => [x.gather(0, index), xt.gather(1, index.slice(1, 0, 3))] });
  const src = f32([2, 4]);
  out.push({ name: 'scatterAdd', needs: FI, run: () => x.scatterAdd(0, index, src) });
  const sel = int32([3, 0, 3]);
  out.push({ name: 'indexSelect', needs: FI, run: () => xt.indexSelect(1, sel) });
  out.push({ name: 'pad', needs: F, run: () => [x.pad([1, 2, -1, 1], 0.5), xt.pad([2, 0])] });
  out.push({ name: 'cat and stack', needs: ['float32', 'int32', 'bool'], run: () => [cat([x, xt, i], 0), stack([x, xt], 2), cat([x.gt(0), xt.lt(0)])] });
  out.push({ name: 'cat float32 with float64', needs: ['float32', 'float64'], run: () => cat([xt, x64], 1) });

  const cx = f32([2, 4, 7, 6]);
  const cw = f32([6, 2, 3, 2]);
  const copts = { stride: [2, 1] as [number, number], padding: [1, 0] as [number, number], dilation: [1, 2] as [number, number], groups: 2 };
  out.push({
    name: 'conv2d forward and backward',
    needs: F,
    run: () => {
      const y = conv2d(cx, cw, copts);
      const gy = y.mul(0.5).add(1);
      return [y, conv2dBackwardInput(gy, cw, cx.shape, copts), conv2dBackwardWeight(gy, cx, cw.shape, copts)];
    },
  });
  const px = f32([2, 3, 7, 7]);
  out.push({
    name: 'maxPool2d forward and backward',
    needs: FI,
    run: () => {
      const { values, indices } = maxPool2d(px, { kernel: 3, stride: 2, padding: 1, ceilMode: true });
      return [values, indices, maxPool2dBackward(values.add(1), indices, px.shape)];
    },
  });
  out.push({
    name: 'avgPool2d forward and backward',
    needs: F,
    run: () => {
      const opts = { kernel: [3, 2] as [number, number], stride: 2, padding: 1, ceilMode: true, countIncludePad: false };
      const y = avgPool2d(px, opts);
      return [y, avgPool2dBackward(y.add(1), px.shape, opts)];
    },
  });
  return out;
}

/**
 * Registers one test per case that checks `backend` against the naive CPU reference kernels
 * (`referenceBackend`, the oracle): same shapes, same dtypes, and values equal (integers and
 * bools) or within the tolerance of the dtype. Cases needing a dtype the backend lacks are skipped.
 *
 * @example
 * import { describe, it, expect } from 'vitest';
 * import { cpuBackend } from '@tsgrad/ndarray';
 * import { runConformance } from '@tsgrad/ndarray/testing';
 * runConformance(cpuBackend, { describe, it, expect });
 */
export function runConformance(backend: Backend, t: TestApi, opts: ConformanceOptions = {}): void {
  const dtypes = opts.dtypes ?? backend.capabilities.dtypes;
  const asyncReads = opts.asyncReads ?? !backend.capabilities.syncRead;
  const tolerance = { ...DEFAULT_TOLERANCE, ...backend.capabilities.tolerance, ...opts.tolerance };
  t.describe(`backend conformance: ${backend.name}`, () => {
    const wanted = cases(referenceBackend);
    const mine = cases(backend);
    for (let k = 0; k < wanted.length; k++) {
      const c = mine[k];
      if (!c.needs.every((d) => dtypes.includes(d))) continue;
      t.it(c.name, async () => {
        const want = wanted[k].run();
        const got = c.run();
        const ws = Array.isArray(want) ? want : [want];
        const gs = Array.isArray(got) ? got : [got];
        t.expect(gs.length).toBe(ws.length);
        for (let j = 0; j < ws.length; j++) {
          t.expect(gs[j].backend.name, `${c.name} [${j}]: backend`).toBe(backend.name);
          const values = asyncReads ? await gs[j].data() : gs[j].toTypedArray();
          compare(t, `${c.name} [${j}]`, gs[j], values, ws[j], tolerance);
        }
      });
    }
  });
}

const DEFAULT_TOLERANCE: Partial<Record<DType, { atol: number; rtol: number }>> = {
  float32: { atol: 1e-5, rtol: 1e-5 },
  float64: { atol: 1e-10, rtol: 1e-10 },
};

function compare(
  t: TestApi, name: string, got: NDArray, g: ArrayLike<number>, want: NDArray,
  tolerance: Partial<Record<DType, { atol: number; rtol: number }>>,
): void {
  t.expect(got.shape, `${name}: shape`).toEqual(want.shape);
  t.expect(got.dtype, `${name}: dtype`).toBe(want.dtype);
  const w = want.toTypedArray();
  const tol = tolerance[want.dtype] ?? { atol: 0, rtol: 0 };
  t.expect(g.length, `${name}: length`).toBe(w.length);
  for (let i = 0; i < w.length; i++) {
    if (!isFloat(want.dtype) || !Number.isFinite(w[i])) {
      t.expect(g[i], `${name}: element ${i}`).toBe(w[i]);
    } else {
      const excess = Math.abs(g[i] - w[i]) - (tol.atol + tol.rtol * Math.abs(w[i]));
      t.expect(Math.max(0, excess), `${name}: element ${i} is ${g[i]}, expected ${w[i]}`).toBeLessThanOrEqual(0);
    }
  }
}
