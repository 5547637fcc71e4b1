// `npm run bench -- --backend gpu[:mode]`: @tsgrad/gpu's gpu.js modes on the study's Table 3
// training step, next to the CPU backend in the same run.
//
// One real MNIST batch (the first --batch images of the unshuffled training set, default the
// study's 64), the Table 3 network, cross-entropy, Adam (lr 1e-3). A step is forward, loss,
// zeroGrad, backward, optimizer step and loss.item() (a synchronous read of the loss), timed
// after one warm-up step (which compiles the kernels), median of --reps. For each gpu.js mode,
// the time in each gpu.js kernel per step (the backend's kernelTimings(): launch, argument upload
// and readback together) is printed too, and the time of a captured step (compileStep: the
// step's launches recorded once, then replayed). `--backend gpu` means every mode that runs (webasm, cpu),
// and webgpu where an adapter answers (else it says why not): the eager webgpu backend (every
// launch queued, the loss read with `await loss.data()`) next to the captured step replayed on webgpu.
//
// Usage: npm run bench -- --backend gpu [--reps 3] [--batch 64]
//        npm run bench -- --backend gpu:webasm
//        npm run bench -- --backend gpu:webgpu   (eager webgpu and the captured step replayed on webgpu; needs an adapter)
import { loadavg, cpus } from 'node:os';
import * as nd from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { WebGpuRunner, compileStep, createGpuBackend, installNodeWebGPU } from '@tsgrad/gpu';

const RUNNING_MODES = ['webasm', 'cpu'];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** The Table 3 network (examples/mnist-cnn/src/network.ts), seeded, on `backend`. */
function table3(backend) {
  nd.manualSeed(0);
  return new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10),
  ).to(backend);
}

/** Median ms of a Table 3 step on `backend`, and (for gpu backends) ms per step in each kernel. */
function stepTimes(backend, images, labels, reps) {
  return nd.withBackend(backend, () => {
    const model = table3(backend);
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new CrossEntropyLoss();
    const x = fromNDArray(images.to(backend)), y = fromNDArray(labels.to(backend));
    const step = () => {
      const loss = lossFn.forward(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    };
    step(); // compiles
    const before = structuredClone(backend.kernelTimings?.() ?? {});
    const times = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      step();
      times.push(performance.now() - t0);
    }
    const kernels = {};
    for (const [key, t] of Object.entries(backend.kernelTimings?.() ?? {})) {
      const ms = (t.ms - (before[key]?.ms ?? 0)) / reps;
      const launches = (t.launches - (before[key]?.launches ?? 0)) / reps;
      if (launches > 0) kernels[key] = { ms, launches };
    }
    return { ms: median(times), kernels };
  });
}

/** Median ms of a captured step (compileStep: eager, recorded, then replayed, on `replayOn` if given). */
async function capturedTimes(backend, images, labels, reps, replayOn) {
  const model = table3(backend);
  const step = compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters(), { lr: 1e-3 }), { replayOn });
  await nd.withBackend(backend, () => step(images, labels)); // eager (the optimizer makes its state)
  await nd.withBackend(backend, () => step(images, labels)); // records
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await nd.withBackend(backend, () => step(images, labels));
    times.push(performance.now() - t0);
  }
  return median(times);
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** The first `batch` images and labels of the unshuffled MNIST training set. */
function firstBatch(batch) {
  const [first] = new DataLoader(new MNIST({ train: true }), { batchSize: batch, shuffle: false, seed: 0 });
  return first;
}

/**
 * `--backend gpu:webgpu`: the eager webgpu backend (every kernel queued, results on the device,
 * the loss read with await) next to a captured step recorded on gpu:webasm and replayed whole
 * (forward, backward, Adam) on webgpu (one readback, the loss, a step), and the same captured
 * step replayed on webasm, in one run.
 */
async function webgpuBench(args, reps, batch) {
  const adapter = await installNodeWebGPU();
  if (adapter === null) throw new Error('--backend gpu:webgpu: no WebGPU adapter answered (see docs/guides/gpu.md, Install)');
  const [images, labels] = firstBatch(batch);
  console.log(`tsgrad gpu bench: Table 3 step on webgpu, batch ${batch}, median wall time of ${reps} steps after warm-up; WebGPU adapter ${adapter.adapter} (software: ${adapter.software})`);
  console.log(`machine: ${cpus().length} cpus, load average ${load()} (1, 5, 15 min)\n`);
  for (const [name, ms, note] of await webgpuRows(images, labels, reps)) console.log(`${name.padEnd(38)} ${ms.toFixed(1).padStart(9)} ms  ${note}`);
  console.log(`\nload average after: ${load()}`);
}

/**
 * The webgpu rows, as [name, ms, note]: eager gpu:webgpu, the captured step replayed on webgpu and
 * on webasm. The three are timed in turn within each rep (eager, replay on webgpu, replay on
 * webasm, then again), so that a load that changes during the run weighs on all of them alike.
 */
