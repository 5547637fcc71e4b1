// `node scripts/bench-step.mjs [--steps 20] [--batch 64]`: the time of one training step of the
// study's Table 3 network (forward, cross-entropy, backward, Adam) on the CPU backend, median of
// `--steps` steps after 3 warm-up steps. Imports the BUILT packages: run `npm run build` first.
// Used to compare two builds side by side (e.g. before and after a change to the array layer).
import { fromNDArray } from '@tsgrad/autograd';
import { Generator, randint, randn } from '@tsgrad/ndarray';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const STEPS = option('--steps', 20);
const BATCH = option('--batch', 64);

const g = new Generator(0);
const model = new Sequential(
  new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
  new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
  new Flatten(), new Linear(64, 10));
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new CrossEntropyLoss();
const x = fromNDArray(randn([BATCH, 1, 28, 28], { generator: g }));
const y = fromNDArray(randint(0, 10, [BATCH], { generator: g }));
const step = () => {
  opt.zeroGrad();
  lossFn.forward(model.forward(x), y).backward();
  opt.step();
};
for (let i = 0; i < 3; i++) step();
// Wall time, and this process's CPU time (steadier when other processes load the machine).
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const wall = [];
const cpu = [];
for (let i = 0; i < STEPS; i++) {
  const [w0, c0] = [performance.now(), cpuMs()];
  step();
  wall.push(performance.now() - w0);
  cpu.push(cpuMs() - c0);
}
const median = (xs) => +xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(2);
console.log(JSON.stringify({ batch: BATCH, steps: STEPS, wallMedianMs: median(wall), cpuMedianMs: median(cpu) }));
