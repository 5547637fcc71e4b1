import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adamStep, array, cpuBackend, referenceBackend, rmspropStep, sgdStep, withBackend, zeros, type Backend, type NDArray } from './index.js';

// The fused optimizer kernels: the fast CPU loops against the naive per-element ones (both in
// float64 arithmetic, so they agree exactly), on random values and options over several steps.
const values = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 });
const steps = fc.array(values, { minLength: 3, maxLength: 3 });
const on = (b: Backend, v: number[], dtype: 'float32' | 'float64'): NDArray => withBackend(b, () => array(v, { dtype }));
const dtypes = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');

describe('fused optimizer kernels: fast vs naive', () => {
  it('SGD (momentum, dampening, nesterov, weight decay, maximize)', () => {
    fc.assert(fc.property(values, steps, dtypes, fc.constantFrom(0, 0.9), fc.constantFrom(0, 0.1), fc.boolean(), fc.boolean(),
      (p0, grads, dtype, momentum, weightDecay, nesterov, maximize) => {
        const run = (b: Backend): number[] => {
          const p = on(b, p0, dtype);
          const buf = momentum > 0 ? withBackend(b, () => zeros([5], dtype)) : null;
          grads.forEach((g, k) => sgdStep(p, on(b, g, dtype), buf, {
            lr: 0.1, momentum, dampening: 0, weightDecay, nesterov: nesterov && momentum > 0, maximize, first: k === 0,
          }));
          return [...p.toTypedArray(), ...(buf?.toTypedArray() ?? [])];
        };
        expect(run(cpuBackend)).toEqual(run(referenceBackend));
      }), { numRuns: 40 });
  });

  it('Adam and AdamW (amsgrad, weight decay, maximize)', () => {
    fc.assert(fc.property(values, steps, dtypes, fc.boolean(), fc.boolean(), fc.constantFrom(0, 0.1), fc.boolean(),
      (p0, grads, dtype, amsgrad, decoupled, weightDecay, maximize) => {
        const run = (b: Backend): number[] => {
          const p = on(b, p0, dtype);
          const [m, v, vMax] = withBackend(b, () => [zeros([5], dtype), zeros([5], dtype), zeros([5], dtype)]);
          grads.forEach((g, k) => {
            const t = k + 1;
            adamStep(p, on(b, g, dtype), m, v, amsgrad ? vMax : null, {
              lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, maximize, decoupled,
              stepSize: 0.01 / (1 - 0.9 ** t), bc2Sqrt: Math.sqrt(1 - 0.999 ** t),
            });
          });
          return [...p.toTypedArray(), ...m.toTypedArray(), ...v.toTypedArray(), ...vMax.toTypedArray()];
        };
        expect(run(cpuBackend)).toEqual(run(referenceBackend));
      }), { numRuns: 40 });
  });

  it('RMSprop (momentum, centered, weight decay, maximize)', () => {
    fc.assert(fc.property(values, steps, dtypes, fc.constantFrom(0, 0.9), fc.boolean(), fc.constantFrom(0, 0.1), fc.boolean(),
      (p0, grads, dtype, momentum, centered, weightDecay, maximize) => {
        const run = (b: Backend): number[] => {
          const p = on(b, p0, dtype);
          const [v, buf, gAvg] = withBackend(b, () => [zeros([5], dtype), zeros([5], dtype), zeros([5], dtype)]);
          for (const g of grads) {
            rmspropStep(p, on(b, g, dtype), v, momentum > 0 ? buf : null, centered ? gAvg : null, {
              lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay, momentum, maximize,
            });
          }
          return [...p.toTypedArray(), ...v.toTypedArray(), ...buf.toTypedArray(), ...gAvg.toTypedArray()];
        };
        expect(run(cpuBackend)).toEqual(run(referenceBackend));
      }), { numRuns: 40 });
  });

  it('checks its arrays and bumps the version of what it writes', () => {
    const p = array([1, 2]);
    const g = array([1, 1]);
    const s = { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, first: false };
    sgdStep(p, g, null, s);
    expect(p.toArray()).toEqual([0.5, 1.5]);
    expect([p.version, g.version]).toEqual([1, 0]);
    expect(() => sgdStep(p, array([1, 1, 1]), null, s)).toThrow('sgdStep: shape [3] does not match the parameter\'s [2]');
    expect(() => sgdStep(array([[1, 2], [3, 4]]).transpose(0, 1), zeros([2, 2]), null, s)).toThrow(
      'sgdStep: the arrays of an in-place update must be contiguous, got strides [1,2]',
    );
    expect(() => sgdStep(p, array([1, 1], { dtype: 'float64' }), null, s)).toThrow('sgdStep: dtype mismatch: float64 and the parameter\'s float32');
  });
});
