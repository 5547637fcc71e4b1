// `npm run bench`: tsgrad's CPU kernels on the study CNN's workloads, next to PyTorch.
//
// Imports the BUILT package (packages/ndarray/dist, via the workspace link), so run it after
// `npm run build` (the npm script does). Every workload is timed as the median of REPS runs after
// two warm-up runs, float32, one thread. The workloads (scripts/bench-workloads.json) are the
// im2row gemms of the study's two convs, the convs themselves (forward and both gradients), the
// two max pools, conv1's elementwise work (bias add, ReLU, bias gradient), and the per-call
// overhead of a tiny elementwise add.
//
// PyTorch's side comes from scripts/bench_torch.py (run with /usr/bin/python3 at 1 thread and
// at 2 threads); if python3 or torch is missing, tsgrad's numbers are printed alone.
// "ratio" is tsgrad's time / PyTorch's time: how many times slower tsgrad is.
//
// Usage: node scripts/bench.mjs [--reps 7] [--clock wall|cpu] [--no-torch] [--json out.json]
//        node scripts/bench.mjs training [...]: training steps instead (scripts/bench-training.mjs)
//        node scripts/bench.mjs --backend gpu[:mode] [...]: @tsgrad/gpu's modes (scripts/bench-gpu.mjs)
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as nd from '@tsgrad/ndarray';
import { enableRelaxedSimd } from '../examples/mnist-cnn/dist/relaxed-simd.js';

const args = process.argv.slice(2);
// As `npm run mnist`: relaxed SIMD's fused multiply-add on Node 20 too (--no-fma: without it), set
// before the first kernel compiles.
if (!args.includes('--no-fma')) enableRelaxedSimd();
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const REPS = Number(option('--reps', '7'));
const workloads = JSON.parse(readFileSync(new URL('./bench-workloads.json', import.meta.url), 'utf8'));

// --clock cpu times this process's CPU time instead of wall time (both sides): on a loaded machine
// it is steadier, though for PyTorch at 2 threads it is the sum over both threads.
const CLOCK = option('--clock', 'wall');
if (CLOCK !== 'wall' && CLOCK !== 'cpu') throw new Error(`--clock must be wall or cpu, got ${CLOCK}`);
const now = CLOCK === 'cpu' ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();

