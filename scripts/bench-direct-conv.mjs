// `node scripts/bench-direct-conv.mjs [reps] [threads]`: CPU time and GFLOP/s of the three passes of the study's layers with few input channels x taps at batch 64 (1 thread, float32, random data), through
// the direct kernels (cpu/wasm/direct-conv-wasm.ts) and through im2col + GEMM (setDirectConv(false)),
// side by side in one run: the two alternate, medians of reps each.
// Imports the BUILT packages: run `npm run build` first.
import * as nd from '@tsgrad/ndarray';
import { convPasses, cpuMs } from './conv-passes.mjs';

nd.setCpuThreads(Number(process.argv[3] ?? 1));
const reps = Number(process.argv[2] ?? 41);
const g = new nd.Generator(0);
const layers = {
  't3 conv1': { x: [64, 1, 28, 28], w: [32, 1, 5, 5], opts: { padding: 1 } },
  't1 conv1': { x: [64, 1, 28, 28], w: [4, 1, 3, 3], opts: {} },
  't1 conv2': { x: [64, 4, 13, 13], w: [2, 4, 3, 3], opts: { stride: 3 } },
};
const median = (a) => a.sort((p, q) => p - q)[a.length >> 1];
for (const { name, pass, flop, run } of convPasses(layers, g)) {
  const times = { direct: [], im2col: [] };
  for (let i = 0; i < reps + 3; i++) {
    for (const path of ['direct', 'im2col']) {
      nd.setDirectConv(path === 'direct');
      const t = cpuMs();
      nd.tidy(() => { run(); });
      if (i >= 3) times[path].push(cpuMs() - t);
    }
  }
  nd.setDirectConv(true);
  const line = Object.entries(times).map(([path, t]) => {
    const ms = median(t);
    return `${path} ${ms.toFixed(3).padStart(6)} ms ${(flop / ms / 1e6).toFixed(1).padStart(5)} GFLOP/s`;
  });
  console.log(`${name} ${pass.padEnd(16)} ${line.join('   ')}   ratio ${(median(times.im2col) / median(times.direct)).toFixed(2)}x`);
}
