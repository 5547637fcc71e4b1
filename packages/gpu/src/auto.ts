/**
 * `auto`: a gpu.js mode only where it pays. The CPU backend is kept unless a candidate mode
 * measures faster on a probe (a square matmul, median of 3 after a warm-up), and the answer says
 * why, with the times. A WebGPU adapter is asked for and named, but not chosen while tsgrad has
 * no webgpu backend (a captured step can replay there: `compileStep(..., { replayOn })`).
 */
import { cpuBackend, randn, type Backend, type NDArray } from '@tsgrad/ndarray';
import { GpuBackend } from './gpu-backend.js';
import { installNodeWebGPU, type NodeWebGPU } from './node-webgpu.js';

/** What `chooseBackend` picked, why, and the probe's milliseconds per backend that ran it. */
export interface AutoChoice {
  backend: Backend;
  reason: string;
  probe: Record<string, number>;
}

/** Median milliseconds of `a.matmul(b)` on `backend`, after a warm-up (which compiles kernels). */
function probeMs(backend: Backend, a: NDArray, b: NDArray): number {
  const [x, y] = [a.to(backend), b.to(backend)];
  x.matmul(y).toArray();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    x.matmul(y).toArray();
    times.push(performance.now() - t0);
  }
  return times.sort((p, q) => p - q)[1];
}

/**
 * Chooses the backend to train on: gpu:webasm if it beats the CPU backend on the probe, else the
 * CPU backend; `webgpu` finds the WebGPU adapter to report (default: `installNodeWebGPU`).
 *
 * @example
 * const { backend, reason } = await chooseBackend();
 * console.log(reason); // e.g. 'cpu: gpu:webasm took 38.1 ms on the probe, the CPU backend 2.0 ms; ...'
 */
export async function chooseBackend(
  { webgpu = () => installNodeWebGPU(), probeSize = 256 }: { webgpu?: () => Promise<NodeWebGPU | null>; probeSize?: number } = {},
): Promise<AutoChoice> {
  const [a, b] = [randn([probeSize, probeSize]), randn([probeSize, probeSize])];
  const webasm = new GpuBackend('webasm');
  const probe = { cpu: probeMs(cpuBackend, a, b), 'gpu:webasm': probeMs(webasm, a, b) };
  const adapter = await webgpu().catch((e: unknown) => new Error(String(e)));
  const gpuNote =
    adapter === null ? 'no WebGPU adapter answered'
    : adapter instanceof Error ? `no WebGPU adapter (${adapter.message})`
    : adapter.software ? `the WebGPU adapter is a software rasterizer (${adapter.adapter})`
    : `a hardware WebGPU adapter answered (${adapter.adapter}), but tsgrad has no webgpu backend yet`;
  const times = `gpu:webasm took ${probe['gpu:webasm'].toFixed(1)} ms on the ${probeSize}x${probeSize} matmul probe, the CPU backend ${probe.cpu.toFixed(1)} ms`;
  if (probe['gpu:webasm'] < probe.cpu) return { backend: webasm, reason: `gpu:webasm: ${times}; ${gpuNote}`, probe };
  webasm.destroy();
  return { backend: cpuBackend, reason: `cpu: ${times}; ${gpuNote}`, probe };
}
