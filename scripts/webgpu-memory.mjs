// Device memory over a long captured training run on WebGPU: does it stay flat?
// With --eager: the same run on the eager webgpu backend (createGpuBackend('webgpu'): every kernel
// queued, each step in tidy, the loss read with await), its runner's live buffers after each step's
// queued work has run.
//
// The study's Table 3 network, Adam (lr 1e-3), MNIST training batches in order (embedded copy),
// trained with compileStep replayed on a WebGpuRunner (the whole step on webgpu, buffers kept on
// the device). Every --every steps it prints:
//   - the WebGpuRunner's live buffers and bytes (what tsgrad holds: parameters, Adam's moments,
//     the plan's constants; every intermediate is freed after its last reader);
//   - the GPU buffers alive on the device and their bytes, counted by wrapping GPUDevice.createBuffer
//     and GPUBuffer.destroy: tsgrad's buffers plus gpu.js's own (uniforms, argument uploads, staging,
//     the last output each kernel keeps);
//   - the process's resident memory (llvmpipe's "device" memory is host memory);
//   - the loss and the mean time of a step since the last row.
//
// Usage: npm run build, then
//   node scripts/webgpu-memory.mjs [--steps 1000] [--batch 8] [--every 100] [--eager]
// Needs a WebGPU adapter: Mesa's llvmpipe is enough (apt-get install -y libegl1 libgles2 libegl-mesa0).
import { loadavg } from 'node:os';
import * as nd from '@tsgrad/ndarray';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { fromNDArray } from '@tsgrad/autograd';
import { WebGpuRunner, compileStep, createGpuBackend, installNodeWebGPU } from '@tsgrad/gpu';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const steps = option('--steps', 1000);
const batch = option('--batch', 8);
const every = option('--every', 100);
const eager = args.includes('--eager');

const adapter = await installNodeWebGPU();
if (adapter === null) throw new Error('webgpu-memory: no WebGPU adapter answered (see docs/guides/gpu.md, Install)');

// Count every GPU buffer the device makes and destroys (tsgrad's and gpu.js's alike).
const alive = new Map();
const { createBuffer } = globalThis.GPUDevice.prototype;
const { destroy } = globalThis.GPUBuffer.prototype;
globalThis.GPUDevice.prototype.createBuffer = function (descriptor) {
  const buffer = createBuffer.call(this, descriptor);
  alive.set(buffer, descriptor.size);
  return buffer;
};
globalThis.GPUBuffer.prototype.destroy = function () {
  alive.delete(this);
  return destroy.call(this);
};
const deviceBytes = () => [...alive.values()].reduce((a, b) => a + b, 0);

nd.manualSeed(0);
const gpu = createGpuBackend(eager ? 'webgpu' : 'webasm');
const model = new Sequential(
  new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
  new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
  new Flatten(), new Linear(64, 10),
).to(gpu);
const runner = eager ? gpu.queue.runner : new WebGpuRunner();
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new CrossEntropyLoss();
/** One eager step on gpu:webgpu: queued in tidy, the loss read inside and awaited after, the queue drained. */
async function eagerStep(x, y) {
  let read = null;
  nd.tidy(() => nd.withBackend(gpu, () => {
    const loss = lossFn.forward(model.forward(fromNDArray(x.to(gpu))), fromNDArray(y.to(gpu)));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    read = loss.data.data();
  }));
  const loss = (await read)[0];
  await gpu.queue.idle();
  return loss;
}
const step = eager ? Object.assign(eagerStep, { sync: async () => {} }) : compileStep(model, lossFn, optimizer, { replayOn: runner });

console.log(`webgpu memory over ${steps} ${eager ? 'eager' : 'captured'} Table 3 steps, batch ${batch}; adapter ${adapter.adapter} (software: ${adapter.software}); load ${loadavg()[0].toFixed(1)}`);
console.log('  step     loss   tsgrad buffers    tsgrad MiB   device buffers   device MiB   RSS MiB   ms/step');
const mib = (b) => (b / 2 ** 20).toFixed(2);
const rows = [];
let t0 = performance.now();
let done = 0;
while (done < steps) {
  for (const [x, y] of new DataLoader(new MNIST({ train: true }), { batchSize: batch, shuffle: false, seed: 0, dropLast: true })) {
    const loss = await nd.withBackend(gpu, () => step(x, y));
    done++;
    if (done === 3 || done % every === 0 || done === steps) {
      const ms = (performance.now() - t0) / (done === 3 ? 3 : every);
      const row = { step: done, loss, live: runner.live, device: { buffers: alive.size, bytes: deviceBytes() }, rss: process.memoryUsage().rss };
      rows.push(row);
      console.log(
        `${String(done).padStart(6)} ${loss.toFixed(4).padStart(8)} ${String(row.live.buffers).padStart(16)} ${mib(row.live.bytes).padStart(13)}` +
          ` ${String(row.device.buffers).padStart(16)} ${mib(row.device.bytes).padStart(12)} ${mib(row.rss).padStart(9)} ${ms.toFixed(0).padStart(9)}`,
      );
      t0 = performance.now();
    }
    if (done === steps) break;
  }
}
await step.sync();
const replays = rows.filter((r) => r.step >= 3);
const spread = (f) => Math.max(...replays.map(f)) - Math.min(...replays.map(f));
const reads = eager ? `${runner.reads} readbacks (the loss, then the deferred index-range checks of indices computed on the device)` : `${runner.reads} readbacks (${steps - 2} replays, then ${runner.reads - (steps - 2)} to sync)`;
console.log(
  `\nfrom step 3 to ${steps}: tsgrad's live buffers vary by ${spread((r) => r.live.buffers)} (${spread((r) => r.live.bytes)} bytes); ` +
    `device buffers by ${spread((r) => r.device.buffers)} (${spread((r) => r.device.bytes)} bytes); ${reads}; load ${loadavg()[0].toFixed(1)}`,
);
runner.destroy();
gpu.destroy();
