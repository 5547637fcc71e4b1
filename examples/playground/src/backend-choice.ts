/**
 * The worker's side of the backend choice: sets the CPU thread count and makes the backend the
 * page asked for. The model is always built on the CPU backend (the same seeded weights whatever
 * trains it) and then moved to the chosen one (see `setupTraining`).
 */
import { getCpuThreads, setCpuThreads, type Backend } from '@tsgrad/ndarray';
import type { GpuBackend } from '@tsgrad/gpu';
import { GPU_MODE_BLOCKED, type BackendId } from './backend-info.js';

/** The backend to train on (undefined: the CPU backend) and the CPU threads it uses. */
export interface ChosenBackend {
  backend: Backend | undefined;
  threads: number;
}

// The GPU backend made last: its textures and GL context are freed when another one is chosen.
let gpu: GpuBackend | undefined;

/**
 * Sets up backend `id` with `threads` CPU threads (for 'cpu-threads'); throws, saying why, where
 * this context cannot run it. `@tsgrad/gpu` (and gpu.js) load only when a GPU mode is chosen.
 *
 * @example
 * await chooseBackend('cpu-threads', 4); // { backend: undefined, threads: 4 } in an isolated page's worker
 */
export async function chooseBackend(id: BackendId, threads: number): Promise<ChosenBackend> {
  gpu?.destroy();
  gpu = undefined;
  switch (id) {
    case 'cpu':
      setCpuThreads(1);
      return { backend: undefined, threads: 1 };
    case 'cpu-threads': {
      if (!Number.isInteger(threads) || threads < 2) throw new Error(`CPU threads: expected an integer >= 2, got ${threads}`);
      setCpuThreads(threads);
      const got = getCpuThreads();
      if (got !== threads) {
        setCpuThreads(1);
        throw new Error(`CPU threads: asked for ${threads}, this worker can use ${got} (the page must be cross-origin isolated for SharedArrayBuffer)`);
      }
      return { backend: undefined, threads };
    }
    case 'gpu-webgl2':
    case 'gpu-webgpu': {
      const mode = id === 'gpu-webgl2' ? 'webgl2' : 'webgpu';
      const why = GPU_MODE_BLOCKED[mode];
      if (why !== null) throw new Error(`GPU.js ${mode}: ${why}`);
      const { createGpuBackend, gpuModeAvailable } = await import('@tsgrad/gpu');
      const probe = await gpuModeAvailable(mode); // in this worker: an OffscreenCanvas
      if (!probe.available) throw new Error(`GPU.js ${mode} cannot run in the training worker: ${probe.reason}`);
      setCpuThreads(1); // the CPU's part (batches, reads) stays on the worker's thread
      gpu = createGpuBackend(mode);
      return { backend: gpu, threads: 1 };
    }
  }
}
