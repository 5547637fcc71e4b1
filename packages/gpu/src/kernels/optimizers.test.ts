// The fused optimizer kernels against the CPU backend's (the reference): a Linear(6, 4) trained 3 steps
// with each optimizer and its options on both backends, parameters compared. browser.test.ts runs the
// same comparison on webgl2 and webgl.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@tsgrad/ndarray';
import { createGpuBackend } from '../gpu-backend.js';
import { OPTIMIZER_CASES, optimizeLinear } from './optimizer-cases.js';

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`fused optimizer updates on gpu:${mode} against the CPU backend`, () => {
    const backend = createGpuBackend(mode);
    for (const [name, make] of Object.entries(OPTIMIZER_CASES)) {
      it(`${name}: every parameter within 1e-5 of the parameters' largest magnitude`, () => {
        const [got, want] = [optimizeLinear(backend, make).flatMap((p) => Array.from(p)), optimizeLinear(cpuBackend, make).flatMap((p) => Array.from(p))];
        const scale = Math.max(...want.map(Math.abs));
        expect(got).toHaveLength(28);
        want.forEach((w, i) => expect(Math.abs(got[i] - w) / scale, `parameter element ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(1e-5));
      });
    }
  });
}
