import { describe, expect, it } from 'vitest';
import { cpuBackend, CpuBackend, fastKernels, getBackend, useBackend, referenceBackend, type DType, type NDArray, type UnaryOp } from '../index.js';
import {
  array, conv2d, conv2dBackwardInput, conv2dBackwardWeight, full, Generator, maxPool2d, maxPool2dBackward, randn, tidy,
} from '../index.js';
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

describe('outputs on reused buffers', () => {
  it('are fully overwritten by the kernels that skip the zero fill (unary, binary, conv2d, max pooling)', () => {
    // Every array here has 1024+ elements (4 KiB), so its buffer is pooled when disposed.
    const x = randn([2, 3, 24, 24], { generator: new Generator(1) }), w = randn([4, 3, 3, 3], { generator: new Generator(2) });
    const compute = (): unknown[] => {
      const y = conv2d(x, w, { padding: 1 });
      const gy = y.relu().mul(y);
      const pooled = maxPool2d(gy, { kernel: 2 });
      const gx = conv2dBackwardInput(gy, w, x.shape, { padding: 1 });
      const gw = conv2dBackwardWeight(gy, x, w.shape, { padding: 1 });
      const back = maxPool2dBackward(pooled.values, pooled.indices, gy.shape);
      return [y, gy, pooled.values, pooled.indices, gx, gw, back].map((a) => a.toArray());
    };
    const fresh = compute();
    // Fill the pool with NaN-filled buffers of every size the ops above allocate, then compute again.
    tidy(() => {
      for (const size of [2 * 4 * 24 * 24, 2 * 4 * 12 * 12, 2 * 3 * 24 * 24]) for (let i = 0; i < 6; i++) full([size], Number.NaN);
      for (let i = 0; i < 2; i++) full([2 * 4 * 12 * 12], -7, 'int32');
    });
    expect(compute()).toEqual(fresh);
  });
});

describe('uploads on reused buffers', () => {
  it('copy every element over a pooled buffer (a disposed batch serves the next one)', () => {
    const size = 2048; // 8 KiB of float32 or int32, 2 KiB of uint8: the first two are pooled
    const floats = Float32Array.from({ length: size }, (_, i) => i / 7 - 100);
    const ints = Int32Array.from({ length: size }, (_, i) => i - 1000);
    const bytes = Uint8Array.from({ length: 4 * size }, (_, i) => i % 3);
    tidy(() => {
      full([size], Number.NaN);
      full([size], -7, 'int32');
      full([4 * size], 9, 'uint8');
      full([4 * size], 1, 'bool');
    });
    expect(array(floats).toTypedArray()).toEqual(floats);
    expect(array(ints).toTypedArray()).toEqual(ints);
    expect(array(bytes).toTypedArray()).toEqual(bytes);
    expect(array(bytes, { dtype: 'bool' }).toTypedArray()).toEqual(bytes.map((v) => (v !== 0 ? 1 : 0)));
  });
});
