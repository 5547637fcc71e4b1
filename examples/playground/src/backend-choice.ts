/**
 * The worker's side of the backend choice: sets the CPU thread count and makes the backend the
 * page asked for. The model is always built on the CPU backend (the same seeded weights whatever
 * trains it) and then moved to the chosen one (see `setupTraining`).
 */
import { getCpuThreads, setCpuThreads, type Backend } from '@tsgrad/ndarray';
import { GPU_MODE_BLOCKED, type BackendId } from './backend-info.js';

/** The backend to train on (undefined: the CPU backend) and the CPU threads it uses. */
export interface ChosenBackend {
  backend: Backend | undefined;
  threads: number;
}

/**
 * Sets up backend `id` with `threads` CPU threads (for 'cpu-threads'); throws, saying why, where
 * this context cannot run it.
 *
 * @example
 * await chooseBackend('cpu-threads', 4); // { backend: undefined, threads: 4 } in an isolated page's worker
 */
export async function chooseBackend(id: BackendId, threads: number): Promise<ChosenBackend> {
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
      throw new Error(`GPU.js ${mode}: not wired up in this page`);
    }
  }
}
