// Every differentiable op, twice: against PyTorch (fixtures/ops.json: forward values and the
// gradients of a random upstream gradient) and against central differences (gradcheck).
import { readFileSync } from 'node:fs';
import { array, type DType } from '@tsgrad/ndarray';
import { describe, expect, it } from 'vitest';
import { gradcheck, Tensor } from './index.js';
import { opCases } from './op-cases.js';

interface Encoded {
  dtype: DType;
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
  readFileSync(new URL('../fixtures/ops.json', import.meta.url), 'utf8'),
);

function decode(e: Encoded, requiresGrad = false): Tensor {
  const data = e.data.map(Number);
  const values = e.dtype === 'float64' ? Float64Array.from(data) : e.dtype === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
  return new Tensor(array(values, { shape: e.shape, dtype: e.dtype }), { requiresGrad });
}


const ops = opCases('float64');

/**
 * Cases left out of gradcheck: at a kink or a tie central differences straddle two branches,
 * and a round trip through float32 is too coarse for a 1e-6 step.
 */
const noGradcheck = new Set([
  'astype_roundtrip',
  'relu_at_zero',
  'abs_at_zero',
  'maximum_ties',
  'minimum_ties',
  'max_all_ties',
  'min_all_ties',
  'max_dim_ties',
  'amax_dims_ties',
]);

function expectClose(got: Tensor, want: Encoded, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const values = Array.from(got.data.toTypedArray(), Number);
  const expected = want.data.map(Number);
  values.forEach((v, k) => {
    if (Math.abs(v - expected[k]) > 1e-9 + 1e-9 * Math.abs(expected[k])) {
      expect.fail(`${what}[${k}]: got ${v}, PyTorch ${expected[k]}`);
    }
  });
}

describe('every fixture case has an expression here, and every expression a fixture', () => {
  it('matches names', () => {
    expect(Object.keys(ops).sort()).toEqual(fixtures.cases.map((c) => c.name).sort());
  });
});

describe('ops against PyTorch ' + fixtures.torch, () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const fn = ops[c.name];
      const inputs = c.inputs.map((e) => decode(e, e.requiresGrad));
      const out = fn(...inputs);
      expectClose(out, c.out, `${c.name} out`);
      out.backward(decode(c.gradOut));
      c.grads.forEach((g, i) => {
        const got = inputs[i].grad;
        if (g === null) {
          expect(got, `${c.name} input ${i} needs no grad`).toBeNull();
        } else {
          expect(got, `${c.name} grad ${i}`).not.toBeNull();
          if (got !== null) expectClose(got, g, `${c.name} grad ${i}`);
        }
      });
    });
  }
});

describe('ops against central differences (gradcheck, float64)', () => {
  for (const c of fixtures.cases.filter((k) => !noGradcheck.has(k.name))) {
    it(c.name, () => {
      const inputs = c.inputs.map((e) => decode(e, e.requiresGrad));
      expect(gradcheck(ops[c.name], inputs)).toBe(true);
    });
  }
});
