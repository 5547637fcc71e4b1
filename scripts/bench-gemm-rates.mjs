// `node scripts/bench-gemm-rates.mjs [reps]`: GFLOP/s of float32 matmul on 1 thread (the wasm GEMM,
// operands copied in and the result out) for the shapes in docs/perf.md, best CPU time of reps.
// Imports the BUILT packages: run `npm run build` first.
import * as nd from '@tsgrad/ndarray';

nd.setCpuThreads(1);
const reps = Number(process.argv[2] ?? 8);
const g = new nd.Generator(0);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (const [m, k, n] of [[512, 512, 512], [1024, 800, 64], [43264, 25, 32]]) {
  const a = nd.randn([m, k], { generator: g }), b = nd.randn([k, n], { generator: g });
  let best = Infinity;
  for (let i = 0; i < reps + 2; i++) {
    const t = cpuMs();
    nd.tidy(() => { a.matmul(b); });
    if (i >= 2) best = Math.min(best, cpuMs() - t);
  }
  console.log(`[${m}x${k}]·[${k}x${n}]  ${best.toFixed(2)} ms  ${((2 * m * k * n) / best / 1e6).toFixed(1)} GFLOP/s`);
}