async function webgpuRows(images, labels, reps) {
  const eager = createGpuBackend('webgpu');
  const eagerModel = table3(eager);
  const opt = new Adam(eagerModel.parameters(), { lr: 1e-3 });
  const lossFn = new CrossEntropyLoss();
  const x = fromNDArray(images.to(eager)), y = fromNDArray(labels.to(eager));
  const eagerStep = async () => {
    let read = null;
    nd.tidy(() => nd.withBackend(eager, () => {
      const loss = lossFn.forward(eagerModel.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      read = loss.data.data();
    }));
    return (await read)[0];
  };
  const webasm = createGpuBackend('webasm');
  const runner = new WebGpuRunner();
  const captured = (replayOn) => {
    const model = table3(webasm);
    return compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters(), { lr: 1e-3 }), { replayOn });
  };
  const onWebgpu = captured(runner);
  const onWebasm = captured(undefined);
  const replay = (step) => nd.withBackend(webasm, () => step(images, labels));
  await eagerStep(); // compiles
  for (let i = 0; i < 3; i++) await replay(onWebgpu); // eager, recorded, first replay (compiles)
  for (let i = 0; i < 3; i++) await replay(onWebasm);
  const [launchesBefore, readsBefore] = [eager.queue.runner.launches, eager.queue.runner.reads];
  const times = { eager: [], onWebgpu: [], onWebasm: [] };
  const timed = async (list, f) => {
    const t0 = performance.now();
    await f();
    list.push(performance.now() - t0);
  };
  for (let r = 0; r < reps; r++) {
    await timed(times.eager, eagerStep);
    await timed(times.onWebgpu, () => replay(onWebgpu));
    await timed(times.onWebasm, () => replay(onWebasm));
  }
  const launches = (eager.queue.runner.launches - launchesBefore) / reps;
  const reads = (eager.queue.runner.reads - readsBefore) / reps;
  eager.destroy();
  runner.destroy();
  webasm.destroy();
  return [
    ['gpu:webgpu (eager)', median(times.eager), `${launches} dispatches and ${reads} readbacks a step (the loss, then deferred index checks)`],
    ['gpu:webgpu captured step (replay)', median(times.onWebgpu), `device-resident replay; ${runner.compiles} WGSL kernels compiled, ${runner.reads} readbacks in all`],
    ['gpu:webasm captured step', median(times.onWebasm), ''],
  ];
}

/** Runs the gpu bench for `backendArg` ('gpu' or 'gpu:<mode>') with the remaining args. */
export async function runGpuBench(backendArg, args) {
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const reps = Number(option('--reps', '3'));
  const batch = Number(option('--batch', '64'));
  if (backendArg === 'gpu:webgpu') return webgpuBench(args, reps, batch);
  const modes = backendArg === 'gpu' ? RUNNING_MODES : [backendArg.slice(4)];
  for (const m of modes) {
    if (!RUNNING_MODES.includes(m)) throw new Error(`--backend gpu:${m}: not a running mode of @tsgrad/gpu (choose ${RUNNING_MODES.join(', ')})`);
  }
  const [images, labels] = firstBatch(batch);
  console.log(`tsgrad gpu bench: node ${process.version}, Table 3 training step, batch ${batch}, median wall time of ${reps} steps after one warm-up`);
  console.log(`machine: ${cpus().length} cpus, load average ${load()} (1, 5, 15 min)\n`);
  const cpu = stepTimes(nd.cpuBackend, images, labels, reps);
  const rows = [['cpu (tsgrad CPU backend)', cpu.ms, 1]];
  const breakdowns = [];
  for (const mode of modes) {
    const gpu = createGpuBackend(mode);
    const r = stepTimes(gpu, images, labels, reps);
    const replay = await capturedTimes(gpu, images, labels, reps);
    gpu.destroy();
    rows.push([`gpu:${mode}`, r.ms, r.ms / cpu.ms]);
    rows.push([`gpu:${mode} captured step`, replay, replay / cpu.ms]);
    breakdowns.push([mode, r]);
  }
  console.log('backend                     ms/step   x CPU backend');
  for (const [name, ms, ratio] of rows) console.log(`${name.padEnd(26)} ${ms.toFixed(1).padStart(8)}  ${ratio.toFixed(2).padStart(8)}x`);
  for (const [mode, r] of breakdowns) {
    console.log(`\ngpu:${mode}, per gpu.js kernel (ms per step, launches per step; launch, upload and readback together):`);
    const entries = Object.entries(r.kernels).sort((a, b) => b[1].ms - a[1].ms);
    const total = entries.reduce((s, [, t]) => s + t.ms, 0);
    for (const [key, t] of entries) {
      if (t.ms < 0.05) continue;
      console.log(`  ${key.padEnd(34)} ${t.ms.toFixed(2).padStart(9)} ms  ${String(t.launches).padStart(4)}x  ${((100 * t.ms) / total).toFixed(1).padStart(5)}%`);
    }
    console.log(`  ${'all kernels'.padEnd(34)} ${total.toFixed(2).padStart(9)} ms of ${r.ms.toFixed(2)} ms per step`);
  }
  if (backendArg === 'gpu') {
    // webgpu where an adapter answers (Node: the webgpu package; llvmpipe proves correctness, not speed)
    const adapter = await installNodeWebGPU().catch((e) => {
      console.log(`\nwebgpu: not measured (${e instanceof Error ? e.message : String(e)})`);
      return undefined;
    });
    if (adapter === null) console.log('\nwebgpu: not measured (no WebGPU adapter answered; docs/guides/gpu.md, Install)');
    if (adapter) {
      console.log(`\nwebgpu on ${adapter.adapter} (software: ${adapter.software}):`);
      for (const [name, ms, note] of await webgpuRows(images, labels, reps)) {
        console.log(`${name.padEnd(38)} ${ms.toFixed(1).padStart(9)} ms  ${(ms / cpu.ms).toFixed(2).padStart(7)}x CPU  ${note}`);
      }
    }
  }
  console.log(`\nload average after: ${load()}`);
}
