/**
 * Device-resident launches on WebGPU (Mesa's llvmpipe here): chained without readback, freed
 * explicitly, and split where a grid is over WebGPU's 65,535 workgroups per dimension; every
 * result compared with the same kernel on webasm. Skipped, saying so, where no adapter answers.
 */
import { describe, expect, it } from 'vitest';
import { WebGpuRunner } from './webgpu-runner.js';
import { fits } from './launch-split.js';
import { testWebGPU } from './test-webgpu.js';
import { KernelRunner, type Grid } from './runner.js';
import { binaryKernel, unaryKernel } from './kernels/elementwise.js';

const webgpu = await testWebGPU('the device runner tests');

describe.skipIf(webgpu === null)('WebGpuRunner on webgpu', () => {
  const wasm = new KernelRunner('webasm');

  it('chains launches on device buffers, reads once, and frees every buffer', async () => {
    const r = new WebGpuRunner();
    const n = 1_384_448; // Table 3's conv1 activations at batch 64: 21,632 workgroups of 64, one 1-d dispatch
    const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
    const [da, db] = [await r.upload(a), await r.upload(b)];
    const sum = await r.launch(binaryKernel('add'), [n, 1, 1], [da, 0, 0, 0, 1, db, 0, 0, 0, 1]);
    const out = await r.launch(unaryKernel('exp'), [n, 1, 1], [sum, 0, 0, 0, 1]);
    expect(r.live).toEqual({ buffers: 4, bytes: 4 * 4 * n });
    expect(r.reads).toBe(0);
    const got = await r.read(out);
    const want = wasm.run(unaryKernel('exp'), [n, 1, 1], [wasm.run(binaryKernel('add'), [n, 1, 1], [a, 0, 0, 0, 1, b, 0, 0, 0, 1]), 0, 0, 0, 1]);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(r.reads).toBe(1);
    for (const x of [da, db, sum, out]) r.free(x);
    expect(r.live).toEqual({ buffers: 0, bytes: 0 });
    expect(() => r.free(out)).toThrow('gpu backend: a device buffer was freed twice');
    await expect(r.read(out)).rejects.toThrow('gpu backend: read of a freed device buffer');
    r.destroy();
  }, 120_000);

  // grids over 65,535 workgroups along one dimension: z over 65,535; y over 524,280 (8 x 65,535); x over 524,280 with y > 1
  const grids: Grid[] = [[2, 3, 70_000], [2, 600_000, 1], [600_000, 2, 1]];
  for (const grid of grids) {
    it(`splits a launch over grid [${grid.join(', ')}] and glues it on the device, as webasm computes it whole`, async () => {
      expect(fits(grid)).toBe(false);
      const r = new WebGpuRunner();
      const unsplit = new KernelRunner('webgpu');
      const [x, y, z] = grid;
      const n = x * y * z;
      const input = Float32Array.from({ length: n }, (_, i) => (i % 1013) / 1013 - 0.5);
      // a transposed read: element (x, y, z) reads input[z + y*Z + x*Y*Z], so every axis's offset matters
      const args = [0, 1, z, y * z];
      const want = wasm.run(unaryKernel('neg'), grid, [input, ...args]);
      // in one dispatch gpu.js refuses it
      await expect(unsplit.runAsync(unaryKernel('neg'), grid, [input, ...args])).rejects.toThrow(/workgroups, over this device's limit of 65535/);
      unsplit.destroy();
      const d = await r.upload(input);
      const out = await r.launch(unaryKernel('neg'), grid, [d, ...args]);
      const got = await r.read(out);
      expect(r.splits).toBe(1);
      let wrong = 0;
      for (let i = 0; i < n; i++) if (got[i] !== want[i]) wrong++;
      expect(wrong, `${wrong} of ${n} elements differ`).toBe(0);
      r.free(d);
      r.free(out);
      expect(r.live.buffers).toBe(0);
      r.destroy();
    }, 120_000);
  }
});
