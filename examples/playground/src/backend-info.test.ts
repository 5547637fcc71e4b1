import { describe, expect, it } from 'vitest';
import { backendChoices } from './backend-info.js';

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
