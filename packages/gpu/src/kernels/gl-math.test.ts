// The GL modes' sin, cos, log, sqrt and pow, checked here on webasm (the same kernel source, compiled to
// WebAssembly) against JavaScript's Math, the reference; browser.test.ts runs them as shaders.
import { describe, expect, it } from 'vitest';
import { KernelRunner } from '../runner.js';
import { glBinaryKernel, glUnaryKernel } from './gl-math.js';

const runner = new KernelRunner('webasm');

/** The kernel of `op` over `values` (a contiguous row). */
function unary(op: 'sin' | 'cos' | 'log' | 'sqrt', values: readonly number[]): Float32Array {
  const spec = glUnaryKernel(op);
  if (spec === null) throw new Error(`no GL kernel for ${op}`);
  return runner.run(spec, [values.length, 1, 1], [Float32Array.from(values), 0, 0, 0, 1]);
}

describe('GL-mode math kernels against Math (run on webasm)', () => {
  it('sin and cos: within 2 float32 roundings (2^-23 relative, or 2^-24 absolute near 0) for |v| up to 1e4', () => {
    const values = Array.from({ length: 2001 }, (_, i) => Math.fround((i - 1000) * 1.37 + (i % 7) * 0.01));
    values.push(...[1e-3, -1e-3, 0.7853982, 1.5707964, 3.1415927, 9999.5, -9999.5].map(Math.fround));
    for (const [op, f] of [['sin', Math.sin], ['cos', Math.cos]] as const) {
      const got = unary(op, values);
      let worst = 0;
      values.forEach((v, i) => {
        const want = f(v);
        const err = Math.abs(got[i] - want) / Math.max(Math.abs(want), 0.5);
        worst = Math.max(worst, err);
        expect(err, `${op}(${v}) = ${got[i]}, Math gives ${want}`).toBeLessThanOrEqual(2 ** -22);
      });
      console.log(`gl ${op}: worst error ${worst.toExponential(2)} over ${values.length} values`);
    }
  });

  it('sin and cos of ±Infinity and NaN are NaN', () => {
    for (const op of ['sin', 'cos'] as const) expect(Array.from(unary(op, [Infinity, -Infinity, NaN]))).toEqual([NaN, NaN, NaN]);
  });

  it('log and sqrt: NaN below 0, log(0) = -Infinity, as Math', () => {
    expect(Array.from(unary('log', [-1, 0, 1, NaN]))).toEqual([NaN, -Infinity, 0, NaN]);
    expect(Array.from(unary('sqrt', [-4, 0, 4, NaN]))).toEqual([NaN, 0, 2, NaN]);
  });

  it('pow: exact integer powers, signs of negative bases, NaN for fractional powers of negatives, zero cases', () => {
    const spec = glBinaryKernel('pow');
    if (spec === null) throw new Error('no GL pow kernel');
    const pairs: [number, number][] = [
      [5, 5], [-1, 3], [-1, 4], [-2, -3], [3, 15], [-5, 7], [2, 0.5], [-2, 0.5], [0, 0], [0, 3], [0, -1], [NaN, 0], [2, NaN], [1.5, 3], [2, 200],
    ];
    const got = runner.run(spec, [pairs.length, 1, 1], [
      Float32Array.from(pairs, ([a]) => a), 0, 0, 0, 1, Float32Array.from(pairs, ([, b]) => b), 0, 0, 0, 1,
    ]);
    // Math.pow(NaN, 0) is 1 (PyTorch too); this kernel returns NaN there, documented in gl-math.ts
    const want = pairs.map(([a, b]) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.fround(Math.pow(a, b))));
    pairs.forEach(([a, b], i) => expect(got[i], `${a} ** ${b}`).toBe(want[i]));
  });
});
