import { renameSync, writeFileSync } from 'node:fs';
import { cpuBackend, getCpuThreads, wasmFeatures, type Backend } from '@tsgrad/ndarray';
import type { BackendName, CliOptions } from './args.js';
import { prepareCheckpointPath, type Checkpoint } from './checkpoint.js';
import { loadMnist } from './data.js';
import { networkSvg } from './diagram.js';
import { median, medianEpochLine, totalTimeLine } from './format.js';
import { buildModel, CONFIGS, describeNet } from './network.js';
import { ConsoleReporter, type Output } from './reporter.js';
import { resumeOptions } from './resume.js';
import { formatSummary, summaryRows } from './summary.js';
import { train, type TrainResult } from './train.js';

/**
 * Writes a text file under a temporary name, then renames it into place.
 *
 * @example
 * writeFileAtomic('net.svg', svg);
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** `n word`, with an s unless n is 1. */
const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What the run trains on, e.g. `Training on 60000 images` or, with `--steps 50`,
 * `Training on 3200 images an epoch (50 shuffled batches of 64 from 60000)`.
 *
 * @example
 * trainingOn(60000, 64, 50); // 'Training on 3200 images an epoch (50 shuffled batches of 64 from 60000)'
 */
export function trainingOn(images: number, batchSize: number, steps: number | undefined): string {
  const seen = steps ? Math.min(images, steps * batchSize) : images;
  if (seen === images) return `Training on ${images} images`;
  const batches = steps === 1 ? '1 shuffled batch' : `${steps} shuffled batches`;
  return `Training on ${seen} images an epoch (${batches} of ${batchSize} from ${images})`;
}

/**
 * The backend's name and, for the CPU backend, how its kernels run: threads and WebAssembly features.
 *
 * @example
 * backendDescription(cpuBackend); // e.g. 'cpu (2 threads, WebAssembly SIMD with fused multiply-add)'
 */
export function backendDescription(backend: Backend): string {
  if (backend !== cpuBackend) return backend.name;
  const { simd, relaxedSimd } = wasmFeatures();
  const kernels = !simd ? 'TypeScript kernels' : relaxedSimd ? 'WebAssembly SIMD with fused multiply-add' : 'WebAssembly SIMD';
  const threads = getCpuThreads();
  return `cpu (${threads} thread${threads === 1 ? '' : 's'}, ${kernels})`;
}

/**
 * The backend `--backend` names, for `gpu:auto` why it was chosen, for `gpu:webgpu` the adapter.
 * `@tsgrad/gpu` (and gpu.js with it) is loaded only when asked for.
 *
 * @example
 * (await createBackend('gpu:webasm')).backend.name; // 'gpu:webasm'
 * (await createBackend('gpu:auto')).reason; // e.g. 'cpu: gpu:webasm took 38.1 ms on the 256x256 matmul probe, ...'
 */
export async function createBackend(name: BackendName): Promise<{ backend: Backend; reason?: string; adapter?: string }> {
  if (name === 'cpu') return { backend: cpuBackend };
  const { chooseBackend, createGpuBackend, gpuModeAvailable, installNodeWebGPU } = await import('@tsgrad/gpu');
  if (name === 'gpu:auto') return chooseBackend();
  if (name === 'gpu:headlessgl') {
    const gl = await gpuModeAvailable('headlessgl');
    if (!gl.available) throw new Error(`--backend gpu:headlessgl: ${gl.reason}`);
    return { backend: createGpuBackend('headlessgl') };
  }
  if (name === 'gpu:webgpu') {
    // Node has no navigator.gpu: installed from the webgpu package (Dawn), software adapters included
    const webgpu = await installNodeWebGPU().catch((e: unknown) => {
      throw new Error(`--backend gpu:webgpu: WebGPU could not be set up (${e instanceof Error ? e.message : String(e)})`);
    });
    if (webgpu === null) throw new Error('--backend gpu:webgpu: no WebGPU adapter answered (Dawn over OpenGL ES; on Linux without a GPU, Mesa EGL gives llvmpipe: docs/guides/gpu.md)');
    return { backend: createGpuBackend('webgpu'), adapter: `${webgpu.adapter}${webgpu.software ? ' (software)' : ''}` };
  }
  return { backend: createGpuBackend(name === 'gpu:cpu' ? 'cpu' : 'webasm') };
}

