import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@tsgrad/ndarray';
import { backendChoices, backendInUse } from './backend-info.js';

describe('backendInUse', () => {
  it('names the backend, its device and details from its own description', () => {
    expect(backendInUse(cpuBackend.describe())).toBe('cpu: CPU (JavaScript, main thread), fast kernels, in the training worker');
    expect(backendInUse({ name: 'gpu:webgl2', device: 'SwiftShader', kind: 'gpu', software: true, details: { mode: 'webgl2' } })).toBe(
      'gpu:webgl2: SwiftShader (a software renderer), mode webgl2, in the training worker',
    );
  });
});

describe('backendChoices', () => {
  it('uses the CPU backend and says why the others cannot be chosen yet', () => {
    const choices = backendChoices({ crossOriginIsolated: true, hardwareConcurrency: 8, webgl2Renderer: 'ANGLE (NVIDIA GeForce RTX 3060)', webgpu: true });
    expect(choices.map((c) => [c.id, c.available])).toEqual([['cpu', true], ['cpu-threads', false], ['gpu-webgl2', false], ['gpu-webgpu', false]]);
    expect(choices[1]?.note).toBe('not in tsgrad yet; this page is cross-origin isolated (SharedArrayBuffer available)');
    expect(choices[2]?.note).toBe('not in tsgrad yet; WebGL2 renderer: ANGLE (NVIDIA GeForce RTX 3060)');
  });

  it('says when the WebGL2 adapter is a software one, and when there is none', () => {
    const f = { crossOriginIsolated: false, hardwareConcurrency: 2, webgpu: false };
    expect(backendChoices({ ...f, webgl2Renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))' })[2]?.note).toMatch(/\(a software renderer\)$/);
    expect(backendChoices({ ...f, webgl2Renderer: 'llvmpipe (LLVM 15.0.6, 256 bits)' })[2]?.note).toMatch(/\(a software renderer\)$/);
    expect(backendChoices({ ...f, webgl2Renderer: null })[2]?.note).toBe('not in tsgrad yet; no WebGL2 in this browser');
    expect(backendChoices({ ...f, webgl2Renderer: null })[1]?.note).toBe('not in tsgrad yet; this page is not cross-origin isolated (no SharedArrayBuffer)');
  });
});
