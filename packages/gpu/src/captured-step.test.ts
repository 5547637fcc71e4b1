/**
 * The captured step against eager training: the same Table 3 network, the same PyTorch initial
 * weights and batches, Adam lr 1e-3, on gpu:webasm and gpu:cpu. Eager and captured steps launch
 * the same kernels on the same values, so their per-step losses agree to float32 rounding (the
 * only difference: a replay skips autograd's host-side bookkeeping, not any arithmetic).
 */
import { describe, expect, it } from 'vitest';
import { fromNDArray } from '@tsgrad/autograd';
import { Generator, array, cpuBackend, manualSeed, randn, withBackend, type NDArray } from '@tsgrad/ndarray';
import { CrossEntropyLoss, Linear, ReLU, Sequential, load } from '@tsgrad/nn';
import { Adam, AdamW, RMSprop, SGD, StepLR } from '@tsgrad/optim';
import { GpuBackend } from './gpu-backend.js';
import { compileStep, eagerStep, recordStep, type StepOptimizer } from './captured-step.js';
import { testWebGPU } from './test-webgpu.js';
import { WebGpuRunner } from './webgpu-runner.js';
import { table3Net } from './table3-net.js';

// WebGPU where an adapter answers (Mesa's llvmpipe here, as in webgpu.test.ts); else that test is skipped, saying so.
const webgpu = await testWebGPU('the webgpu replay tests');

const STEPS = 12;
const BATCH = 4;
const fixture = (name: string): string => new URL(`../../nn/fixtures/${name}`, import.meta.url).pathname;
const init = load(fixture('parity-init.safetensors')).tensors;
const { tensors: data } = load(fixture('parity-expected.safetensors'));
const images = data.x.astype('float32').div(255);

function table3(gpu: GpuBackend): Sequential {
  const model = table3Net().to(gpu);
  model.loadStateDict(init);
  return model;
}

/** Batch `i` of `size` images and labels of the fixture (64), on the CPU backend (the step moves them). */
const batch = (i: number, size = BATCH): [NDArray, NDArray] => {
  const start = (i * size) % (size === 64 ? 64 : 16);
  return [images.narrow(0, start, size), data.y.narrow(0, start, size)];
};

/** What a training run leaves: per-step losses and the final parameters' values. */
interface Run {
  losses: number[];
  params: Float32Array[];
}

const valuesOf = (model: Sequential): Float32Array[] => model.parameters().map((p) => Float32Array.from(p.data.toTypedArray()));

/** Eager training on `gpu`: `steps` Adam steps on batches of `size`. */
function eager(gpu: GpuBackend, steps = STEPS, size = BATCH): Run {
  return withBackend(gpu, () => {
    const model = table3(gpu);
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const [x, y] = batch(i, size);
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(fromNDArray(x.to(gpu))), fromNDArray(y.to(gpu)));
      loss.backward();
      losses.push(loss.item());
      opt.step();
    }
    return { losses, params: valuesOf(model) };
  });
}

/** The captured step on `gpu` (replayed on `replayOn` if given): the run, and a replay's launches on `gpu`. */
async function captured(gpu: GpuBackend, replayOn?: WebGpuRunner, steps = STEPS, size = BATCH, onStep?: (i: number) => void): Promise<Run & { launchesPerReplay: number }> {
  const model = table3(gpu);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const step = compileStep(model, new CrossEntropyLoss(), opt, { replayOn });
  const losses: number[] = [];
  let launchesPerReplay = 0;
  for (let i = 0; i < steps; i++) {
    const before = gpu.runner.launches;
    losses.push(await withBackend(gpu, () => step(...batch(i, size))));
    if (i === steps - 1) launchesPerReplay = gpu.runner.launches - before;
    onStep?.(i);
  }
  await step.sync();
  return { losses, params: valuesOf(model), launchesPerReplay };
}

/** The largest relative L2 difference ‖a - b‖ / ‖b‖ of a parameter tensor between two runs. */
function worstParam(a: Run, b: Run): number {
  let worst = 0;
  a.params.forEach((p, k) => {
    let [diff, norm] = [0, 0];
    p.forEach((v, i) => {
      diff += (v - b.params[k][i]) ** 2;
      norm += b.params[k][i] ** 2;
    });
    worst = Math.max(worst, Math.sqrt(diff / norm));
  });
  return worst;
}