/**
 * The CLI's work, given parsed options: check the files it was given (`--resume` first, whose
 * checkpoint also supplies the run's settings), load MNIST, print the model summary, train, print
 * the study's lines. Returns the run (its `stopped` is true when `signal` interrupted it), or null
 * when there was nothing to train (`--svg` writes the diagram and exits).
 *
 * @example
 * const parsed = parseCli(['--steps', '10', '--test-subset', '1000']);
 * if (parsed.kind === 'run') await runCli(parsed.options, process.stdout);
 */
export async function runCli(given: CliOptions, out: Output, signal?: AbortSignal): Promise<TrainResult | null> {
  let options = given;
  let loaded: Checkpoint | undefined;
  if (given.resume) ({ options, checkpoint: loaded } = await resumeOptions(given));
  const { train: config } = options;
  const where = options.save ?? options.resume;
  if (where) prepareCheckpointPath(where, options.save ? '--save' : '--resume');
  const reporter = new ConsoleReporter(out);

  const stateDict = buildModel(config.net).stateDict(); // a throwaway model: train() reseeds before building its own
  if (options.svg) {
    writeFileAtomic(options.svg, networkSvg(config.net, stateDict));
    reporter.line(`Wrote the network diagram to ${options.svg}`);
    return null;
  }
  reporter.line('Loading MNIST dataset...');
  const data = await loadMnist(options);
  const modified = describeNet(config.net) !== describeNet(CONFIGS[options.configName] ?? config.net);
  reporter.line(`Network (${options.configName}${modified ? ', modified' : ''}): ${describeNet(config.net)}`);
  reporter.line(formatSummary(summaryRows(config.net, stateDict)));
  const { backend, reason, adapter } = await createBackend(options.backend);
  if (reason) reporter.line(`--backend gpu:auto chose ${reason}`);
  if (adapter) reporter.line(`WebGPU adapter: ${adapter}`);
  reporter.line(
    `${trainingOn(data.train.length, config.batchSize, config.steps)}, testing on ${data.test.length}: ${count(config.epochs, 'epoch')}, ` +
      `batch size ${config.batchSize}, ${config.optimizer === 'adam' ? 'Adam' : 'SGD'} lr ${config.lr}, seed ${config.seed}, ` +
      `backend ${backendDescription(backend)}`,
  );

  // Ctrl-C: say so at once; train() stops after the step in progress and writes the checkpoint.
  signal?.addEventListener(
    'abort',
    () => reporter.line(`Stopping after this step${where ? `, then writing a checkpoint to ${where}` : ''} (Ctrl-C again quits at once)...`),
    { once: true },
  );
  const result = await train(config, data, {
    backend,
    hooks: reporter.hooks,
    checkpoint: {
      save: where,
      saveEverySteps: options.saveEvery,
      resume: options.resume,
      loaded,
      source: { configName: options.configName, data: options.data ?? null, trainSubset: options.trainSubset ?? null, testSubset: options.testSubset ?? null },
    },
    signal,
  });
  if (result.stopped) {
    reporter.line(
      `Interrupted at epoch ${reporter.epoch}, step ${reporter.step}. ` +
        (where ? `Checkpoint written to ${where}; rerun with --resume ${where} to continue.` : 'No checkpoint (use --save <file>).'),
    );
    return result;
  }
  reporter.accuracy(result.accuracy);
  reporter.line(totalTimeLine(result.totalSeconds));
  reporter.line(medianEpochLine(median(result.epochTimes)));
  return result;
}
