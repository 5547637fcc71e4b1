/**
 * The GL modes' view of their device: what `describe()` reports (the renderer, and whether it is
 * a software rasterizer) and `gpuModeAvailable`, a probe a page can call before choosing a mode.
 *
 * A software rasterizer (SwiftShader, Mesa's llvmpipe or lavapipe) runs the same shaders on the
 * CPU: it proves the kernels correct, not fast.
 */
import { GPU } from 'gpu.js';
import type { BackendDescription } from '@tsgrad/ndarray';
import type { GpuMode, KernelRunner } from './runner.js';

/**
 * Whether a renderer or adapter string names a software rasterizer.
 *
 * @example
 * isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'); // true
 * isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)'); // false
 */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|softpipe|software/i.test(renderer);
}

/**
 * `describe()` of a GL-mode backend: the renderer gpu.js's context reports.
 *
 * @example
 * // snippet: skip needs a browser page with WebGL2 (browser.test.ts checks the description)
 * const r = new KernelRunner('webgl2');
 * glDescription('gpu:webgl2', 'webgl2', r).software; // true under SwiftShader
 */
export function glDescription(name: string, mode: GpuMode, runner: KernelRunner): BackendDescription {
  const renderer = runner.glRenderer() ?? 'unknown renderer';
  // headless-gl names only its ANGLE layer ('ANGLE'), not the GL driver under it: software unknown there
  const opaque = mode === 'headlessgl' && !isSoftwareRenderer(renderer);
  return {
    name,
    device: `${renderer}${opaque ? ' over the X server\'s GL (headless-gl does not name it)' : ''} (gpu.js ${mode}: fragment shaders on float textures)`,
    kind: 'gpu',
    ...(opaque ? {} : { software: isSoftwareRenderer(renderer) }),
    details: { mode, renderer, compiles: runner.compiles, launches: runner.launches, reads: runner.reads, uploads: runner.uploads, liveTextures: runner.liveTextures },
  };
}

/** What `gpuModeAvailable` found. */
export interface ModeAvailability {
  mode: GpuMode;
  available: boolean;
  /** Why not, or what answered (the renderer or adapter). */
  reason: string;
  /** Whether what answered is a software rasterizer (GL modes; webgpu when the adapter says). */
  software?: boolean;
}

/**
 * A `mode` context on a fresh canvas in a page or a worker: null where the browser gives none,
 * undefined where there is no canvas (Node). Each canvas type is asked on its own: a call on the
 * union's overloads resolves differently with the order TypeScript meets the program's files in.
 */
function glContext(mode: 'webgl2' | 'webgl'): WebGL2RenderingContext | WebGLRenderingContext | null | undefined {
  if (typeof OffscreenCanvas !== 'undefined') {
    const c = new OffscreenCanvas(1, 1);
    return mode === 'webgl2' ? c.getContext('webgl2') : c.getContext('webgl');
  }
  if (typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    return mode === 'webgl2' ? c.getContext('webgl2') : c.getContext('webgl');
  }
  return undefined;
}

/** A GL context's renderer: the unmasked one where WEBGL_debug_renderer_info exists. */
function renderer(gl: WebGLRenderingContext | WebGL2RenderingContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const text: unknown = gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL);
  return typeof text === 'string' ? text : 'unknown renderer';
}

/**
 * Whether gpu.js can run `mode` here, and why not. webgl2 needs a WebGL2 context that renders to
 * float textures (EXT_color_buffer_float); webgl needs OES_texture_float; webgpu an adapter from
 * `navigator.gpu`; webasm WebAssembly; cpu always runs. headlessgl needs Node's native `gl` package
 * (opt-in, built by scripts/gpu-headlessgl.sh) and an X server: gpu.js opens a test context with it.
 *
 * @example
 * const { available, reason } = await gpuModeAvailable('webgl2');
 * const backend = createGpuBackend(available ? 'webgl2' : 'webasm'); // webasm under Node: no canvas
 * console.log(reason); // e.g. 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) ...), SwiftShader driver)' in Chromium
 */
export async function gpuModeAvailable(mode: GpuMode): Promise<ModeAvailability> {
  const no = (reason: string): ModeAvailability => ({ mode, available: false, reason });
  switch (mode) {
    case 'cpu':
      return { mode, available: true, reason: 'gpu.js transpiles kernels to JavaScript' };
    case 'webasm':
      return typeof WebAssembly === 'object' ? { mode, available: true, reason: 'WebAssembly' } : no('no WebAssembly here');
    case 'headlessgl':
      // gpu.js requires `gl` lazily and opens a 2x2 test context: false without the package or a display
      return GPU.isHeadlessGLSupported
        ? { mode, available: true, reason: 'the native gl package (headless-gl, WebGL 1)' }
        : no('headlessgl needs the native gl package (opt-in, not installed by npm ci) and an X server: see docs/guides/gpu.md (scripts/gpu-headlessgl.sh)');
    case 'webgpu': {
      const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
      if (gpu === undefined) return no('no navigator.gpu');
      const adapter = await gpu.requestAdapter().catch(() => null);
      if (adapter === null) return no('navigator.gpu answered no adapter');
      const info = adapter.info;
      const text = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ');
      return { mode, available: true, reason: text || 'a WebGPU adapter', software: isSoftwareRenderer(text) };
    }
    case 'webgl2':
    case 'webgl': {
      const gl = glContext(mode);
      if (gl === undefined) return no(`no canvas here (${mode} needs a browser page or worker)`);
      if (gl === null) return no(`the browser gave no ${mode} context`);
      const needs = mode === 'webgl2' ? ['EXT_color_buffer_float'] : ['OES_texture_float'];
      const missing = needs.filter((e) => gl.getExtension(e) === null);
      const r = renderer(gl);
      if (missing.length > 0) return { ...no(`${r} lacks ${missing.join(', ')} (float textures)`), software: isSoftwareRenderer(r) };
      return { mode, available: true, reason: r, software: isSoftwareRenderer(r) };
    }
  }
}
