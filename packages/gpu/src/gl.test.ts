// The GL modes' probe and renderer classification under Node (the browser side: browser.test.ts).
import { describe, expect, it } from 'vitest';
import { gpuModeAvailable, isSoftwareRenderer } from './gl.js';

describe('isSoftwareRenderer', () => {
  it('names SwiftShader, llvmpipe and lavapipe as software, hardware renderers not', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('mesa lavapipe')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002504) Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(isSoftwareRenderer('ANGLE')).toBe(false);
  });
});

describe('gpuModeAvailable under Node', () => {
  it('has no canvas for webgl2 and webgl, points headlessgl at its script, runs cpu and webasm', async () => {
    const [webgl2, webgl, headlessgl, cpu, webasm] = await Promise.all(
      (['webgl2', 'webgl', 'headlessgl', 'cpu', 'webasm'] as const).map((m) => gpuModeAvailable(m)),
    );
    expect(webgl2).toEqual({ mode: 'webgl2', available: false, reason: 'no canvas here (webgl2 needs a browser page or worker)' });
    expect(webgl.available).toBe(false);
    expect(headlessgl.available).toBe(false);
    expect(headlessgl.reason).toMatch(/scripts\/gpu-headlessgl\.sh/);
    expect([cpu.available, webasm.available]).toEqual([true, true]);
  });
});
