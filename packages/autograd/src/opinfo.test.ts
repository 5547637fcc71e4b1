// The op sweep (PyTorch's OpInfo idea): every op of the table below on the sample inputs of
// fixtures/opinfo.py (edge values, 0-d and empty shapes, broadcasting, non-contiguous views),
// compared with PyTorch forward and backward; smooth samples also with central differences.
// Rerun the generator with /usr/bin/python3 packages/autograd/fixtures/opinfo.py.
import { readFileSync } from 'node:fs';
import { array, full, stack as stackArrays, type DType, type NDArray } from '@tsgrad/ndarray';
import { describe, expect, it } from 'vitest';
import { cat, gradcheck, stack, Tensor, where } from './index.js';

type Value = number | boolean | 'NaN' | 'Infinity' | '-Infinity';
interface Encoded {
  dtype: DType;
  shape: number[];
  data: Value[];
}
interface Input extends Encoded {
  requiresGrad: boolean;
  /** How the input is laid out in memory: row-major, a transpose's view, or every other row. */
  layout: 'contiguous' | 'transposed' | 'strided';
}
/** The arguments of every op of the table (PyTorch's names where they are snake_case). */
interface Args {
  dim?: number | number[];
  keepdim?: boolean;
  exponent?: number;
  min?: number;
  max?: number;
  correction?: number;
  unbiased?: boolean;
  shape?: number[];
  dims?: number[];
  dim0?: number;
  dim1?: number;
  start_dim?: number;
  end_dim?: number;
  start?: number;
  end?: number;
  step?: number;
}
interface Sample {
  op: string;
  args: Args;
  gradcheck: boolean;
  inputs: Input[];
  out: Encoded;
  gradOut: Encoded;
  grads: (Encoded | null)[];
}
const fixtures: { torch: string; samples: Sample[] } = JSON.parse(
  readFileSync(new URL('../fixtures/opinfo.json', import.meta.url), 'utf8'),
);

function number(v: Value): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
}

function values(e: Encoded): NDArray {
  const data = e.data.map(number);
  const typed = e.dtype === 'float64' ? Float64Array.from(data) : e.dtype === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
  return array(typed, { shape: e.shape, dtype: e.dtype });
}

/** The same values, laid out as `layout` asks (junk NaNs between the rows of a strided one). */
function laidOut(e: Input): NDArray {
  const x = values(e);
  if (e.layout === 'transposed') return x.transpose(-1, -2).contiguous().transpose(-1, -2);
  if (e.layout === 'strided') {
    const junk = full(x.shape, NaN, x.dtype);
    return stackArrays([x, junk], 1).reshape([2 * x.shape[0], ...x.shape.slice(1)]).slice(0, 0, undefined, 2);
  }
  return x;
}

function dimOf(a: Args): number {
  if (typeof a.dim !== 'number') throw new Error(`expected one dim, got ${JSON.stringify(a.dim)}`);
  return a.dim;
}
function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new Error(`argument ${name} missing`);
  return v;
}

type Fn = (xs: Tensor[], a: Args) => Tensor;
/** The same table as OPS in fixtures/opinfo.py. */
const table: Record<string, Fn> = {
  neg: ([x]) => x.neg(),
  exp: ([x]) => x.exp(),
  log: ([x]) => x.log(),
  sqrt: ([x]) => x.sqrt(),
  abs: ([x]) => x.abs(),
  relu: ([x]) => x.relu(),
  tanh: ([x]) => x.tanh(),
  sigmoid: ([x]) => x.sigmoid(),
  sign: ([x]) => x.sign(),
  square: ([x]) => x.square(),
  reciprocal: ([x]) => x.reciprocal(),
  sin: ([x]) => x.sin(),
  cos: ([x]) => x.cos(),
  add: ([a, b]) => a.add(b),
  sub: ([a, b]) => a.sub(b),
  mul: ([a, b]) => a.mul(b),
  div: ([a, b]) => a.div(b),
  pow: ([a, b]) => a.pow(b),
  pow_scalar: ([x], a) => x.pow(need(a.exponent, 'exponent')),
  maximum: ([a, b]) => a.maximum(b),
  minimum: ([a, b]) => a.minimum(b),
  where: ([c, a, b]) => where(c, a, b),
  clamp: ([x], a) => x.clamp(a.min, a.max),
  clamp_tensor: ([x, lo, hi]) => x.clamp(lo, hi),
  sum: ([x], a) => x.sum(a.dim, a.keepdim),
  mean: ([x], a) => x.mean(a.dim, a.keepdim),
  amax: ([x], a) => x.max(a.dim, a.keepdim),
  amin: ([x], a) => x.min(a.dim, a.keepdim),
  max_dim: ([x], a) => x.max(dimOf(a), a.keepdim),
  min_dim: ([x], a) => x.min(dimOf(a), a.keepdim),
  logsumexp: ([x], a) => x.logsumexp(a.dim, a.keepdim),
  var: ([x], a) => x.var(a.dim, { correction: a.correction, unbiased: a.unbiased, keepdim: a.keepdim }),
  std: ([x], a) => x.std(a.dim, { correction: a.correction, unbiased: a.unbiased, keepdim: a.keepdim }),
  softmax: ([x], a) => x.softmax(dimOf(a)),
  log_softmax: ([x], a) => x.logSoftmax(dimOf(a)),
  reshape: ([x], a) => x.reshape(need(a.shape, 'shape')),
  permute: ([x], a) => x.permute(need(a.dims, 'dims')),
  transpose: ([x], a) => x.transpose(need(a.dim0, 'dim0'), need(a.dim1, 'dim1')),
  expand: ([x], a) => x.expand(need(a.shape, 'shape')),
  squeeze: ([x], a) => x.squeeze(a.dim === undefined ? undefined : dimOf(a)),
  unsqueeze: ([x], a) => x.unsqueeze(dimOf(a)),
  flatten: ([x], a) => x.flatten(a.start_dim, a.end_dim),
  slice: ([x], a) => x.slice(dimOf(a), a.start, a.end, a.step),
  matmul: ([a, b]) => a.matmul(b),
  gather: ([x, index], a) => x.gather(dimOf(a), index),
  cat: (xs, a) => cat(xs, a.dim === undefined ? 0 : dimOf(a)),
  stack: (xs, a) => stack(xs, a.dim === undefined ? 0 : dimOf(a)),
};

