// `node scripts/bench-conv-passes.mjs [reps]`: CPU time and GFLOP/s of each convolution pass of the
// study's Table 3 network at batch 64 (1 thread, float32, random data; gy dense), median of reps.
// Imports the BUILT packages: run `npm run build` first.
import * as nd from '@tsgrad/ndarray';
import { convPasses, cpuMs } from './conv-passes.mjs';

nd.setCpuThreads(1);
const reps = Number(process.argv[2] ?? 15);
const g = new nd.Generator(0);
const layers = {
  conv1: { x: [64, 1, 28, 28], w: [32, 1, 5, 5], opts: { padding: 1 } },
  conv2: { x: [64, 32, 13, 13], w: [64, 32, 5, 5], opts: { stride: 3, padding: 1 } },
};
for (const { name, pass, flop, run } of convPasses(layers, g)) {
  for (let i = 0; i < 3; i++) nd.tidy(() => { run(); });
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t = cpuMs();
    nd.tidy(() => { run(); }); // the result disposed: its buffer is reused, as in a training step
    times.push(cpuMs() - t);
  }
  const ms = times.sort((a, b) => a - b)[reps >> 1];
  console.log(`${name} ${pass.padEnd(16)} ${ms.toFixed(2).padStart(7)} ms  ${(flop / ms / 1e6).toFixed(1).padStart(5)} GFLOP/s`);
}
