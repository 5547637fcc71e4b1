/**
 * WebGPU for gpu.js under Node: gpu.js reads `globalThis.navigator.gpu`, which Node 20 lacks.
 * This installs one from Dawn's Node binding (the `webgpu` package), only when called.
 *
 * Where no hardware adapter exists, Mesa's llvmpipe can serve as a software one: Dawn's OpenGL ES
 * backend over EGL without a display (`EGL_PLATFORM=surfaceless`), asked for the `compatibility`
 * feature level (Debian 12's lavapipe lacks a feature Dawn's Vulkan backend requires). That proves
 * kernels correct; it is not fast.
 */

/** What was installed. */
export interface NodeWebGPU {
  /** Vendor, architecture, device and description of the adapter gpu.js will get. */
  adapter: string;
  /** Whether it is a software rasterizer (llvmpipe, lavapipe, SwiftShader). */
  software: boolean;
}

/** A GPU adapter's self-description, as Dawn reports it. */
interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/**
 * Installs `navigator.gpu` for gpu.js from the `webgpu` package, every adapter request asking
 * for `featureLevel` (default `compatibility`) on Dawn's `backend` (default `opengles`).
 * Returns null when no adapter answers (then nothing is installed).
 *
 * @example
 * const gpu = await installNodeWebGPU();
 * if (gpu) console.log(gpu.adapter, gpu.software); // e.g. 'mesa llvmpipe ...' true
 */
export function installNodeWebGPU(
  { backend = 'opengles', featureLevel = 'compatibility' }: { backend?: string; featureLevel?: string } = {},
): Promise<NodeWebGPU | null> {
  // Once per process and setting: a second Dawn instance beside a device gpu.js already holds crashes Node at exit.
  const key = `${backend}/${featureLevel}`;
  const done = installed.get(key);
  if (done !== undefined) return done;
  const result = install(backend, featureLevel);
  installed.set(key, result);
  return result;
}

const installed = new Map<string, Promise<NodeWebGPU | null>>();

async function install(backend: string, featureLevel: string): Promise<NodeWebGPU | null> {
  // EGL reads this when Dawn first opens a display: it must be set before the first adapter request.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const [{ create, globals }, { availableParallelism }] = await Promise.all([import('webgpu'), import('node:os')]);
  Object.assign(globalThis, globals);
  const gpu = create([`backend=${backend}`]);
  const requestAdapter = (options: GPURequestAdapterOptions = {}): Promise<GPUAdapter | null> =>
    gpu.requestAdapter({ featureLevel, ...options });
  const adapter = await requestAdapter();
  if (adapter === null) return null;
  const shim = {
    requestAdapter,
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: shim, hardwareConcurrency: availableParallelism() }, configurable: true, writable: true });
  const info: AdapterInfo = adapter.info;
  const text = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ');
  return { adapter: text, software: /llvmpipe|lavapipe|swiftshader/i.test(text) };
}