/**
 * tsgrad's one deliberate difference: sign(NaN) is NaN (NumPy's choice; PyTorch 1.13 gives 0,
 * pytorch/pytorch#41245), and abs's and relu's gradients are built on sign. So at a NaN input
 * these three give NaN where PyTorch has a number; those elements alone are exempt.
 */
const NAN_SIGN_OPS = new Set(['sign', 'abs', 'relu']);
function exemptAt(s: Sample): (k: number) => boolean {
  if (!NAN_SIGN_OPS.has(s.op)) return () => false;
  const x = s.inputs[0].data.map(number);
  return (k) => Number.isNaN(x[k]);
}

/** Same shape; NaN where PyTorch has NaN, the same infinities, finite values within 1e-10 relative. */
function expectClose(got: Tensor, want: Encoded, what: string, exempt: (k: number) => boolean = () => false): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const g = Array.from(got.data.toTypedArray(), Number);
  want.data.map(number).forEach((w, k) => {
    const ok = Number.isNaN(w) ? Number.isNaN(g[k]) : Number.isFinite(w) ? Math.abs(g[k] - w) <= 1e-12 + 1e-10 * Math.abs(w) : g[k] === w;
    if (!ok && !(exempt(k) && Number.isNaN(g[k]))) expect.fail(`${what}[${k}]: got ${g[k]}, PyTorch ${w}`);
  });
}

/** A readable test name: the op, the input shapes and layouts, and the arguments. */
function title(s: Sample, i: number): string {
  const ins = s.inputs.map((x) => `[${x.shape.join(',')}]${x.layout === 'contiguous' ? '' : ` ${x.layout}`}`).join(' ');
  const args = Object.keys(s.args).length > 0 ? ` ${JSON.stringify(s.args)}` : '';
  return `#${i} ${s.op} ${ins}${args}`;
}

const leaves = (s: Sample): Tensor[] => s.inputs.map((e) => new Tensor(laidOut(e), { requiresGrad: e.requiresGrad }));

describe('the sweep table and the fixtures name the same ops', () => {
  it('every op has samples and every sample an op', () => {
    expect(Object.keys(table).sort()).toEqual([...new Set(fixtures.samples.map((s) => s.op))].sort());
  });
  it('views are laid out as asked', () => {
    const views = fixtures.samples.flatMap((s) => leaves(s).filter((_, k) => s.inputs[k].layout !== 'contiguous'));
    expect(views.length).toBeGreaterThan(20);
    for (const v of views) expect(v.isContiguous(), `[${v.shape.join(',')}]`).toBe(false);
  });
});

describe(`ops against PyTorch ${fixtures.torch}, forward and backward`, () => {
  fixtures.samples.forEach((s, i) => {
    it(title(s, i), () => {
      const xs = leaves(s);
      const out = table[s.op](xs, s.args);
      const exempt = exemptAt(s);
      expectClose(out, s.out, 'out', exempt);
      if (!out.requiresGrad) return;
      out.backward(new Tensor(values(s.gradOut)));
      s.grads.forEach((want, k) => {
        const got = xs[k].grad;
        if (want === null) expect(got, `input ${k} needs no gradient`).toBeNull();
        else if (got === null) expect.fail(`input ${k}: no gradient, PyTorch has one`);
        else expectClose(got, want, `grad ${k}`, exempt);
      });
    });
  });
});

describe('ops against central differences (gradcheck, float64)', () => {
  fixtures.samples.forEach((s, i) => {
    if (!s.gradcheck || s.out.shape.includes(0) || s.inputs.every((x) => !x.requiresGrad || x.shape.includes(0))) return;
    it(title(s, i), () => {
      expect(gradcheck((...xs) => table[s.op](xs, s.args), leaves(s))).toBe(true);
    });
  });
});