describe('compileStep: one recorded step replayed for every batch', () => {
  for (const mode of ['webasm', 'cpu'] as const) {
    it(`gives eager training's per-step losses and parameters on gpu:${mode} (${STEPS} Adam steps, batches of ${BATCH}, the update replayed)`, async () => {
      const gpu = new GpuBackend(mode);
      const ours = await captured(gpu);
      const theirs = eager(gpu);
      console.log(`gpu:${mode} captured: ${ours.launchesPerReplay} launches a step; losses ${ours.losses.map((l) => l.toFixed(4)).join(' ')}`);
      for (let i = 0; i < STEPS; i++) expect(Math.abs(ours.losses[i] - theirs.losses[i]), `step ${i}: ${ours.losses[i]} vs ${theirs.losses[i]}`).toBeLessThanOrEqual(1e-6 * theirs.losses[i]);
      // the same kernels on the same values: the parameters agree to float32 rounding
      expect(worstParam(ours, theirs)).toBeLessThanOrEqual(1e-7);
      // forward, backward and Adam (3 kernels for each of 6 parameters) in one replay
      expect(ours.launchesPerReplay).toBeGreaterThanOrEqual(60 + 18);
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(ours.losses.slice(-4))).toBeLessThan(mean(ours.losses.slice(0, 4))); // it trains: 3 passes over 16 images
      gpu.destroy();
    }, 300_000);
  }

  // the study's batch 64 (its conv1 launches are 1-d grids of 1,384,448 threads, 21,632 workgroups of 64); and more Adam steps at batch 4
  for (const [steps, size] of [[4, 64], [STEPS, BATCH]]) {
    it.skipIf(webgpu === null)(`replays the whole Table 3 step (forward, backward, Adam) on webgpu at batch ${size}, device-resident, with eager webasm's losses and parameters (${steps} steps)`, async () => {
      const gpu = new GpuBackend('webasm');
      const runner = new WebGpuRunner();
      const live: number[] = [];
      const reads: number[] = [];
      const ours = await captured(gpu, runner, steps, size, () => {
        live.push(runner.live.buffers);
        reads.push(runner.reads);
      });
      const theirs = eager(gpu, steps, size);
      const worst = Math.max(...ours.losses.map((l, i) => Math.abs(l - theirs.losses[i]) / theirs.losses[i]));
      console.log(
        `webgpu (${webgpu?.adapter}), batch ${size}: ${runner.launches} dispatches, ${runner.splits} split launches, ${runner.reads} reads; ` +
          `live device buffers after each step ${live.join(' ')}; losses ${ours.losses.map((l) => l.toFixed(6)).join(' ')} vs eager webasm ${theirs.losses.map((l) => l.toFixed(6)).join(' ')}; ` +
          `largest relative loss difference ${worst.toExponential(2)}, parameters ${worstParam(ours, theirs).toExponential(2)}`,
      );
      // steps 0 and 1 ran eagerly on webasm (the second recorded); the rest replayed on webgpu with one readback (the loss) each
      expect(runner.launches).toBeGreaterThanOrEqual((steps - 2) * (60 + 18));
      expect(reads).toEqual(Array.from({ length: steps }, (_, i) => Math.max(0, i - 1)));
      // the device holds the same buffers after every replay: the states (6 parameters, 12 moments) and the constants
      expect(new Set(live.slice(2)).size).toBe(1);
      expect(live[2]).toBeGreaterThanOrEqual(18);
      for (let i = 0; i < steps; i++) expect(Math.abs(ours.losses[i] - theirs.losses[i]), `step ${i}: ${ours.losses[i]} vs ${theirs.losses[i]}`).toBeLessThanOrEqual(1e-5 * theirs.losses[i]);
      expect(worstParam(ours, theirs)).toBeLessThanOrEqual(1e-6);
      runner.destroy();
      gpu.destroy();
    }, 600_000);
  }

  it.skipIf(webgpu === null)('on webgpu, a new batch shape mid-run brings the state home, records it, and the device takes the state up again', async () => {
    const sizes = [4, 4, 4, 4, 2, 4, 4, 2, 2, 4];
    const gpu = new GpuBackend('webasm');
    const runner = new WebGpuRunner();
    const model = table3(gpu);
    const step = compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters(), { lr: 1e-3 }), { replayOn: runner });
    const ours: number[] = [];
    for (const [i, size] of sizes.entries()) ours.push(await withBackend(gpu, () => step(...batch(i, size))));
    await step.sync();
    const theirs = withBackend(gpu, () => {
      const m = table3(gpu);
      const lossFn = new CrossEntropyLoss();
      const opt = new Adam(m.parameters(), { lr: 1e-3 });
      const losses = sizes.map((size, i) => {
        const [x, y] = batch(i, size);
        return eagerStep(gpu, m, lossFn, opt, x.to(gpu), y.to(gpu));
      });
      return { losses, params: valuesOf(m) };
    });
    // step 0 eager, 1 recorded (batch 4), 4 recorded (batch 2, after the 18 states came home); 7 replays on webgpu, one
    // readback each; then the final sync
    expect(runner.reads).toBe(7 + 18 + 18);
    for (const [i, l] of ours.entries()) expect(Math.abs(l - theirs.losses[i]), `step ${i}: ${l} vs ${theirs.losses[i]}`).toBeLessThanOrEqual(1e-5 * theirs.losses[i]);
    expect(worstParam({ losses: ours, params: valuesOf(model) }, theirs)).toBeLessThanOrEqual(1e-6);
    runner.destroy();
    gpu.destroy();
  }, 300_000);

  it('records every launch of forward, backward and the Adam update, with each buffer argument placed', () => {
    const gpu = new GpuBackend('webasm');
    const model = table3(gpu);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const [x, y] = batch(0).map((a) => a.to(gpu).clone());
    const lossFn = new CrossEntropyLoss();
    withBackend(gpu, () => {
      lossFn.forward(model.forward(fromNDArray(x)), fromNDArray(y)).backward();
      opt.step(); // Adam makes its moments: the recorded step finds them as state
    });
    const launchesBefore = gpu.runner.launches;
    const { plan } = withBackend(gpu, () => recordStep(gpu, model, lossFn, opt, x, y));
    const kernels = plan.ops.filter((op) => op.kind === 'kernel');
    expect(kernels.length).toBe(gpu.runner.launches - launchesBefore);
    const sources = plan.ops.flatMap((op) => (op.kind === 'kernel' ? op.args : op.parts.map((p) => p.source))).map((s) => s.from);
    expect(new Set(sources)).toEqual(new Set(['number', 'scalar', 'value', 'state', 'input', 'constant']));
    expect(plan.grads.map((g) => g?.source.from)).toEqual(Array(6).fill('value'));
    expect(plan.loss.shape).toEqual([]);
    // 6 parameters, then Adam's m and v of each; one fused update per parameter, 3 kernels each
    expect(plan.states.length).toBe(18);
    expect(plan.writes.map((w) => w.slot).sort((a, b) => a - b)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(plan.updates).toBe(6);
    expect(kernels.filter((op) => op.spec.key.startsWith('adam:')).length).toBe(18);
    gpu.destroy();
  });

  // every fused update of @tsgrad/optim, with the scalars that change from step to step: SGD's first
  // momentum step, Adam's bias corrections, a learning rate a scheduler lowers
  const optimizers: [string, (m: Sequential) => { opt: StepOptimizer; schedule?: () => void }][] = [
    ['SGD, nesterov momentum, weight decay', (m) => ({ opt: new SGD(m.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2 }) })],
    ['RMSprop, centered, momentum', (m) => ({ opt: new RMSprop(m.parameters(), { lr: 1e-2, momentum: 0.5, centered: true }) })],
    ['AdamW, amsgrad', (m) => ({ opt: new AdamW(m.parameters(), { lr: 1e-2, amsgrad: true }) })],
    ['Adam under StepLR (lr halved every 2 steps)', (m) => {
      const opt = new Adam(m.parameters(), { lr: 5e-2 });
      const lr = new StepLR(opt, 2, { gamma: 0.5 });
      return { opt, schedule: () => lr.step() };
    }],
  ];
  for (const [name, make] of optimizers) {
    it(`replays ${name} with eager training's losses and parameters (webasm)`, async () => {
      const gpu = new GpuBackend('webasm');
      const x = randn([6, 4], { generator: new Generator(1) });
      const y = array([0, 1, 2, 0, 1, 2], { dtype: 'int32' });
      const run = async (capture: boolean): Promise<Run> => {
        manualSeed(0);
        const model = new Sequential(new Linear(4, 5), new ReLU(), new Linear(5, 3)).to(gpu);
        const { opt, schedule } = make(model);
        const lossFn = new CrossEntropyLoss();
        const step = compileStep(model, lossFn, opt);
        const losses: number[] = [];
        for (let i = 0; i < 7; i++) {
          if (capture) losses.push(await withBackend(gpu, () => step(x, y)));
          else losses.push(eagerStep(gpu, model, lossFn, opt, x.to(gpu), y.to(gpu)));
          schedule?.();
        }
        return { losses, params: valuesOf(model) };
      };
      const [ours, theirs] = [await run(true), await run(false)];
      for (let i = 0; i < 7; i++) expect(Math.abs(ours.losses[i] - theirs.losses[i]), `step ${i}: ${ours.losses[i]} vs ${theirs.losses[i]}`).toBeLessThanOrEqual(1e-6 * theirs.losses[i]);
      expect(worstParam(ours, theirs)).toBeLessThanOrEqual(1e-7);
      expect(ours.losses[6]).toBeLessThan(ours.losses[0]);
      gpu.destroy();
    });
  }

  it('refuses a model that is not on a gpu backend', () => {
    const model = new Sequential(new Linear(2, 1)).to(cpuBackend);
    expect(() => compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters()))).toThrow(
      "compileStep: the model's parameters are on backend cpu; move the model with .to(gpuBackend)",
    );
  });
});
