import { describe, expect, it } from 'vitest';
import { cpuBackend, getBackend, useBackend, referenceBackend } from '../index.js';
import { runConformance } from '../testing.js';

// The fast CPU kernels against the naive ones, through the same suite any backend runs.
runConformance(cpuBackend, { describe, it, expect });

describe('backend selection', () => {
  it('is the CPU backend by default and can be swapped and restored', () => {
    expect(getBackend()).toBe(cpuBackend);
    const previous = useBackend(referenceBackend);
    expect(previous).toBe(cpuBackend);
    expect(getBackend().name).toBe('cpu-naive');
    useBackend(previous);
    expect(getBackend()).toBe(cpuBackend);
  });
});

describe('runConformance', () => {
  it('catches a backend with a wrong kernel', () => {
    const broken = { ...cpuBackend, name: 'broken', unary: cpuBackend.unary };
    broken.unary = (op, x, dtype) => cpuBackend.unary(op === 'exp' ? 'square' : op, x, dtype);
    const failed: string[] = [];
    runConformance(broken, {
      describe: (_name, fn) => fn(),
      it: (name, fn) => {
        try {
          fn();
        } catch {
          failed.push(name);
        }
      },
      expect,
    });
    expect(failed).toEqual(['unary exp float32', 'unary exp strided view', 'unary exp float64', 'unary on int32']);
  });
});
