/**
 * Worker threads for the WebAssembly kernels. The kernels' memory is a shared `WebAssembly.Memory`;
 * each worker instantiates the same compiled module on it. A kernel is split into **shares** that
 * write disjoint memory (panels of a GEMM block's C, ranges of images of a convolution, ranges of
 * planes of a pooling): the calling thread records each worker's share as a list of kernel calls
 * (./call-list.ts), hands the lists over, runs its own share, and waits for the others. Every
 * output element is computed by the same calls in the same order whichever thread runs it, so
 * results do not depend on the thread count (bit for bit); where shares must be summed (a weight
 * gradient over images), the caller keeps each image's part and sums them in image order.
 *
 * A list is handed over through a slot of a shared Int32Array and the worker's tape (a shared
 * Int32Array of entries): the calling thread copies the entries in, writes their count and sets
 * the slot's state to 1 (posted). The worker claims the job (state 1 → 2, a compare-exchange),
 * replays the entries and sets the state back to 0. When the calling thread has done its own
 * share and a job is still unclaimed (its worker is asleep, or has no core on a loaded machine),
 * it takes the job back (1 → 0) and replays the list itself: a share never waits for a thread
 * that has not started it, so a busy machine costs at worst the time of one thread.
 *
 * Waking a sleeping thread costs ~25 µs, so after a job a worker spins for a while
 * ({@link SPIN_LOADS}) before it sleeps in `Atomics.wait`: the next kernel of a step usually
 * comes sooner, and then a round trip costs under a microsecond. Each side raises a flag before
 * it sleeps, and the other calls `Atomics.notify` only when the flag is up (a notify is a system
 * call); the state is checked by `Atomics.wait` itself, so no wake-up is lost.
 *
 * Nothing runs at import. Workers start on the first split kernel. In Node they are
 * `worker_threads`, `unref`ed (they never keep the process alive); in a browser they are module
 * Web Workers (./browser-workers.ts), offered to code running in a worker of a cross-origin
 * isolated page, and a kernel runs on the calling thread alone until they have all started.
 * Elsewhere the count is 1.
 */
import type { Worker } from 'node:worker_threads';
import { browserThreadsSupported, startBrowserWorkers, type BrowserWorkers } from './browser-workers.js';
import { CALLABLE_KERNELS, ENTRY_INTS, type CallList } from './call-list.js';

/** The least work a GEMM share is given, in multiply-adds (~2 MFLOP); smaller blocks stay on the calling thread. */
export const MIN_SPLIT_MULTIPLY_ADDS = 1 << 20;

/**
 * How many times a waiting thread polls its slot before it sleeps in `Atomics.wait` (~100 µs: an
 * `Atomics.load` in a loop takes ~10 ns here): long enough to catch the next kernel of a pass,
 * short enough not to hold a core while the calling thread does other work.
 */
export const SPIN_LOADS = 10000;

// A slot: [state (0 idle, 1 posted, 2 claimed), entries (ints), failed, jobs done, worker asleep,
// caller asleep]. Padded to 64 bytes so slots share no cache line.
const SLOT_INTS = 16;
const POSTED = 1, CLAIMED = 2;
/** Ints of a worker's first tape (256 KB, ~4,700 calls); a longer list restarts the workers with a longer one. */
const FIRST_TAPE_INTS = 1 << 16;

// The worker's whole program (CommonJS, evaluated by `new Worker(source, { eval: true })`; in a
// browser, ./browser-workers.ts supplies the `require`). It replays its tape's entries: kernel
// number, then 13 arguments (a kernel ignores those it does not take).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot, tape, kernelNames, spins } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const kernels = kernelNames.map((name) => exports[name]);
const t = tape;
for (;;) {
  for (let i = 0; i < spins && Atomics.load(control, slot) !== ${POSTED}; i++);
  if (Atomics.compareExchange(control, slot, ${POSTED}, ${CLAIMED}) !== ${POSTED}) {
    Atomics.store(control, slot + 4, 1);
    Atomics.wait(control, slot, 0);
    Atomics.store(control, slot + 4, 0);
    continue;
  }
  let failed = 0;
  for (let p = 0, end = control[slot + 1]; p < end; p += ${ENTRY_INTS}) {
    if (kernels[t[p]](t[p + 1], t[p + 2], t[p + 3], t[p + 4], t[p + 5], t[p + 6], t[p + 7], t[p + 8], t[p + 9], t[p + 10], t[p + 11], t[p + 12], t[p + 13])) failed = 1;
  }
  control[slot + 2] = failed;
  control[slot + 3]++; // jobs done, for tests
  Atomics.store(control, slot, 0);
  if (Atomics.load(control, slot + 5) === 1) Atomics.notify(control, slot);
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
 * How many shares of work the worker threads have run since they started (0 when none are running):
 * lets a test check that work was really split.
 *
 * @example
 * workerJobs(); // 0 before any large kernel on more than one thread
 */
export function workerJobs(): number {
  if (pool === undefined) return 0;
  let jobs = 0;
  for (let i = 1; i < pool.control.length / SLOT_INTS; i++) jobs += Atomics.load(pool.control, i * SLOT_INTS + 3);
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
  /** Each worker's tape, by slot (index 0, the calling thread's, is unused). */
  tapes: Int32Array[];
}

let pool: Pool | undefined;

function stopWorkers(): void {
  if (pool === undefined) return;
  for (const w of pool.workers) void w.terminate();
  pool.web?.terminate();
  pool = undefined;
}

/** The workers for `module` on `memory` (count - 1 of them) with tapes of at least `tapeInts`, started on first use. */
function workersFor(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, tapeInts: number): Pool {
  if (pool !== undefined && pool.module === module && pool.memory === memory && pool.control.length === SLOT_INTS * count
    && pool.tapes[1].length >= tapeInts) return pool;
  const length = Math.max(FIRST_TAPE_INTS, tapeInts, pool?.tapes[1]?.length ?? 0);
  stopWorkers();
  const control = new Int32Array(new SharedArrayBuffer(4 * SLOT_INTS * count));
  const tapes = Array.from({ length: count }, (_, i) => new Int32Array(new SharedArrayBuffer(i === 0 ? 4 : 4 * length)));
  const data = Array.from({ length: count - 1 }, (_, i) => ({
    module, memory, control, slot: (i + 1) * SLOT_INTS, tape: tapes[i + 1], kernelNames: [...CALLABLE_KERNELS], spins: SPIN_LOADS,
  }));
  if (typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') {
    pool = { module, memory, workers: [], web: startBrowserWorkers(WORKER_SOURCE, data), control, tapes };
    return pool;
  }
  const wt = process.getBuiltinModule('node:worker_threads');
  const workers = data.map((workerData) => {
    const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData });
    w.unref();
    return w;
  });
  pool = { module, memory, workers, control, tapes };
  return pool;
}

