import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { array, type NDArray } from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { maxRelativeError, strided, type OptimizerCase, makeOptimizer } from './test-fixtures.js';

// Each optimizer has a flat-array kernel (contiguous parameters) and an NDArray-op reference
// (any other layout). Random options and values: both paths must agree to float64 rounding.
const options: Record<OptimizerCase['optimizer'], fc.Arbitrary<OptimizerCase['options']>> = {
  SGD: fc
    .record({
      lr: fc.double({ min: 0, max: 1, noNaN: true }),
      momentum: fc.constantFrom(0, 0.5, 0.9),
      weightDecay: fc.constantFrom(0, 0.1),
      maximize: fc.boolean(),
      nesterov: fc.boolean(),
      dampening: fc.constantFrom(0, 0.3),
    })
    .map((o) => ({ ...o, nesterov: o.nesterov && o.momentum > 0 && o.dampening === 0 })),
  Adam: fc.record({
    lr: fc.double({ min: 0, max: 1, noNaN: true }),
    betas: fc.tuple(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true })),
    eps: fc.constantFrom(1e-8, 1e-3),
    weightDecay: fc.constantFrom(0, 0.1),
    amsgrad: fc.boolean(),
    maximize: fc.boolean(),
  }),
  AdamW: fc.record({ lr: fc.double({ min: 0, max: 1, noNaN: true }), weightDecay: fc.constantFrom(0, 0.01, 0.5), amsgrad: fc.boolean() }),
  RMSprop: fc.record({
    lr: fc.double({ min: 0, max: 1, noNaN: true }),
    alpha: fc.double({ min: 0, max: 0.999, noNaN: true }),
    eps: fc.constantFrom(1e-8, 1e-2),
    weightDecay: fc.constantFrom(0, 0.1),
    momentum: fc.constantFrom(0, 0.9),
    centered: fc.boolean(),
    maximize: fc.boolean(),
  }),
};

describe.each(Object.keys(options) as Array<OptimizerCase['optimizer']>)('%s: flat kernel vs NDArray reference', (name) => {
  it('agree on random options, parameters and gradients over several steps', () => {
    const values = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(options[name], values, fc.array(values, { minLength: 4, maxLength: 4 }), (opts, start, grads) => {
        const run = (useStrided: boolean): number[][] => {
          const view = (a: NDArray): NDArray => (useStrided ? strided(a) : a);
          const p0 = fromNDArray(array(start.slice(0, 4), { shape: [2, 2], dtype: 'float64' }), { requiresGrad: true });
          const p1 = fromNDArray(array(start.slice(4), { dtype: 'float64' }), { requiresGrad: true });
          const c: OptimizerCase = { optimizer: name, options: opts, groups: [{}, {}], dtype: 'float64', trajectory: [], state: {} };
          const opt = makeOptimizer(c, p0, p1);
          const out: number[][] = [];
          for (const g of grads) {
            p0.data = view(p0.data);
            p1.data = view(p1.data);
            p0.grad = fromNDArray(view(array(g.slice(0, 4), { shape: [2, 2], dtype: 'float64' })));
            p1.grad = fromNDArray(view(array(g.slice(4), { dtype: 'float64' })));
            opt.step();
            out.push([...p0.data.toTypedArray(), ...p1.data.toTypedArray()]);
          }
          return out;
        };
        expect(maxRelativeError(run(false), run(true))).toBeLessThan(1e-12);
      }),
      { numRuns: 60 },
    );
  });
});
