import { describe, expect, it } from 'vitest';
import { chooseBackend } from './auto.js';
import { testWebGPU } from './test-webgpu.js';

describe('chooseBackend (auto)', () => {
  it('keeps the CPU backend unless gpu:webasm measures faster, and says why with the times', async () => {
    const choice = await chooseBackend({ webgpu: () => Promise.resolve(null), probeSize: 64 });
    const faster = choice.probe['gpu:webasm'] < choice.probe.cpu;
    expect(choice.backend.name).toBe(faster ? 'gpu:webasm' : 'cpu');
    expect(choice.reason).toMatch(new RegExp(`^${faster ? 'gpu:webasm' : 'cpu'}: gpu:webasm took [0-9.]+ ms on the 64x64 matmul probe, the CPU backend [0-9.]+ ms; no WebGPU adapter answered$`));
  });

  it('names a software adapter without probing it, and says why a hardware one could not be probed', async () => {
    const soft = await chooseBackend({ webgpu: () => Promise.resolve({ adapter: 'mesa llvmpipe', software: true }), probeSize: 16 });
    expect(soft.reason).toMatch(/; the WebGPU adapter is a software rasterizer \(mesa llvmpipe\)$/);
    expect(Object.keys(soft.probe)).toEqual(['cpu', 'gpu:webasm']);
    // no navigator.gpu in this file's process: the claimed hardware adapter cannot run the probe, and the reason says so
    const hard = await chooseBackend({ webgpu: () => Promise.resolve({ adapter: 'nvidia hopper', software: false }), probeSize: 16 });
    expect(hard.reason).toMatch(/; a hardware WebGPU adapter answered \(nvidia hopper\), but gpu:webgpu could not run the probe \(gpu backend: gpu\.js cannot run mode webgpu here .*installNodeWebGPU.*\)$/);
    expect([soft.backend.name, hard.backend.name].every((n) => n === 'cpu' || n === 'gpu:webasm')).toBe(true);
  });

  it('probes gpu:webgpu on a hardware adapter (llvmpipe posing as one) and keeps the fastest, with the times', async (ctx) => {
    // installed here, last: the tests above need a process without navigator.gpu
    const webgpu = await testWebGPU('the gpu:webgpu probe of auto');
    if (webgpu === null) return ctx.skip();
    const choice = await chooseBackend({ webgpu: () => Promise.resolve({ adapter: webgpu.adapter, software: false }), probeSize: 64 });
    expect(Object.keys(choice.probe)).toEqual(['cpu', 'gpu:webasm', 'gpu:webgpu']);
    const fastest = Object.entries(choice.probe).sort((p, q) => p[1] - q[1])[0][0];
    expect(choice.backend.name).toBe(fastest);
    expect(choice.reason).toMatch(/; gpu:webgpu took [0-9.]+ ms on the hardware WebGPU adapter \(/);
  });
});
