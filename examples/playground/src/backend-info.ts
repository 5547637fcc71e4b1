/**
 * The backends the page offers, and which of them this browser can run: the CPU backend on the
 * training worker's one thread; the CPU backend on several threads (its matrix products split
 * across Web Workers on one shared WebAssembly memory), which needs a cross-origin isolated page
 * (SharedArrayBuffer); GPU.js through `@tsgrad/gpu` in WebGL2 or WebGPU, which needs an adapter
 * and a mode that `@tsgrad/gpu` runs in a browser. The worker builds the chosen one
 * (./backend-choice.ts).
 */

import type { BackendDescription } from '@tsgrad/ndarray';

/** What the browser offers, as found by `probeBrowser`. */
export interface BrowserFeatures {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** The WebGL2 renderer's name, or null without WebGL2. */
  webgl2Renderer: string | null;
  webgpu: boolean;
}

/** The backends the page knows. */
export type BackendId = 'cpu' | 'cpu-threads' | 'gpu-webgl2' | 'gpu-webgpu';

/** One backend choice, and why it cannot be chosen when it cannot. */
export interface BackendChoice {
  id: BackendId;
  label: string;
  available: boolean;
  note: string;
  /** The CPU threads it uses (the training worker's included); 1 for GPU backends. */
  threads: number;
}

/**
 * Why a `@tsgrad/gpu` mode cannot train in this page, or null where it can. Both can: WebGL2
 * eagerly, WebGPU through a captured step (its kernels are asynchronous, so the step is recorded
 * on gpu.js webasm and replayed on the device, see ./backend-choice.ts).
 */
export const GPU_MODE_BLOCKED: Record<'webgl2' | 'webgpu', string | null> = {
  webgl2: null,
  webgpu: null,
};

/** Renderers that draw on the CPU: a GPU backend on them would be slower than the CPU one. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

/**
 * The backend choices for these features; `blocked` says which `@tsgrad/gpu` modes cannot train
 * in a page yet, and why.
 *
 * @example
 * backendChoices({ crossOriginIsolated: true, hardwareConcurrency: 8, webgl2Renderer: 'SwiftShader', webgpu: false })[1];
 * // { id: 'cpu-threads', label: 'CPU, 8 threads', available: true, threads: 8, note: 'the training worker and 7 Web Workers, on shared memory' }
 */
export function backendChoices(f: BrowserFeatures, blocked = GPU_MODE_BLOCKED): BackendChoice[] {
  const threads = Math.max(2, f.hardwareConcurrency);
  const renderer = f.webgl2Renderer === null
    ? null
    : `renderer: ${f.webgl2Renderer}${isSoftwareRenderer(f.webgl2Renderer) ? ' (a software renderer)' : ''}`;
  const gpu = (id: BackendId, label: string, present: string | null, missing: string, why: string | null): BackendChoice => ({
    id,
    label,
    threads: 1,
    available: present !== null && why === null,
    note: present === null ? missing : why === null ? present : `cannot train here: ${why}; ${present}`,
  });
  return [
    { id: 'cpu', label: 'CPU, one thread', available: true, threads: 1, note: 'the training worker' },
    {
      id: 'cpu-threads',
      label: `CPU, ${threads} threads`,
      available: f.crossOriginIsolated,
      threads,
      note: f.crossOriginIsolated
        ? `the training worker and ${threads - 1} Web Worker${threads > 2 ? 's' : ''}, on shared memory`
        : 'this page is not cross-origin isolated (no SharedArrayBuffer)',
    },
    gpu('gpu-webgl2', 'GPU.js, WebGL2', renderer, 'no WebGL2 in this browser', blocked.webgl2),
    gpu('gpu-webgpu', 'GPU.js, WebGPU', f.webgpu ? 'navigator.gpu present; a captured step replayed on the device' : null, 'no WebGPU in this browser', blocked.webgpu),
  ];
}

/**
 * Whether a renderer or adapter name is a software one (SwiftShader, llvmpipe...): a GPU backend
 * on it runs on the CPU, slower than the CPU backend.
 *
 * @example
 * isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))'); // true
 */
export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE_RENDERER.test(name);
}

/**
 * The backend that trains, in words, from its own description and its CPU thread count (sent by
 * the worker).
 *
 * @example
 * backendInUse(getBackend().describe(), 1); // 'cpu: CPU (JavaScript, main thread), fast kernels, in the training worker'
 */
export function backendInUse(d: BackendDescription, threads = 1): string {
  // Counters (numbers) would be stale at once, and a detail the device already names is said once.
  const details = Object.entries(d.details ?? {})
    .filter(([, v]) => typeof v !== 'number' && !d.device.includes(String(v)))
    .map(([k, v]) => (k === 'kernels' ? `${v} kernels` : `${k} ${v}`));
  const software = d.software || isSoftwareRenderer(d.device) ? ' (a software renderer)' : '';
  const where = threads > 1 ? `in the training worker and ${threads - 1} Web Worker${threads > 2 ? 's' : ''}` : 'in the training worker';
  return [`${d.name}: ${d.device}${software}`, ...details, where].join(', ');
}

/**
 * The WebGPU training path in words: the adapter (`software`: SwiftShader, llvmpipe...), and the
 * backend that runs the eager steps and records the captured one (its `describe()` name).
 *
 * @example
 * webgpuInUse('google swiftshader', true, 'gpu:webasm');
 * // 'gpu:webgpu: google swiftshader (a software adapter), a captured step replayed on the device (recorded on gpu:webasm), in the training worker'
 */
export function webgpuInUse(adapter: string, software: boolean, recordedOn: string): string {
  const soft = software || isSoftwareRenderer(adapter) ? ' (a software adapter)' : '';
  return `gpu:webgpu: ${adapter}${soft}, a captured step replayed on the device (recorded on ${recordedOn}), in the training worker`;
}

/**
 * Looks at what this browser offers (reads only; creates a throwaway WebGL2 context).
 *
 * @example
 * backendChoices(probeBrowser());
 */
export function probeBrowser(): BrowserFeatures {
  let webgl2Renderer: string | null = null;
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl !== null) {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    webgl2Renderer = String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    webgl2Renderer,
    webgpu: 'gpu' in navigator,
  };
}
