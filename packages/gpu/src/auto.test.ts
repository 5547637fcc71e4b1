import { describe, expect, it } from 'vitest';
import { chooseBackend } from './auto.js';

describe('chooseBackend (auto)', () => {
  it('keeps the CPU backend unless gpu:webasm measures faster, and says why with the times', async () => {
    const choice = await chooseBackend({ webgpu: () => Promise.resolve(null), probeSize: 64 });
    const faster = choice.probe['gpu:webasm'] < choice.probe.cpu;
    expect(choice.backend.name).toBe(faster ? 'gpu:webasm' : 'cpu');
    expect(choice.reason).toMatch(new RegExp(`^${faster ? 'gpu:webasm' : 'cpu'}: gpu:webasm took [0-9.]+ ms on the 64x64 matmul probe, the CPU backend [0-9.]+ ms; no WebGPU adapter answered$`));
  });

  it('names a software adapter, and a hardware one it cannot use yet, without choosing either', async () => {
    const soft = await chooseBackend({ webgpu: () => Promise.resolve({ adapter: 'mesa llvmpipe', software: true }), probeSize: 16 });
    expect(soft.reason).toMatch(/; the WebGPU adapter is a software rasterizer \(mesa llvmpipe\)$/);
    const hard = await chooseBackend({ webgpu: () => Promise.resolve({ adapter: 'nvidia hopper', software: false }), probeSize: 16 });
    expect(hard.reason).toMatch(/; a hardware WebGPU adapter answered \(nvidia hopper\), but tsgrad has no webgpu backend yet$/);
    expect([soft.backend.name, hard.backend.name].every((n) => n === 'cpu' || n === 'gpu:webasm')).toBe(true);
  });
});
