/**
 * Worker threads for the WebAssembly GEMM. The kernels' memory is a shared `WebAssembly.Memory`;
 * each worker instantiates the same compiled module on it, so the main thread packs A and B once
 * and the threads each run the micro-kernels over their own panels of B (their own columns of C).
 * Every element of C is computed by the same instructions in the same order whichever thread runs
 * it, so results do not depend on the thread count (bit for bit).
 *
 * A job is handed over through a slot of a shared Int32Array: the main thread writes the
 * arguments, sets the slot's state to 1 and wakes the worker (`Atomics.notify`); the worker runs
 * `gemmBlock`, sets the state back to 0 and wakes the main thread, which meanwhile did its own
 * share. A round trip costs ~25 µs, so every thread gets at least 2^20 multiply-adds (~2 MFLOP).
 *
 * Nothing runs at import. Workers start on the first split block. In Node they are
 * `worker_threads`, `unref`ed (they never keep the process alive); in a browser they are module
 * Web Workers (./browser-workers.ts), offered to code running in a worker of a cross-origin
 * isolated page, and a block runs on the calling thread alone until they have all started.
 * Elsewhere the count is 1.
 */
import type { Worker } from 'node:worker_threads';
import { browserThreadsSupported, startBrowserWorkers, type BrowserWorkers } from './browser-workers.js';

/** The least work a thread is given, in multiply-adds (~2 MFLOP); smaller blocks stay on the calling thread. */
export const MIN_SPLIT_MULTIPLY_ADDS = 1 << 20;

const SLOT_INTS = 16;

