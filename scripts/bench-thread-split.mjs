// `node scripts/bench-thread-split.mjs [threads] [reps]`: each split kernel of a Table 3 step (the
// conv passes of both layers and pool1 at batch 64, random data) at 1 thread and at `threads`
// (default 2), alternated twice: median wall ms of a call, and the mean CPU ms of the calling
// thread alone (Linux /proc), the critical path, which stays readable on a loaded machine where
// wall times do not (a worker without a core of its own cannot shorten the wall time; the calling
// thread then runs the unclaimed shares itself). `workers` = shares run by worker threads.
// Imports the BUILT packages: run `npm run build` first.
import { readFileSync } from 'node:fs';
import * as nd from '@tsgrad/ndarray';

const threads = Number(process.argv[2] ?? 2), reps = Number(process.argv[3] ?? 40);
const g = new nd.Generator(0);
const mainThreadMs = () => {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms
};
const layers = {
  conv1: { x: [64, 1, 28, 28], w: [32, 1, 5, 5], opts: { padding: 1 } },
  conv2: { x: [64, 32, 13, 13], w: [64, 32, 5, 5], opts: { stride: 3, padding: 1 } },
};
const kernels = {};
for (const [name, { x: xs, w: ws, opts }] of Object.entries(layers)) {
  const x = nd.randn(xs, { generator: g }), w = nd.randn(ws, { generator: g });
  const gy = nd.randn(nd.conv2d(x, w, opts).shape, { generator: g });
  kernels[`${name} forward`] = () => nd.conv2d(x, w, opts);
  if (name !== 'conv1') kernels[`${name} backward input`] = () => nd.conv2dBackwardInput(gy, w, xs, opts);
  kernels[`${name} backward weight`] = () => nd.conv2dBackwardWeight(gy, x, ws, opts);
}
const y1 = nd.randn([64, 32, 26, 26], { generator: g });
const { indices } = nd.maxPool2d(y1, { kernel: 2, stride: 2 });
const gp = nd.randn([64, 32, 13, 13], { generator: g });
kernels['pool1 forward'] = () => nd.maxPool2d(y1, { kernel: 2, stride: 2 });
kernels['pool1 backward'] = () => nd.maxPool2dBackward(gp, indices, [64, 32, 26, 26]);

const measure = (run, t) => {
  nd.setCpuThreads(t);
  for (let i = 0; i < 5; i++) nd.tidy(() => { run(); });
  const wall = [], m0 = mainThreadMs(), j0 = nd.workerJobs();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    nd.tidy(() => { run(); });
    wall.push(performance.now() - t0);
  }
  const main = (mainThreadMs() - m0) / reps, jobs = nd.workerJobs() - j0;
  return { wall: wall.sort((a, b) => a - b)[reps >> 1], main, jobs };
};
console.log(`1 thread vs ${threads}, ${reps} calls each, alternated twice; wall = median ms, main = calling thread's mean CPU ms`);
for (const [name, run] of Object.entries(kernels)) {
  const cells = [];
  for (const t of [1, threads, 1, threads]) {
    const { wall, main, jobs } = measure(run, t);
    cells.push(`${t}t wall ${wall.toFixed(2)} main ${main.toFixed(2)}${t > 1 ? ` workers ${jobs}` : ''}`);
  }
  console.log(`${name.padEnd(22)} ${cells.join(' | ')}`);
}
