/**
 * `auto`: a gpu.js mode only where it pays. The CPU backend is kept unless a candidate mode
 * measures faster on a probe (a square matmul, median of 3 after a warm-up), and the answer says
 * why, with the times. A WebGPU adapter is asked for and named; a hardware one is probed too
 * (gpu:webgpu, reading with await), a software rasterizer (llvmpipe, SwiftShader) is not.
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

/** `probeMs` for a backend that reads only asynchronously (webgpu): each product read with await. */
async function probeMsAsync(backend: Backend, a: NDArray, b: NDArray): Promise<number> {
  const [x, y] = [a.to(backend), b.to(backend)];
  await x.matmul(y).data();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await x.matmul(y).data();
    times.push(performance.now() - t0);
  }
  return times.sort((p, q) => p - q)[1];
}

/**
 * Chooses the backend to train on: the fastest on the probe of the CPU backend, gpu:webasm and,
 * where a hardware WebGPU adapter answers, gpu:webgpu; `webgpu` finds the WebGPU adapter
 * (default: `installNodeWebGPU`).
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
  const probe: Record<string, number> = {};
  const cpuMs = (probe.cpu = probeMs(cpuBackend, a, b));
  const webasmMs = (probe['gpu:webasm'] = probeMs(webasm, a, b));
  const adapter = await webgpu().catch((e: unknown) => new Error(String(e)));
  let webgpuNote =
    adapter === null ? 'no WebGPU adapter answered'
    : adapter instanceof Error ? `no WebGPU adapter (${adapter.message})`
    : `the WebGPU adapter is a software rasterizer (${adapter.adapter})`;
  // A hardware adapter is probed: gpu:webgpu, reading with await (a software one never wins)
  let onWebgpu: { backend: GpuBackend; ms: number } | null = null;
  if (adapter !== null && !(adapter instanceof Error) && !adapter.software) {
    let backend: GpuBackend | null = null;
    try {
      backend = new GpuBackend('webgpu');
      const ms = (probe['gpu:webgpu'] = await probeMsAsync(backend, a, b));
      onWebgpu = { backend, ms };
      webgpuNote = `gpu:webgpu took ${ms.toFixed(1)} ms on the hardware WebGPU adapter (${adapter.adapter})`;
    } catch (e) {
      backend?.destroy();
      webgpuNote = `a hardware WebGPU adapter answered (${adapter.adapter}), but gpu:webgpu could not run the probe (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  const times = `gpu:webasm took ${webasmMs.toFixed(1)} ms on the ${probeSize}x${probeSize} matmul probe, the CPU backend ${cpuMs.toFixed(1)} ms`;
  if (onWebgpu !== null && onWebgpu.ms < cpuMs && onWebgpu.ms < webasmMs) {
    webasm.destroy();
    return { backend: onWebgpu.backend, reason: `gpu:webgpu: ${times}; ${webgpuNote}`, probe };
  }
  onWebgpu?.backend.destroy();
  if (webasmMs < cpuMs) return { backend: webasm, reason: `gpu:webasm: ${times}; ${webgpuNote}`, probe };
  webasm.destroy();
  return { backend: cpuBackend, reason: `cpu: ${times}; ${webgpuNote}`, probe };
}
