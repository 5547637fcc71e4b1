/**
 * The CPU kernels' worker threads in a browser: module Web Workers on the same shared
 * `WebAssembly.Memory`. ./threads.ts writes one worker program for Node's `worker_threads`
 * (CommonJS: it reads `require('node:worker_threads').workerData`); here the same program text
 * runs in a Web Worker made from a Blob URL, wrapped in a function whose `require` hands it the
 * data that arrived in the worker's first message. A generated Blob needs no file beside the
 * library, so it works the same from the tsup build and from a Vite bundle of the sources.
 *
 * Two things differ from Node. A browser only lets a thread block (`Atomics.wait`) in a worker,
 * so threads are offered only to code that itself runs in a worker of a cross-origin isolated
 * page (which is what makes `SharedArrayBuffer` and shared memories exist). And a worker started
 * from a worker only starts once its parent's event loop turns, so a job must never wait on a
 * worker that has not started: each worker raises a flag when its program begins, and
 * {@link BrowserWorkers.ready} tells the caller whether all of them have.
 */

/** What each worker's program receives as `workerData` (as with Node's `worker_threads`). */
export interface ThreadWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  slot: number;
  /** The worker's list of kernel calls to replay (see ./threads.ts). */
  tape: Int32Array;
  /** The exports a call names, by number. */
  kernelNames: string[];
  /** Polls of its slot before the worker sleeps. */
  spins: number;
}

/** Web Workers running a thread program. */
export interface BrowserWorkers {
  /** True once every worker's program has begun (it then answers jobs posted to its slot). */
  ready(): boolean;
  /** The first error a worker reported (it will never be ready), or undefined. */
  readonly error: string | undefined;
  /** Ends the workers and frees the script's URL. */
  terminate(): void;
}

/**
 * Whether this browser context can run the CPU kernels on worker threads: it is a worker (only
 * a worker may block in `Atomics.wait`) of a cross-origin isolated page (shared memory exists)
 * that can start workers of its own.
 *
 * @example
 * browserThreadsSupported(); // false: under Node (worker_threads there); true in a module worker of a page sent with COOP/COEP headers
 */
export function browserThreadsSupported(): boolean {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true
    && typeof Worker === 'function' && typeof Blob === 'function' && typeof document === 'undefined';
}

/**
 * The Web Worker's script: it waits for its data, raises its ready flag, then runs `program`
 * (Node-style CommonJS that reads `require('node:worker_threads').workerData`).
 *
 * @example
 * browserWorkerScript("const { workerData } = require('node:worker_threads'); postMessage(workerData.slot);");
 */
export function browserWorkerScript(program: string): string {
  return `
onmessage = (event) => {
  onmessage = null;
  const { workerData, ready, index } = event.data;
  const require = (name) => {
    if (name !== 'node:worker_threads') throw new Error('tsgrad thread worker: cannot require "' + name + '" in a browser');
    return { workerData };
  };
  Atomics.store(ready, index, 1);
  ((require) => {
${program}
  })(require);
};
`;
}

/**
 * Starts one module Web Worker per entry of `data`, each running `program` with its entry as
 * `workerData`. Returns at once: the workers start when the caller's event loop next turns.
 *
 * @example
 * // snippet: skip needs a browser worker, a compiled kernel module and its shared memory (browser-threads.test.ts runs this)
 * const workers = startBrowserWorkers(program, [{ module, memory, control, slot: 16 }]);
 * await new Promise((r) => setTimeout(r, 50));
 * workers.ready(); // true once the worker runs
 */
export function startBrowserWorkers(program: string, data: readonly ThreadWorkerData[]): BrowserWorkers {
  const url = URL.createObjectURL(new Blob([browserWorkerScript(program)], { type: 'text/javascript' }));
  const ready = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, data.length)));
  let error: string | undefined;
  const workers = data.map((workerData, index) => {
    const w = new Worker(url, { type: 'module', name: `tsgrad-cpu-thread-${index + 1}` });
    w.addEventListener('error', (e) => {
      error ??= `tsgrad CPU thread ${index + 1} failed: ${e.message || 'its script did not load'}`;
    });
    w.postMessage({ workerData, ready, index });
    return w;
  });
  return {
    ready: () => error === undefined && data.every((_, i) => Atomics.load(ready, i) === 1),
    get error() {
      return error;
    },
    terminate() {
      for (const w of workers) w.terminate();
      URL.revokeObjectURL(url);
    },
  };
}
