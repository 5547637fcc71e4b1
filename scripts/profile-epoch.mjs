// `node scripts/profile-epoch.mjs <t1|t3> [steps] [threads] [fixed|shuffled]`: times the training
// steps of the study's Table 1 or Table 3 network as the CLI runs them (batch 64, Adam, seed 0,
// each step in `tidy` as the CLI's `trainStep`, each batch disposed after it), on the shuffled
// batches of a real epoch or on the first batch over and over (`fixed`, as the training bench),
// and prints the mean and median CPU and wall ms a step and the time spent building batches.
// Run it under `node --cpu-prof` to profile.
// Imports the BUILT packages: run `npm run build` first.
import * as nd from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

const [which = 't1', stepsArg = '300', threadsArg = '1', mode = 'shuffled'] = process.argv.slice(2);
nd.setCpuThreads(Number(threadsArg));
nd.manualSeed(0);
const model = which === 't3'
  ? new Sequential(new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }), new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }), new Flatten(), new Linear(64, 10))
  : new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2, { stride: 2 }), new Conv2d(4, 2, 3, { stride: 3 }), new ReLU(), new MaxPool2d(4, { stride: 4 }), new Flatten(), new Linear(2, 10));
const opt = new Adam(model.parameters(), { lr: 1e-3 }), lossFn = new CrossEntropyLoss();
const loader = new DataLoader(new MNIST({ train: true }), { batchSize: 64, shuffle: true, seed: 0 });
// As the CLI's trainStep (examples/mnist-cnn/src/training-loop.ts) on the CPU backend.
const trainStep = (x, y) => {
  let value = NaN;
  nd.tidy(() => {
    const loss = lossFn.forward(model.forward(fromNDArray(x)), fromNDArray(y));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    value = loss.data.item();
    return model.parameters().map((p) => p.grad);
  });
  return value;
};
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const steps = Number(stepsArg);
let batches = loader[Symbol.iterator]();
const nextBatch = () => {
  let r = batches.next();
  if (r.done) (batches = loader[Symbol.iterator]()), (r = batches.next()); // the next epoch
  return r.value;
};
const first = mode === 'fixed' ? nextBatch() : undefined;
const cpu = [], wall = [];
let fetchMs = 0;
const c0 = cpuMs(), w0 = performance.now();
for (let i = 0; i < steps; i++) {
  const f = performance.now();
  const [x, y] = first ?? nextBatch();
  fetchMs += performance.now() - f;
  const [c, w] = [cpuMs(), performance.now()];
  trainStep(x, y);
  if (mode !== 'fixed') {
    x.dispose(); // as the CLI's loop: the batch's buffers serve the next batch
    y.dispose();
  }
  cpu.push(cpuMs() - c);
  wall.push(performance.now() - w);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(2);
const totalWall = performance.now() - w0;
console.log(
  `${which} ${mode} threads ${threadsArg}, ${steps} steps: cpu mean ${((cpuMs() - c0) / steps).toFixed(2)} median ${median(cpu)} ms, ` +
    `wall mean ${(totalWall / steps).toFixed(2)} median ${median(wall)} ms; building the batch ${(fetchMs / steps).toFixed(2)} ms a step`,
);