/** The module and memory the workers run kernels on, and the calling thread's own kernels by number (see ./call-list.ts). */
export interface ThreadTarget {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  kernels: readonly ((...args: number[]) => number | undefined)[];
}

/**
 * Runs a kernel split into shares: `lists[t - 1]` on worker t (recorded calls, see
 * ./call-list.ts) while `own()` runs the calling thread's share; a list no worker has claimed by
 * then runs on the calling thread. Returns when all are done, false if a recorded kernel failed.
 * The shares must write disjoint memory. Where the browser's workers have not started yet,
 * nothing runs and the result is undefined: the caller then runs every share itself.
 *
 * @example
 * // inside the runtime (./runtime.ts), with a list recorded for worker 1:
 * // runShares({ module, memory, kernels }, 2, [list], () => ownShare());
 */
export function runShares(target: ThreadTarget, threads: number, lists: readonly CallList[], own: () => void): boolean | undefined {
  const longest = Math.max(0, ...lists.map((l) => l.ints().length));
  const { control, web, tapes } = workersFor(target.module, target.memory, threads, longest);
  if (web !== undefined && !web.ready()) return undefined; // browser workers still starting
  lists.forEach((list, i) => {
    const slot = (i + 1) * SLOT_INTS, ints = list.ints();
    tapes[i + 1].set(ints);
    control[slot + 1] = ints.length;
    control[slot + 2] = 0;
    Atomics.store(control, slot, POSTED);
    if (Atomics.load(control, slot + 4) === 1) Atomics.notify(control, slot);
  });
  own();
  let ok = true;
  lists.forEach((list, i) => {
    const slot = (i + 1) * SLOT_INTS;
    if (Atomics.compareExchange(control, slot, POSTED, 0) === POSTED) { // never claimed: run it here
      if (!replay(target.kernels, list.ints())) ok = false;
      return;
    }
    // The worker is running it, and the calling thread has nothing else to do: poll a while, then sleep.
    for (let n = 0; n < SPIN_LOADS && Atomics.load(control, slot) !== 0; n++);
    Atomics.store(control, slot + 5, 1);
    while (Atomics.load(control, slot) !== 0) Atomics.wait(control, slot, CLAIMED);
    Atomics.store(control, slot + 5, 0);
    if (control[slot + 2] !== 0) ok = false;
  });
  return ok;
}

/** Runs recorded entries with `kernels` (what a worker does); false if one returned nonzero. */
function replay(kernels: ThreadTarget['kernels'], t: Int32Array): boolean {
  let ok = true;
  for (let p = 0; p < t.length; p += ENTRY_INTS) {
    if (kernels[t[p]](t[p + 1], t[p + 2], t[p + 3], t[p + 4], t[p + 5], t[p + 6], t[p + 7], t[p + 8], t[p + 9], t[p + 10], t[p + 11], t[p + 12], t[p + 13])) ok = false;
  }
  return ok;
}

/**
 * How many shares `items` items of `work` each (multiply-adds, or elements moved) split into on
 * `threads` threads: each share gets at least `minWork`, and no more shares than items or threads.
 *
 * @example
 * sharesFor(2, 64, 540_000, 1 << 20); // 2: 64 images of 0.54 M multiply-adds
 * sharesFor(2, 1, 540_000, 1 << 20);  // 1
 */
export function sharesFor(threads: number, items: number, work: number, minWork: number): number {
  return Math.max(1, Math.min(threads, items, Math.floor((items * work) / minWork)));
}

/**
 * The items [start, end) of share `share` of `shares`: contiguous ranges, the first ones full.
 *
 * @example
 * shareRange(10, 3, 2); // [8, 10]
 */
export function shareRange(items: number, shares: number, share: number): [number, number] {
  const per = Math.ceil(items / shares);
  return [Math.min(items, share * per), Math.min(items, (share + 1) * per)];
}
