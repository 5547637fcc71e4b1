// The optimizer settings whose fused updates (sgdStep, adamStep, rmspropStep) every gpu mode must
// match, and the small training run that compares them: shared by optimizers.test.ts (webasm, cpu)
// and the browser page (webgl2, webgl). Test support only: not exported by the package.
import { fromNDArray } from '@tsgrad/autograd';
import { manualSeed, randn, withBackend, type Backend } from '@tsgrad/ndarray';
import { Linear } from '@tsgrad/nn';
import { Adam, AdamW, RMSprop, SGD } from '@tsgrad/optim';

/** What the comparison needs of an optimizer. */
export interface Stepper {
  zeroGrad(): void;
  step(): void;
}

type Params = ReturnType<Linear['parameters']>;

/** Each case's name and how it builds its optimizer. */
export const OPTIMIZER_CASES: Readonly<Record<string, (p: Params) => Stepper>> = {
  'SGD momentum nesterov weightDecay': (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  'SGD momentum': (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
  'SGD dampening maximize': (p) => new SGD(p, { lr: 0.05, momentum: 0.5, dampening: 0.3, maximize: true }),
  'Adam amsgrad weightDecay': (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
  AdamW: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.5 }),
  'RMSprop centered momentum': (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1 }),
  RMSprop: (p) => new RMSprop(p, { lr: 0.01 }),
};

/**
 * The parameters of a Linear(6, 4) (seed 7) after 3 steps of loss sum(y²) with `make`'s optimizer
 * on `backend`, each parameter flattened.
 *
 * @example
 * optimizeLinear(cpuBackend, OPTIMIZER_CASES.AdamW).length; // 2 (weight and bias)
 */
export function optimizeLinear(backend: Backend, make: (p: Params) => Stepper): Float32Array[] {
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
    return model.parameters().map((p) => Float32Array.from(p.data.toTypedArray()));
  });
}
