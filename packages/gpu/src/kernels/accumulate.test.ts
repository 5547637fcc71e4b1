import { describe, expect, it } from 'vitest';
import { KernelRunner } from '../runner.js';
import { compensated } from './accumulate.js';
import { reduceKernel } from './reduce.js';

describe('compensated summation', () => {
  it('rewrites the accumulator lines only', () => {
    expect(compensated('let acc = 0;\nfor (let r = 0; r < n; r++) {\nacc += x[r];\n}\nreturn acc;')).toBe(
      'let acc = 0;\nlet comp = 0;\nfor (let r = 0; r < n; r++) {\nconst yk = x[r] - comp;\nconst tk = acc + yk;\ncomp = (tk - acc) - yk;\nacc = tk;\n}\nreturn acc;',
    );
  });

  it('a float32 sum on webasm lands within one float32 rounding of the float64 sum; the plain float32 loop does not (2 roundings off here)', () => {
    const n = 100_000;
    const x = Float32Array.from({ length: n }, (_, i) => 0.1 + ((i * 7919) % 1000) * 1e-4);
    let exact = 0;
    for (const v of x) exact += v;
    const runner = new KernelRunner('webasm');
    const args = [x, 0, 0, 0, 0, 1, n];
    const kahan = runner.run(reduceKernel('sum'), [1, 1, 1], args)[0];
    const plain = runner.run(
      { key: 'plain-sum', params: reduceKernel('sum').params, body: 'let acc = 0;\nfor (let r = 0; r < n; r++) {\nacc += x[xo + r * xr];\n}\nreturn acc;' },
      [1, 1, 1], args,
    )[0];
    const ulp = Math.abs(Math.fround(exact)) * 2 ** -23;
    expect(Math.abs(kahan - exact)).toBeLessThanOrEqual(ulp);
    expect(Math.abs(plain - exact)).toBeGreaterThan(ulp);
    runner.destroy();
  });
});
