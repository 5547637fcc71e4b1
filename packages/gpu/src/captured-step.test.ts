/**
 * The captured step against eager training: the same Table 3 network, the same PyTorch initial
 * weights and batches, Adam lr 1e-3, on gpu:webasm and gpu:cpu. Eager and captured steps launch
 * the same kernels on the same values, so their per-step losses agree to float32 rounding (the
 * only difference: a replay skips autograd's host-side bookkeeping, not any arithmetic).
 */
import { describe, expect, it } from 'vitest';
import { fromNDArray } from '@tsgrad/autograd';
import { cpuBackend, withBackend, type NDArray } from '@tsgrad/ndarray';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential, load } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { GpuBackend } from './gpu-backend.js';
import { compileStep, recordStep } from './captured-step.js';
import { installNodeWebGPU } from './node-webgpu.js';
import { KernelRunner } from './runner.js';

// WebGPU where an adapter answers (Mesa's llvmpipe here, as in webgpu.test.ts); else that test is skipped, saying so.
const webgpu = await installNodeWebGPU({
  backend: process.env.TSGRAD_WEBGPU_BACKEND ?? 'opengles',
  featureLevel: process.env.TSGRAD_WEBGPU_FEATURE_LEVEL ?? 'compatibility',
}).catch((e: unknown) => {
  console.log(`webgpu: no adapter (${String(e)}); the webgpu replay test is skipped`);
  return null;
});

const STEPS = 12;
const BATCH = 4;
const fixture = (name: string): string => new URL(`../../nn/fixtures/${name}`, import.meta.url).pathname;
const init = load(fixture('parity-init.safetensors')).tensors;
const { tensors: data } = load(fixture('parity-expected.safetensors'));
const images = data.x.astype('float32').div(255);

function table3(gpu: GpuBackend): Sequential {
  const model = new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10)).to(gpu);
  model.loadStateDict(init);
  return model;
}

/** Batch `i`: BATCH of the fixture's first 16 images and labels, on the CPU backend (the step moves them). */
const batch = (i: number): [NDArray, NDArray] => {
  const start = (i * BATCH) % 16;
  return [images.narrow(0, start, BATCH), data.y.narrow(0, start, BATCH)];
};

/** Per-step losses of eager training on `gpu`. */
function eager(gpu: GpuBackend): number[] {
  return withBackend(gpu, () => {
    const model = table3(gpu);
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const [x, y] = batch(i);
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(fromNDArray(x.to(gpu))), fromNDArray(y.to(gpu)));
      loss.backward();
      losses.push(loss.item());
      opt.step();
    }
    return losses;
  });
}

/** Per-step losses of the captured step on `gpu` (replayed on `replayOn` if given), and a replay's launches on `gpu`. */
async function captured(gpu: GpuBackend, replayOn?: KernelRunner): Promise<{ losses: number[]; launchesPerReplay: number }> {
  const model = table3(gpu);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const step = compileStep(model, new CrossEntropyLoss(), opt, { replayOn });
  const losses: number[] = [];
  let launchesPerReplay = 0;
  for (let i = 0; i < STEPS; i++) {
    const before = gpu.runner.launches;
    losses.push(await withBackend(gpu, () => step(...batch(i))));
    if (i === STEPS - 1) launchesPerReplay = gpu.runner.launches - before;
  }
  return { losses, launchesPerReplay };
}

describe('compileStep: one recorded step replayed for every batch', () => {
  for (const mode of ['webasm', 'cpu'] as const) {
    it(`gives eager training's per-step losses on gpu:${mode} (${STEPS} Adam steps, batches of ${BATCH})`, async () => {
      const gpu = new GpuBackend(mode);
      const ours = await captured(gpu);
      const theirs = eager(gpu);
      console.log(`gpu:${mode} captured: ${ours.launchesPerReplay} launches a step; losses ${ours.losses.map((l) => l.toFixed(4)).join(' ')}`);
      for (let i = 0; i < STEPS; i++) expect(Math.abs(ours.losses[i] - theirs[i]), `step ${i}: ${ours.losses[i]} vs ${theirs[i]}`).toBeLessThanOrEqual(1e-6 * theirs[i]);
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(ours.losses.slice(-4))).toBeLessThan(mean(ours.losses.slice(0, 4))); // it trains: 3 passes over 16 images
      gpu.destroy();
    }, 300_000);
  }

  it.skipIf(webgpu === null)('replays forward and backward on webgpu with eager webasm\'s per-step losses (float32 tolerance)', async () => {
    const gpu = new GpuBackend('webasm');
    const runner = new KernelRunner('webgpu');
    const ours = await captured(gpu, runner);
    const theirs = eager(gpu);
    const worst = Math.max(...ours.losses.map((l, i) => Math.abs(l - theirs[i]) / theirs[i]));
    console.log(`webgpu replay (${webgpu?.adapter}): ${runner.launches} webgpu launches over ${STEPS - 1} replays; largest relative loss difference from eager webasm ${worst.toExponential(2)}`);
    expect(runner.launches).toBeGreaterThanOrEqual(60 * (STEPS - 1)); // forward and backward ran there
    for (let i = 0; i < STEPS; i++) expect(Math.abs(ours.losses[i] - theirs[i]), `step ${i}: ${ours.losses[i]} vs ${theirs[i]}`).toBeLessThanOrEqual(1e-5 * theirs[i]);
    runner.destroy();
    gpu.destroy();
  }, 300_000);

  it('records every launch of forward and backward, with each buffer argument placed', () => {
    const gpu = new GpuBackend('webasm');
    const model = table3(gpu);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const [x, y] = batch(0).map((a) => a.to(gpu).clone());
    const launchesBefore = gpu.runner.launches;
    const { plan } = withBackend(gpu, () => recordStep(gpu, model, new CrossEntropyLoss(), opt, x, y));
    const kernels = plan.ops.filter((op) => op.kind === 'kernel');
    expect(kernels.length).toBe(gpu.runner.launches - launchesBefore);
    const sources = plan.ops.flatMap((op) => (op.kind === 'kernel' ? op.args : op.parts.map((p) => p.source))).map((s) => s.from);
    expect(new Set(sources)).toEqual(new Set(['number', 'value', 'state', 'input', 'constant']));
    expect(plan.grads.map((g) => g?.source.from)).toEqual(Array(6).fill('value'));
    expect(plan.loss.shape).toEqual([]);
    gpu.destroy();
  });

  it('refuses a model that is not on a gpu backend', () => {
    const model = new Sequential(new Linear(2, 1)).to(cpuBackend);
    expect(() => compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters()))).toThrow(
      "compileStep: the model's parameters are on backend cpu; move the model with .to(gpuBackend)",
    );
  });
});