// The worker's whole program (CommonJS, evaluated by `new Worker(source, { eval: true })`; in a
// browser, ./browser-workers.ts supplies the `require`).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot } = workerData;
const { gemmBlock } = new WebAssembly.Instance(module, { env: { memory } }).exports;
for (;;) {
  Atomics.wait(control, slot, 0);
  gemmBlock(control[slot + 1], control[slot + 2], control[slot + 3], control[slot + 4],
    control[slot + 5], control[slot + 6], control[slot + 7], control[slot + 8]);
  control[slot + 9]++; // jobs done, for tests
  Atomics.store(control, slot, 0);
  Atomics.notify(control, slot);
}
`;

let requested: number | undefined;

/**
 * Sets how many threads the CPU kernels may use (the calling thread included); 1 disables worker
 * threads. The default is the number of available cores.
 *
 * @example
 * setCpuThreads(1); // everything on the calling thread
 * setCpuThreads(4);
 */
export function setCpuThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`setCpuThreads: threads must be an integer >= 1, got ${threads}`);
  requested = threads;
  stopWorkers();
}

/**
 * The thread count the CPU kernels use: as set by {@link setCpuThreads}, else the available cores
 * (Node's `os.availableParallelism()`, a browser's `navigator.hardwareConcurrency`), else 1 where
 * worker threads or shared memory are missing (and on a page's main thread, which may not block).
 *
 * @example
 * getCpuThreads(); // 2 on a two-core machine
 */
export function getCpuThreads(): number {
  cores ??= availableCores();
  return cores === 0 ? 1 : requested ?? cores;
}

// The available cores, or 0 where worker threads or shared memory are missing; asked once, on first use.
let cores: number | undefined;

function availableCores(): number {
  const supported = typeof SharedArrayBuffer === 'function' && typeof process === 'object'
    && typeof process.getBuiltinModule === 'function' && process.getBuiltinModule('node:worker_threads') !== undefined;
  if (supported) return Math.max(1, process.getBuiltinModule('node:os').availableParallelism());
  return browserThreadsSupported() ? Math.max(1, navigator.hardwareConcurrency || 1) : 0;
}

/**
 * How many gemm blocks the worker threads have run since they started (0 when none are running):
 * lets a test check that work was really split.
 *
 * @example
 * workerJobs(); // 0 before any large product on more than one thread
 */
export function workerJobs(): number {
  if (pool === undefined) return 0;
  let jobs = 0;
  for (let i = 1; i < pool.control.length / SLOT_INTS; i++) jobs += Atomics.load(pool.control, i * SLOT_INTS + 9);
  return jobs;
}

/**
 * Why the browser's worker threads failed to start, or undefined (none failed, or none started):
 * until they run, the kernels run on the calling thread alone.
 *
 * @example
 * workerError(); // undefined
 */
export function workerError(): string | undefined {
  return pool?.web?.error;
}

interface Pool {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  workers: Worker[];
  /** The Web Workers, in a browser (then `workers` is empty). */
  web?: BrowserWorkers;
  control: Int32Array;
}

let pool: Pool | undefined;

function stopWorkers(): void {
  if (pool === undefined) return;
  for (const w of pool.workers) void w.terminate();
  pool.web?.terminate();
  pool = undefined;
}

/** The workers for `module` on `memory` (count - 1 of them), started on first use. */
function workersFor(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number): Pool {
  if (pool !== undefined && pool.module === module && pool.memory === memory && pool.control.length === SLOT_INTS * count) return pool;
  stopWorkers();
  const control = new Int32Array(new SharedArrayBuffer(4 * SLOT_INTS * count));
  if (typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') {
    const data = Array.from({ length: count - 1 }, (_, i) => ({ module, memory, control, slot: (i + 1) * SLOT_INTS }));
    pool = { module, memory, workers: [], web: startBrowserWorkers(WORKER_SOURCE, data), control };
    return pool;
  }
  const wt = process.getBuiltinModule('node:worker_threads');
  const workers = Array.from({ length: count - 1 }, (_, i) => {
    const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, slot: (i + 1) * SLOT_INTS } });
    w.unref();
    return w;
  });
  pool = { module, memory, workers, control };
  return pool;
}

/**
 * Runs `gemmBlock(pa, pb, c, mc, nc, kc, ldcBytes, accumulate)` over `threads` threads, each taking
 * a contiguous range of the nc/8 panels of B (and so of C's columns); the calling thread takes
 * the first range and waits for the others. Small blocks run on the calling thread alone.
 *
 * @example
 * // inside gemmWasm, with rt = wasmRuntime():
 * // splitGemmBlock(rt, pa, pb, c, 128, 256, 256, 1024, false);
 */
export function splitGemmBlock(
  target: { module: WebAssembly.Module; memory: WebAssembly.Memory; gemmBlock: (...args: number[]) => void },
  threads: number, pa: number, pb: number, c: number, mc: number, nc: number, kc: number, ldcBytes: number, accumulate: number,
): void {
  const panels = nc / 8;
  const parts = Math.min(threads, panels, Math.floor((mc * nc * kc) / MIN_SPLIT_MULTIPLY_ADDS));
  if (parts <= 1) {
    target.gemmBlock(pa, pb, c, mc, nc, kc, ldcBytes, accumulate);
    return;
  }
  const { control, web } = workersFor(target.module, target.memory, threads);
  if (web !== undefined && !web.ready()) {
    target.gemmBlock(pa, pb, c, mc, nc, kc, ldcBytes, accumulate); // browser workers still starting
    return;
  }
  const per = Math.ceil(panels / parts);
  const posted: number[] = [];
  for (let t = 1; t < parts; t++) {
    const p0 = t * per, p1 = Math.min(panels, p0 + per);
    if (p0 >= p1) break;
    const slot = t * SLOT_INTS;
    control.set([pa, pb + p0 * kc * 32, c + p0 * 32, mc, (p1 - p0) * 8, kc, ldcBytes, accumulate], slot + 1);
    Atomics.store(control, slot, 1);
    Atomics.notify(control, slot);
    posted.push(slot);
  }
  target.gemmBlock(pa, pb, c, mc, Math.min(per, panels) * 8, kc, ldcBytes, accumulate);
  for (const slot of posted) {
    while (Atomics.load(control, slot) !== 0) Atomics.wait(control, slot, 1);
  }
}
