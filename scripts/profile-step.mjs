// `node --cpu-prof --cpu-prof-dir=DIR scripts/profile-step.mjs <t1|t3> [steps] [threads] [direct|im2col|both]`: runs
// training steps of the study's Table 1 or Table 3 network on the first real MNIST batch of 64
// (Adam, each step in `tidy`, as the CLI) for a CPU profile, and prints the mean and median CPU
// ms a step. Summarise a profile with `node scripts/profile-summary.mjs DIR/*.cpuprofile`.
// Imports the BUILT packages: run `npm run build` first.
import * as nd from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

const [which = 't3', stepsArg = '40', threadsArg = '1', convArg = 'direct'] = process.argv.slice(2);
nd.setCpuThreads(Number(threadsArg));
// A fourth argument `im2col` turns the direct convolutions off (cpu/wasm/direct-conv-wasm.ts); `both`
// alternates the two step by step (side by side in one process) and prints both medians.
nd.setDirectConv(convArg !== 'im2col');
nd.manualSeed(0);
const model = which === 't3'
  ? new Sequential(new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }), new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }), new Flatten(), new Linear(64, 10))
  : new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2, { stride: 2 }), new Conv2d(4, 2, 3, { stride: 3 }), new ReLU(), new MaxPool2d(4, { stride: 4 }), new Flatten(), new Linear(2, 10));
const [xb, yb] = new DataLoader(new MNIST({ train: true }), { batchSize: 64, shuffle: false, seed: 0 })[Symbol.iterator]().next().value;
const x = fromNDArray(xb), y = fromNDArray(yb);
const opt = new Adam(model.parameters(), { lr: 1e-3 }), lossFn = new CrossEntropyLoss();
const step = () => nd.tidy(() => {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
  loss.data.item();
  return model.parameters().map((p) => p.grad);
});
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const steps = Number(stepsArg);
for (let i = 0; i < 5; i++) step();
const medianOf = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
if (convArg === 'both') {
  const times = { direct: [], im2col: [] };
  for (let i = 0; i < steps; i++) {
    for (const path of ['direct', 'im2col']) {
      nd.setDirectConv(path === 'direct');
      const c = cpuMs();
      step();
      times[path].push(cpuMs() - c);
    }
  }
  const [d, i] = [medianOf(times.direct), medianOf(times.im2col)];
  console.log(`${which} threads ${threadsArg}: median cpu direct ${d.toFixed(2)} ms, im2col ${i.toFixed(2)} ms a step (${steps} steps each, alternating), ratio ${(i / d).toFixed(2)}x`);
  process.exit(0);
}
const each = [];
const c0 = cpuMs();
for (let i = 0; i < steps; i++) {
  const c = cpuMs();
  step();
  each.push(cpuMs() - c);
}
const median = medianOf(each);
console.log(`${which} threads ${threadsArg} ${convArg}: mean cpu ${((cpuMs() - c0) / steps).toFixed(2)} ms, median cpu ${median.toFixed(2)} ms a step (${steps} steps)`);