/** Median time in ms of `reps` runs of fn, after two warm-up runs. */
function medianMs(fn, reps = REPS) {
  fn();
  fn();
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    fn();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** A float32 [rows, cols] operand; transposed ones are views of a [cols, rows] array, as the conv backward passes see them. */
function operand(rows, cols, transposed) {
  return transposed ? nd.randn([cols, rows]).transpose(0, 1) : nd.randn([rows, cols]);
}

/** The gradient a conv output y receives in the study: through ReLU, then a max pool of size `pool`. */
function trainingGrad(y, pool) {
  const relu = y.relu();
  const opts = { kernel: [pool, pool], stride: [pool, pool], padding: [0, 0], dilation: [1, 1], ceilMode: false };
  const { values, indices } = nd.maxPool2d(relu, opts);
  return nd.maxPool2dBackward(nd.randn(values.shape), indices, relu.shape).mul(y.gt(0).astype('float32'));
}

/** `[64,32,26,26]`: a shape as the row names print it (bench_torch.py names rows the same way). */
const fmtShape = (shape) => `[${shape.join(',')}]`;

/** Runs one workload group; a missing API gives a note instead of a number. */
function measure(rows, notes, label, needs, body) {
  const missing = needs.filter((name) => typeof nd[name] !== 'function');
  if (missing.length > 0) {
    notes.push(`${label}: not measured, @tsgrad/ndarray does not export ${missing.join(', ')} yet`);
    return;
  }
  try {
    body();
  } catch (err) {
    notes.push(`${label}: failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function runTsgrad() {
  const rows = {}, gflop = {}, notes = [];
  if (typeof nd.manualSeed === 'function') nd.manualSeed(0);
  for (const mm of workloads.matmul) {
    const name = `matmul ${mm.name}`;
    measure(rows, notes, name, ['randn'], () => {
      const a = operand(mm.m, mm.k, mm.transposeA === true), b = operand(mm.k, mm.n, mm.transposeB === true);
      rows[name] = medianMs(() => a.matmul(b));
      gflop[name] = (2 * mm.m * mm.k * mm.n) / 1e9;
    });
  }
  for (const conv of workloads.conv2d) {
    measure(rows, notes, conv.name, ['randn', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight'], () => {
      const x = nd.randn(conv.input), w = nd.randn(conv.weight);
      const opts = { stride: conv.stride, padding: conv.padding, dilation: [1, 1], groups: 1 };
      const gy = nd.randn(nd.conv2d(x, w, opts).shape);
      rows[`${conv.name} forward`] = medianMs(() => nd.conv2d(x, w, opts));
      rows[`${conv.name} backward input`] = medianMs(() => nd.conv2dBackwardInput(gy, w, conv.input, opts));
      rows[`${conv.name} backward weight`] = medianMs(() => nd.conv2dBackwardWeight(gy, x, conv.weight, opts));
    });
    // In training, gy reaches a conv through ReLU and a max pool: mostly zeros (see 04-kernels.md).
    measure(rows, notes, `${conv.name} (training gy)`, ['randn', 'conv2d', 'maxPool2d', 'maxPool2dBackward'], () => {
      const x = nd.randn(conv.input), w = nd.randn(conv.weight);
      const opts = { stride: conv.stride, padding: conv.padding, dilation: [1, 1], groups: 1 };
      const gy = trainingGrad(nd.conv2d(x, w, opts), conv.pool);
      rows[`${conv.name} backward input, training gy`] = medianMs(() => nd.conv2dBackwardInput(gy, w, conv.input, opts));
      rows[`${conv.name} backward weight, training gy`] = medianMs(() => nd.conv2dBackwardWeight(gy, x, conv.weight, opts));
    });
  }
  for (const pool of workloads.maxPool2d) {
    measure(rows, notes, pool.name, ['randn', 'maxPool2d', 'maxPool2dBackward'], () => {
      const x = nd.randn(pool.input);
      const opts = { kernel: [pool.kernel, pool.kernel], stride: [pool.stride, pool.stride], padding: [0, 0], dilation: [1, 1], ceilMode: false };
      const { values, indices } = nd.maxPool2d(x, opts);
      const gy = nd.randn(values.shape);
      rows[`${pool.name} forward`] = medianMs(() => nd.maxPool2d(x, opts));
      rows[`${pool.name} backward`] = medianMs(() => nd.maxPool2dBackward(gy, indices, pool.input));
    });
  }
  // The elementwise work around conv1 in a training step: the bias add, ReLU, the bias gradient.
  for (const ew of workloads.elementwise) {
    measure(rows, notes, ew.name, ['randn'], () => {
      const x = nd.randn(ew.input), b = nd.randn(ew.bias);
      rows[`bias add ${fmtShape(ew.input)}+${fmtShape(ew.bias)}`] = medianMs(() => x.add(b));
      rows[`relu ${fmtShape(ew.input)}`] = medianMs(() => x.relu());
      rows[`bias grad sum ${fmtShape(ew.input)}->${fmtShape(ew.bias)}`] = medianMs(() => x.sumTo(ew.bias));
    });
  }
  measure(rows, notes, 'add [4]+[4]', ['randn'], () => {
    const a = nd.randn([4]), b = nd.randn([4]);
    if (typeof a.add !== 'function') throw new Error('NDArray has no add method yet');
    const calls = workloads.tinyCalls;
    rows['add [4]+[4] per call'] = medianMs(() => {
      for (let i = 0; i < calls; i++) a.add(b);
    }) / calls;
  });
  return { rows, gflop, notes };
}

/** PyTorch's numbers, or null with the reason when python3/torch cannot run. */
function runTorch() {
  if (args.includes('--no-torch')) return { torch: null, why: '--no-torch given' };
  try {
    const out = execFileSync('/usr/bin/python3', [new URL('./bench_torch.py', import.meta.url).pathname, '--reps', String(REPS), '--clock', CLOCK], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000,
    });
    return { torch: JSON.parse(out.trim().split('\n').pop()), why: '' };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { torch: null, why: `PyTorch side unavailable (${msg}); tsgrad's numbers alone` };
  }
}

const fmtMs = (ms) => (ms === undefined ? '-' : ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(2)} ms`);
const fmtRatio = (ours, theirs) => (ours === undefined || theirs === undefined ? '-' : `${(ours / theirs).toFixed(2)}x`);

function printTable(ours, torch) {
  const t1 = torch?.threads['1'] ?? {}, t2 = torch?.threads['2'] ?? {};
  const header = ['workload', 'tsgrad', 'GFLOP/s', ...(torch ? ['torch 1 thr', 'ratio', 'torch 2 thr', 'ratio'] : [])];
  const lines = [];
  for (const [name, ms] of Object.entries(ours.rows)) {
    const gf = ours.gflop[name] !== undefined ? (ours.gflop[name] / (ms / 1000)).toFixed(2) : '';
    const cells = [name, fmtMs(ms), gf];
    if (torch) cells.push(fmtMs(t1[name]), fmtRatio(ms, t1[name]), fmtMs(t2[name]), fmtRatio(ms, t2[name]));
    lines.push(cells);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
}

// Wall times move with the machine's load: print it, so two runs can be compared fairly.
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** The kernel benchmark: every workload, tsgrad and PyTorch, printed as one table. */
function main() {
  const loadBefore = load();
  const ours = runTsgrad();
  const { torch, why } = runTorch();
  console.log(`tsgrad bench: node ${process.version}, float32, median ${CLOCK} time of ${REPS} runs` + (torch ? `; PyTorch ${torch.torch}` : ''));
  console.log(`machine: ${cpus().length} cpus, load average ${loadBefore} before and ${load()} after (1, 5, 15 min)`);
  console.log('ratio = tsgrad time / PyTorch time (lower is better; 1.00x is parity)\n');
  printTable(ours, torch);
  const step = ['conv1 forward', 'conv1 backward weight, training gy', 'conv2 forward', 'conv2 backward input, training gy', 'conv2 backward weight, training gy', 'pool1 forward', 'pool1 backward', 'pool2 forward', 'pool2 backward'];
  if (step.every((k) => ours.rows[k] !== undefined)) {
    const sum = step.reduce((s, k) => s + ours.rows[k], 0);
    console.log(`\nconv + pool kernels of one training step (training gy; conv1 needs no input gradient): ${sum.toFixed(1)} ms; x 1876 steps = ${(sum * 1.876).toFixed(0)} s`);
  }
  for (const note of [...ours.notes, ...(why ? [why] : [])]) console.log(`note: ${note}`);
  const jsonOut = option('--json', undefined);
  if (jsonOut !== undefined) {
    writeFileSync(`${jsonOut}.tmp`, JSON.stringify({ tsgrad: ours, torch }, null, 2));
    renameSync(`${jsonOut}.tmp`, jsonOut);
  }
}

const backendArg = option('--backend', 'cpu');
if (backendArg === 'gpu' || backendArg.startsWith('gpu:')) {
  const { runGpuBench } = await import('./bench-gpu.mjs');
  await runGpuBench(backendArg, args);
} else if (backendArg !== 'cpu') {
  throw new Error(`--backend: unknown backend "${backendArg}" (choose cpu, gpu, gpu:webasm, gpu:cpu, gpu:webgpu)`);
} else if (args[0] === 'training') {
  const { runTrainingBench } = await import('./bench-training.mjs');
  await runTrainingBench(args.slice(1));
} else {
  main();
}
