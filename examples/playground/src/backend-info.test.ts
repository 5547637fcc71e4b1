import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@tsgrad/ndarray';
import { backendChoices, backendInUse, isSoftwareRenderer, webgpuInUse } from './backend-info.js';

describe('backendInUse', () => {
  it('names the backend, its device, details and threads from its own description', () => {
    expect(backendInUse(cpuBackend.describe())).toBe('cpu: CPU (JavaScript, main thread), fast kernels, in the training worker');
    expect(backendInUse(cpuBackend.describe(), 4)).toBe('cpu: CPU (JavaScript, main thread), fast kernels, in the training worker and 3 Web Workers');
    expect(backendInUse(cpuBackend.describe(), 2)).toMatch(/in the training worker and 1 Web Worker$/);
    expect(backendInUse({ name: 'gpu:webgl2', device: 'SwiftShader', kind: 'gpu', software: true, details: { mode: 'webgl2' } })).toBe(
      'gpu:webgl2: SwiftShader (a software renderer), mode webgl2, in the training worker',
    );
    // Counters go stale at once, and what the device names already is not said twice.
    expect(backendInUse({ name: 'gpu:webgl2', device: 'ANGLE (SwiftShader) (gpu.js webgl2)', kind: 'gpu', software: true, details: { mode: 'webgl2', renderer: 'ANGLE (SwiftShader)', launches: 12 } })).toBe(
      'gpu:webgl2: ANGLE (SwiftShader) (gpu.js webgl2) (a software renderer), in the training worker',
    );
    // A software adapter is named as one even when the backend does not say so itself.
    expect(backendInUse({ name: 'gpu:webgl2', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', kind: 'gpu' })).toBe(
      'gpu:webgl2: llvmpipe (LLVM 15.0.6, 256 bits) (a software renderer), in the training worker',
    );
  });
});

describe('backendChoices', () => {
  const blocked = { webgl2: 'not yet', webgpu: 'asynchronous kernels' };

  it('offers CPU threads where the page is isolated, and says why a GPU mode cannot train', () => {
    const choices = backendChoices({ crossOriginIsolated: true, hardwareConcurrency: 8, webgl2Renderer: 'ANGLE (NVIDIA GeForce RTX 3060)', webgpu: true }, blocked);
    expect(choices.map((c) => [c.id, c.available, c.threads])).toEqual([['cpu', true, 1], ['cpu-threads', true, 8], ['gpu-webgl2', false, 1], ['gpu-webgpu', false, 1]]);
    expect(choices[1]?.label).toBe('CPU, 8 threads');
    expect(choices[1]?.note).toBe('the training worker and 7 Web Workers, on shared memory');
    expect(choices[2]?.note).toBe('cannot train here: not yet; renderer: ANGLE (NVIDIA GeForce RTX 3060)');
    expect(choices[3]?.note).toBe('cannot train here: asynchronous kernels; navigator.gpu present; a captured step replayed on the device');
  });

  it('offers a GPU mode where it runs and the browser has the adapter', () => {
    const choices = backendChoices({ crossOriginIsolated: false, hardwareConcurrency: 1, webgl2Renderer: 'SwiftShader', webgpu: false }, { webgl2: null, webgpu: null });
    expect(choices.map((c) => [c.id, c.available])).toEqual([['cpu', true], ['cpu-threads', false], ['gpu-webgl2', true], ['gpu-webgpu', false]]);
    expect(choices[1]?.label).toBe('CPU, 2 threads'); // at least two, even on one core
    expect(choices[1]?.note).toBe('this page is not cross-origin isolated (no SharedArrayBuffer)');
    expect(choices[2]?.note).toBe('renderer: SwiftShader (a software renderer)');
    expect(choices[3]?.note).toBe('no WebGPU in this browser');
  });

  it('says when the WebGL2 adapter is a software one, and when there is none', () => {
    const f = { crossOriginIsolated: false, hardwareConcurrency: 2, webgpu: false };
    expect(backendChoices({ ...f, webgl2Renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))' }, blocked)[2]?.note).toMatch(/\(a software renderer\)$/);
    expect(backendChoices({ ...f, webgl2Renderer: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, blocked)[2]?.note).toMatch(/\(a software renderer\)$/);
    expect(backendChoices({ ...f, webgl2Renderer: null }, blocked)[2]?.note).toBe('no WebGL2 in this browser');
    expect(isSoftwareRenderer('ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)')).toBe(false);
  });
});

describe('webgpuInUse', () => {
  it('names the adapter, says when it is a software one, and where the step was recorded', () => {
    expect(webgpuInUse('google swiftshader', false, 'gpu:webasm')).toBe(
      'gpu:webgpu: google swiftshader (a software adapter), a captured step replayed on the device (recorded on gpu:webasm), in the training worker',
    );
    expect(webgpuInUse('mesa llvmpipe', false, 'gpu:webasm')).toMatch(/^gpu:webgpu: mesa llvmpipe \(a software adapter\), /);
    expect(webgpuInUse('nvidia ampere', false, 'gpu:webasm')).toBe(
      'gpu:webgpu: nvidia ampere, a captured step replayed on the device (recorded on gpu:webasm), in the training worker',
    );
    expect(webgpuInUse('a WebGPU adapter', true, 'gpu:webasm')).toMatch(/^gpu:webgpu: a WebGPU adapter \(a software adapter\), /);
  });

  it('offers WebGPU where navigator.gpu is present, as the page ships', () => {
    const choices = backendChoices({ crossOriginIsolated: false, hardwareConcurrency: 2, webgl2Renderer: null, webgpu: true });
    expect(choices[3]).toMatchObject({ id: 'gpu-webgpu', available: true, note: 'navigator.gpu present; a captured step replayed on the device' });
  });
});
