/**
 * Every differentiable op of autograd on the gpu.js backend, in float32, against PyTorch's float64
 * values and gradients (packages/autograd/fixtures/ops.json, from make_fixtures.py): the forward
 * and backward kernels of the gpu backend, through autograd, with nothing in autograd changed.
 *
 * webgpu runs where an adapter answers (llvmpipe in CI), reading with `await data()` as every mode here does.
 *
 * float64 central-difference gradient checks need float64 arithmetic, which this backend refuses;
 * they run on the CPU backend (packages/autograd/src/ops.test.ts) against these same fixtures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { array, useBackend } from '@tsgrad/ndarray';
import { Tensor } from '@tsgrad/autograd';
import { opCases } from '../../autograd/src/op-cases.js';
import { createGpuBackend } from './gpu-backend.js';
import { testWebGPU } from './test-webgpu.js';
import type { GpuMode } from './runner.js';

const webgpu = await testWebGPU('the autograd tests on gpu:webgpu');
const modes: GpuMode[] = webgpu === null ? ['webasm', 'cpu'] : ['webasm', 'cpu', 'webgpu'];

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


// The same expressions as the CPU's ops.test.ts, in float32.
const ops = opCases('float32');

// A float32 -> float64 round trip: float64 is what this backend refuses.
const float64Only = new Set(['astype_roundtrip']);

/** float32 tolerance: inputs rounded to float32 (6e-8 relative) move results by a few ulps of the largest term. */
async function expectClose(got: Tensor, want: Encoded, what: string): Promise<void> {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const values = Array.from(await got.data.data(), Number);
  const expected = want.data.map(Number);
  const scale = Math.max(1, ...expected.map(Math.abs));
  values.forEach((v, k) => {
    if (!(Math.abs(v - expected[k]) <= 1e-5 * scale + 1e-4 * Math.abs(expected[k]))) {
      expect.fail(`${what}[${k}]: got ${v}, PyTorch ${expected[k]}`);
    }
  });
}

for (const mode of modes) {
  describe(`autograd ops on gpu:${mode} (float32) against PyTorch ${fixtures.torch}`, () => {
    const gpu = createGpuBackend(mode);
    it('has an expression for every fixture case', () => {
      expect(Object.keys(ops).sort()).toEqual(fixtures.cases.map((c) => c.name).sort());
    });
    for (const c of fixtures.cases) {
      if (float64Only.has(c.name)) continue;
      it(c.name, async () => {
        const previous = useBackend(gpu);
        try {
          const inputs = c.inputs.map((e) => decode(e, e.requiresGrad));
          const out = ops[c.name](...inputs);
          await expectClose(out, c.out, `${c.name} out`);
          out.backward(decode(c.gradOut));
          for (const [i, g] of c.grads.entries()) {
            const got = inputs[i].grad;
            if (g === null) expect(got, `${c.name} input ${i} needs no grad`).toBeNull();
            else if (got === null) expect.fail(`${c.name} grad ${i} is missing`);
            else await expectClose(got, g, `${c.name} grad ${i}`);
          }
        } finally {
          useBackend(previous);
        }
      });
    }
  });
}
