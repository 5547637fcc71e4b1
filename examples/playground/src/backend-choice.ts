/**
 * The worker's side of the backend choice: sets the CPU thread count and makes the backend the
 * page asked for. The model is always built on the CPU backend (the same seeded weights whatever
 * trains it) and then moved to the chosen one (see `setupTraining`).
 *
 * WebGPU trains through `@tsgrad/gpu`'s captured step (docs/guides/gpu.md, "On webgpu"): gpu.js's
 * webgpu kernels are asynchronous, so the model lives on gpu.js webasm, where the first steps run
 * eagerly and the step is recorded, and later steps replay the recording on the WebGPU device,
 * the parameters and Adam's moments kept there until `sync()`.
 */
import { getCpuThreads, setCpuThreads, type Backend } from '@tsgrad/ndarray';
import type { GpuBackend, WebGpuRunner } from '@tsgrad/gpu';
import { GPU_MODE_BLOCKED, webgpuInUse, type BackendId } from './backend-info.js';
import type { AsyncStep, StepParts } from './session.js';

/** The backend to train on (undefined: the CPU backend) and the CPU threads it uses. */
export interface ChosenBackend {
  backend: Backend | undefined;
  threads: number;
  /** WebGPU: makes the run's captured step, replayed on the device. */
  capture?: (t: StepParts) => AsyncStep;
  /** The backend in words, where its own description would not say it (WebGPU). */
  text?: string;
}

// The GPU backend (and WebGPU device) made last: freed when another one is chosen.
let gpu: GpuBackend | undefined;
let device: WebGpuRunner | undefined;

/**
 * Kernel dispatches on the WebGPU device chosen last, so far (0 when WebGPU is not in use).
 *
 * @example
 * webgpuLaunches(); // 0 until a captured step replays on the device
 */
export function webgpuLaunches(): number {
  return device?.launches ?? 0;
}

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
  device?.destroy();
  device = undefined;
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
    case 'gpu-webgpu': {
      const why = GPU_MODE_BLOCKED.webgpu;
      if (why !== null) throw new Error(`GPU.js webgpu: ${why}`);
      const { WebGpuRunner, compileStep, createGpuBackend, gpuModeAvailable } = await import('@tsgrad/gpu');
      const probe = await gpuModeAvailable('webgpu'); // navigator.gpu's adapter, in this worker
      if (!probe.available) throw new Error(`GPU.js webgpu cannot run in the training worker: ${probe.reason}`);
      setCpuThreads(1);
      const recorder = createGpuBackend('webasm');
      const runner = new WebGpuRunner();
      [gpu, device] = [recorder, runner];
      return {
        backend: recorder,
        threads: 1,
        capture: (t) => compileStep(t.model, t.lossFn, t.optimizer, { replayOn: runner }),
        text: webgpuInUse(probe.reason, probe.software === true, recorder.describe().name),
      };
    }
    case 'gpu-webgl2': {
      const mode = 'webgl2';
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
