/**
 * Which backend trains, and which the browser could offer. tsgrad has one backend today (CPU,
 * one thread: the worker's); a threaded CPU backend needs a cross-origin isolated page
 * (SharedArrayBuffer), a GPU.js one a WebGL2 or WebGPU adapter. The page lists all of them,
 * so that a new backend only has to be marked available here and chosen in the worker.
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

/** One backend choice, and why it cannot be chosen when it cannot. */
export interface BackendChoice {
  id: 'cpu' | 'cpu-threads' | 'gpu-webgl2' | 'gpu-webgpu';
  label: string;
  available: boolean;
  note: string;
}

/** Renderers that draw on the CPU: a GPU backend on them would be slower than the CPU one. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic/i;

/**
 * The backend choices for these features (the first is the one in use).
 *
 * @example
 * backendChoices({ crossOriginIsolated: true, hardwareConcurrency: 8, webgl2Renderer: 'SwiftShader', webgpu: false })[2].note;
 * // 'not in tsgrad yet; WebGL2 renderer: SwiftShader (a software renderer)'
 */
export function backendChoices(f: BrowserFeatures): BackendChoice[] {
  const renderer = f.webgl2Renderer === null
    ? 'no WebGL2 in this browser'
    : `WebGL2 renderer: ${f.webgl2Renderer}${SOFTWARE_RENDERER.test(f.webgl2Renderer) ? ' (a software renderer)' : ''}`;
  return [
    { id: 'cpu', label: 'CPU, one thread (the worker)', available: true, note: 'in use' },
    {
      id: 'cpu-threads',
      label: `CPU, ${f.hardwareConcurrency} threads`,
      available: false,
      note: `not in tsgrad yet; ${f.crossOriginIsolated ? 'this page is cross-origin isolated (SharedArrayBuffer available)' : 'this page is not cross-origin isolated (no SharedArrayBuffer)'}`,
    },
    { id: 'gpu-webgl2', label: 'GPU.js, WebGL2', available: false, note: `not in tsgrad yet; ${renderer}` },
    { id: 'gpu-webgpu', label: 'GPU.js, WebGPU', available: false, note: `not in tsgrad yet; ${f.webgpu ? 'navigator.gpu present' : 'no WebGPU in this browser'}` },
  ];
}

/**
 * The backend that trains, in words, from its own description (sent by the worker).
 *
 * @example
 * backendInUse(getBackend().describe()); // 'cpu: CPU (JavaScript, main thread), fast kernels, in the training worker'
 */
export function backendInUse(d: BackendDescription): string {
  const details = Object.entries(d.details ?? {}).map(([k, v]) => (k === 'kernels' ? `${v} kernels` : `${k} ${v}`));
  return [`${d.name}: ${d.device}${d.software ? ' (a software renderer)' : ''}`, ...details, 'in the training worker'].join(', ');
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
