/**
 * Training on the gpu.js backend follows the CPU backend: the study's Table 3 network (PyTorch's
 * initial weights), Adam lr 1e-3, STEPS steps over mini-batches of 4 of the parity fixture's 64
 * MNIST images, once per backend; the two loss trajectories must agree step by step.
 *
 * Batches of 8, not the study's 64: gpu.js's webasm kernels run about 10 ns per multiply-add on
 * one core here (measured by the per-kernel timings `describe()` reports), so a 64-image step
 * takes seconds; 4 images keep the 300 steps to about a minute.
 */
import { describe, expect, it } from 'vitest';
import { fromNDArray } from '@tsgrad/autograd';
import { cpuBackend, useBackend, type Backend } from '@tsgrad/ndarray';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential, load } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { createGpuBackend } from './gpu-backend.js';

const STEPS = Number(process.env.TSGRAD_GPU_TRAIN_STEPS ?? 300);
const BATCH = 4;
const fixture = (name: string): string => new URL(`../../nn/fixtures/${name}`, import.meta.url).pathname;
const init = load(fixture('parity-init.safetensors')).tensors;
const { tensors: data } = load(fixture('parity-expected.safetensors'));

/** The loss before each of `STEPS` Adam steps, computed on `backend`. */
function trajectory(backend: Backend): number[] {
  const previous = useBackend(backend);
  try {
    const model = new Sequential(
      new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
      new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
      new Flatten(), new Linear(64, 10));
    model.loadStateDict(init);
    const images = data.x.astype('float32').div(255);
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      const start = (step * BATCH) % data.x.shape[0];
      const x = fromNDArray(images.narrow(0, start, BATCH));
      const y = fromNDArray(data.y.narrow(0, start, BATCH));
      const loss = lossFn.forward(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      losses.push(loss.item());
      opt.step();
    }
    return losses;
  } finally {
    useBackend(previous);
  }
}

describe(`training on gpu:webasm follows the CPU backend (${STEPS} Adam steps, batches of ${BATCH})`, () => {
  it('every step\'s loss within 1e-4 relative of the CPU backend\'s, and training makes progress', () => {
    const t0 = performance.now();
    const cpu = trajectory(cpuBackend);
    const t1 = performance.now();
    const gpu = createGpuBackend('webasm');
    const ours = trajectory(gpu);
    const t2 = performance.now();
    gpu.destroy();
    const errors = ours.map((l, i) => Math.abs(l - cpu[i]) / Math.abs(cpu[i]));
    const worst = Math.max(...errors);
    console.log(
      `training ${STEPS} steps: cpu ${(t1 - t0).toFixed(0)} ms, gpu:webasm ${(t2 - t1).toFixed(0)} ms; ` +
        `worst relative loss difference ${worst.toExponential(2)} at step ${errors.indexOf(worst)}; ` +
        `loss ${cpu[0].toFixed(4)} -> ${cpu.at(-1)?.toFixed(4)} (cpu), ${ours.at(-1)?.toFixed(4)} (gpu:webasm)`,
    );
    for (let i = 0; i < STEPS; i++) expect(errors[i], `step ${i}: ${ours[i]} vs ${cpu[i]}`).toBeLessThanOrEqual(1e-4);
    // Progress: the mean loss of the last 16 steps (one pass over the 64 images) well below the first 16's.
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(ours.slice(-16))).toBeLessThan(0.5 * mean(ours.slice(0, 16)));
  }, 600_000);
});
