import { describe, expect, it } from 'vitest';
import { cpuBackend, CpuBackend, fastKernels, getBackend, useBackend, referenceBackend, type DType, type NDArray, type UnaryOp } from '../index.js';
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
  it('catches a backend with a wrong kernel', async () => {
    class Broken extends CpuBackend {
      override unary(op: UnaryOp, x: NDArray, dtype: DType): NDArray {
        return super.unary(op === 'exp' ? 'square' : op, x, dtype);
      }
    }
    const failed: string[] = [];
    const runs: Promise<void>[] = [];
    runConformance(new Broken('broken', fastKernels), {
      describe: (_name, fn) => fn(),
      it: (name, fn) => {
        runs.push(Promise.resolve().then(fn).catch(() => void failed.push(name)));
      },
      expect,
    });
    await Promise.all(runs);
    expect(failed.sort()).toEqual(['unary exp float32', 'unary exp float64', 'unary exp strided view', 'unary on int32']);
  });
});
