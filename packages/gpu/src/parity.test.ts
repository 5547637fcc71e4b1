/**
 * The Table 3 PyTorch parity test (packages/nn/src/parity.test.ts) on the gpu.js backend: the study's
 * network with PyTorch's initial weights, one batch of 64 MNIST images, 3 Adam steps, compared with
 * torch 1.13's float32 loss, gradients and parameters (fixtures: packages/nn/fixtures/make_parity.py)
 * at the nn test's float32 tolerances. webgpu runs where an adapter answers (llvmpipe in CI); every
 * mode reads with `await data()`, the only read webgpu has.
 */
import { describe, expect, it } from 'vitest';
import { fromNDArray } from '@tsgrad/autograd';
import { useBackend, type NDArray } from '@tsgrad/ndarray';
import { CrossEntropyLoss, load } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { createGpuBackend } from './gpu-backend.js';
import { testWebGPU } from './test-webgpu.js';
import type { GpuMode } from './runner.js';
import { table3Net } from './table3-net.js';

const fixture = (name: string): string => new URL(`../../nn/fixtures/${name}`, import.meta.url).pathname;
const init = load(fixture('parity-init.safetensors')).tensors;
const { tensors: expected, metadata } = load(fixture('parity-expected.safetensors'));
const webgpu = await testWebGPU('the Table 3 parity test on gpu:webgpu');
const modes: GpuMode[] = webgpu === null ? ['webasm', 'cpu'] : ['webasm', 'cpu', 'webgpu'];

/** ||a - b|| / ||b||, in float64. */
async function relativeL2Error(a: NDArray, b: NDArray): Promise<number> {
  const [x, y] = [await a.data(), b.toTypedArray()];
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** max |a - b| / max |b|. */
async function scaledMaxError(a: NDArray, b: NDArray): Promise<number> {
  const [x, y] = [await a.data(), b.toTypedArray()];
  let err = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    err = Math.max(err, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return err / scale;
}

for (const mode of modes) {
  describe(`parity with PyTorch on gpu:${mode}: Table 3 network, 64 MNIST images, 3 Adam steps`, () => {
    it('loss 1e-5, gradients 1e-4 and parameters 1e-5 (relative L2), every element 1e-4 of its tensor\'s max', async () => {
      const backend = createGpuBackend(mode);
      const previous = useBackend(backend);
      try {
        const model = table3Net().to(backend);
        expect(model.loadStateDict(init)).toEqual({ missingKeys: [], unexpectedKeys: [] });
        const x = fromNDArray(expected.x.astype('float32').div(255).to(backend));
        const y = fromNDArray(expected.y.to(backend));
        const lossFn = new CrossEntropyLoss();
        const opt = new Adam(model.parameters(), { lr: 1e-3 });
        const losses: number[] = [];
        const grads: Record<string, NDArray> = {};
        for (let step = 0; step < 3; step++) {
          const loss = lossFn.forward(model.forward(x), y);
          opt.zeroGrad();
          loss.backward();
          losses.push((await loss.data.data())[0]);
          if (step === 0) for (const [name, p] of model.namedParameters()) grads[name] = p.grad!.data;
          opt.step();
        }
        const report: Record<string, string> = {};
        const reference: number[] = JSON.parse(metadata.losses);
        const lossErrors = losses.map((l, i) => Math.abs(l - reference[i]) / Math.abs(reference[i]));
        report.loss = lossErrors.map((e) => e.toExponential(2)).join(' ');
        for (const e of lossErrors) expect(e).toBeLessThanOrEqual(1e-5);
        for (const [name, g] of Object.entries(grads)) {
          const ref = expected[`grad.${name}`];
          const [l2, worst] = [await relativeL2Error(g, ref), await scaledMaxError(g, ref)];
          report[`grad ${name}`] = `L2 ${l2.toExponential(2)}, worst/max ${worst.toExponential(2)}`;
          expect(l2, `grad ${name}`).toBeLessThanOrEqual(1e-4);
          expect(worst, `grad ${name}`).toBeLessThanOrEqual(1e-4);
        }
        for (const [name, p] of Object.entries(model.stateDict())) {
          const ref = expected[`final.${name}`];
          const [l2, worst] = [await relativeL2Error(p, ref), await scaledMaxError(p, ref)];
          report[`param ${name}`] = `L2 ${l2.toExponential(2)}, worst/max ${worst.toExponential(2)}`;
          expect(l2, `param ${name}`).toBeLessThanOrEqual(1e-5);
          expect(worst, `param ${name}`).toBeLessThanOrEqual(1e-4);
        }
        console.log(`parity gpu:${mode} (relative errors):`, JSON.stringify(report, null, 1), backend.describe(), backend.kernelTimings());
      } finally {
        useBackend(previous);
        backend.destroy();
      }
    });
  });
}
