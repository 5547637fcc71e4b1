// The fused optimizer kernels against the CPU backend's (the reference): a Linear(6, 4) trained 3 steps
// with each optimizer and its options on both backends, parameters compared. browser.test.ts runs the
// same comparison on webgl2 and webgl.
import { describe, expect, it } from 'vitest';
import { cpuBackend, manualSeed, randn, withBackend, type Backend } from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { Linear } from '@tsgrad/nn';
import { Adam, AdamW, RMSprop, SGD } from '@tsgrad/optim';
import { createGpuBackend } from '../gpu-backend.js';

type Params = ReturnType<Linear['parameters']>;
const OPTIMIZERS: Record<string, (p: Params) => { zeroGrad(): void; step(): void }> = {
  'SGD momentum nesterov weightDecay': (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  'SGD momentum': (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
  'SGD dampening maximize': (p) => new SGD(p, { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true }),
  'Adam amsgrad weightDecay': (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
  AdamW: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.5 }),
  'RMSprop centered momentum': (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1 }),
};

/** The parameters of a Linear(6, 4) after 3 steps of loss sum(y²) with `make`'s optimizer on `backend`. */
function optimize(backend: Backend, make: (p: Params) => { zeroGrad(): void; step(): void }): number[] {
  manualSeed(7);
  const model = new Linear(6, 4).to(backend);
  const x = fromNDArray(randn([5, 6]).to(backend));
  const opt = make(model.parameters());
  return withBackend(backend, () => {
    for (let step = 0; step < 3; step++) {
      const loss = model.forward(x).square().sum();
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    return model.parameters().flatMap((p) => Array.from(p.data.toTypedArray()));
  });
}

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`fused optimizer updates on gpu:${mode} against the CPU backend`, () => {
    const backend = createGpuBackend(mode);
    for (const [name, make] of Object.entries(OPTIMIZERS)) {
      it(`${name}: every parameter within 1e-5 of the parameters' largest magnitude`, () => {
        const [got, want] = [optimize(backend, make), optimize(cpuBackend, make)];
        const scale = Math.max(...want.map(Math.abs));
        expect(got).toHaveLength(28);
        want.forEach((w, i) => expect(Math.abs(got[i] - w) / scale, `parameter element ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(1e-5));
      });
    }
  });
}
