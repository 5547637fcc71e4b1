/**
 * Training eagerly on gpu:webgpu (where an adapter answers: llvmpipe in CI) follows gpu:webasm:
 * the study's Table 3 network (PyTorch's initial weights), Adam lr 1e-3, STEPS steps over
 * mini-batches of 4 of the parity fixture's 64 MNIST images, each step in `tidy`, the loss read
 * with `await data()` (queued inside the step, so it runs before the step's arrays are freed).
 *
 * Both modes compute in float32 with the same kernel sources (WGSL on the device, WebAssembly on
 * the host), in different orders of accumulation only where the compilers reorder: measured, the
 * losses agreed to 1.2e-7 relative over 20 steps; 1e-5 is asserted, as for webasm against the CPU
 * backend (training.test.ts). Device memory: after the first step (Adam's state made) the live
 * device buffers (`WebGpuRunner.live`) stay the same from step to step: release works.
 *
 * Batches of 4, not the study's 64: llvmpipe runs a Table 3 step of 64 images in about 3 s.
 */
import { describe, expect, it } from 'vitest';
import { fromNDArray } from '@tsgrad/autograd';
import { tidy, useBackend, type NDArray, type TypedArray } from '@tsgrad/ndarray';
import { createGpuBackend, type GpuBackend } from './gpu-backend.js';
import { parityFixtures, table3Training } from './table3-training.js';
import { testWebGPU } from './test-webgpu.js';

const STEPS = Number(process.env.TSGRAD_WEBGPU_TRAIN_STEPS ?? 20);
const BATCH = 4;
const { init, data } = parityFixtures();
const webgpu = await testWebGPU('the eager webgpu training tests');

/** One step's loss and, on webgpu, the device buffers alive once its queued work has run. */
interface Step {
  loss: number;
  live: number | null;
}

/** `STEPS` Adam steps on `backend` from `weights`. */
async function trajectory(backend: GpuBackend, weights: Record<string, NDArray>): Promise<Step[]> {
  const previous = useBackend(backend);
  try {
    const { model, images, labels, lossFn, opt } = table3Training(backend, weights, data);
    const steps: Step[] = [];
    for (let step = 0; step < STEPS; step++) {
      const start = (step * BATCH) % data.x.shape[0];
      // the read is queued inside the step: it runs before the frees tidy queues at its end
      const pending: { read: Promise<TypedArray> | null } = { read: null };
      tidy(() => {
        const loss = lossFn.forward(model.forward(fromNDArray(images.narrow(0, start, BATCH))), fromNDArray(labels.narrow(0, start, BATCH)));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        pending.read = loss.data.data();
      });
      if (pending.read === null) throw new Error(`step ${step} did not read its loss`);
      const loss = (await pending.read)[0];
      await backend.queue?.idle();
      steps.push({ loss, live: backend.queue?.runner.live.buffers ?? null });
    }
    return steps;
  } finally {
    useBackend(previous);
  }
}

describe.skipIf(webgpu === null)(`eager training on gpu:webgpu follows gpu:webasm (${STEPS} Adam steps, batches of ${BATCH})`, () => {
  it('the same losses within float32 tolerance, device buffers flat from step to step', async () => {
    const t0 = performance.now();
    const wasm = await trajectory(createGpuBackend('webasm'), init);
    const t1 = performance.now();
    const gpu = createGpuBackend('webgpu');
    const ours = await trajectory(gpu, init);
    const t2 = performance.now();
    const errors = ours.map((s, i) => Math.abs(s.loss - wasm[i].loss) / wasm[i].loss);
    console.log(
      `eager training ${STEPS} steps: webasm ${(t1 - t0).toFixed(0)} ms, webgpu ${(t2 - t1).toFixed(0)} ms; ` +
        `largest relative loss difference ${Math.max(...errors).toExponential(2)}; losses ${ours.map((s) => s.loss.toFixed(4)).join(' ')}; ` +
        `live device buffers ${ours.map((s) => s.live).join(' ')}`,
    );
    errors.forEach((e, i) => expect(e, `step ${i}: ${ours[i].loss} vs ${wasm[i].loss}`).toBeLessThanOrEqual(1e-5));
    for (const s of ours.slice(2)) expect(s.live, 'live device buffers').toBe(ours[1].live);
    // progress on the batches seen: the last 4 losses below the first 4
    const mean = (xs: Step[]): number => xs.reduce((t, s) => t + s.loss, 0) / xs.length;
    expect(mean(ours.slice(-4))).toBeLessThan(mean(ours.slice(0, 4)));
    gpu.destroy();
  }, 300_000);
});
