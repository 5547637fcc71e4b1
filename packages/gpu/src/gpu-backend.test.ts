import { describe, expect, it } from 'vitest';
import {
  NDArray, Generator, array, cat, maxPool2d, maxPool2dBackward, randint, randn, referenceBackend, stack, useBackend,
  type Backend,
} from '@tsgrad/ndarray';
import { createGpuBackend } from './gpu-backend.js';
import { KernelRunner } from './runner.js';

/** Runs `f` with `backend` active. */
function on<T>(backend: Backend, f: () => T): T {
  const previous = useBackend(backend);
  try {
    return f();
  } finally {
    useBackend(previous);
  }
}

/** `f` on the gpu backend and on the naive reference: same shapes, dtypes, and values within 1e-5 (float32) or equal. */
function agrees(gpu: Backend, f: () => NDArray | NDArray[]): void {
  const wants = [on(referenceBackend, f)].flat();
  const gots = [on(gpu, f)].flat();
  expect(gots.length).toBe(wants.length);
  wants.forEach((want, k) => {
    const got = gots[k];
    expect(got.shape, `result ${k}: shape`).toEqual(want.shape);
    expect(got.dtype, `result ${k}: dtype`).toBe(want.dtype);
    const [g, w] = [got.toTypedArray(), want.toTypedArray()];
    for (let i = 0; i < w.length; i++) {
      const err = Math.abs(g[i] - w[i]) / Math.max(1, Math.abs(w[i]));
      if (!(err <= 1e-5) && !(Number.isNaN(g[i]) && Number.isNaN(w[i]))) {
        expect(g[i], `result ${k}: element ${i}`).toBe(w[i]);
      }
    }
  });
}

for (const mode of ['webasm', 'cpu'] as const) {
  describe(`gpu:${mode}`, () => {
    const gpu = createGpuBackend(mode);
    const g = new Generator(7);
    const f32 = (shape: number[]): NDArray => randn(shape, { generator: g });

    it('float32 parts of the conformance cases that also use float64: casts, cat and stack, batched broadcast matmul', () => {
      const x = f32([3, 4]);
      const xt = f32([4, 3]).transpose(0, 1);
      const i = randint(-5, 6, [3, 4], { generator: g });
      agrees(gpu, () => [xt.contiguous(), x.mul(3).astype('int32'), x.astype('bool'), i.astype('float32'), i.gt(0).astype('int32')]);
      agrees(gpu, () => [cat([x, xt, i], 0), cat([xt, x], 1), stack([x, xt], 2), cat([x.gt(0), xt.lt(0)])]);
      const [a, b, c, d] = [f32([2, 1, 4, 3]), f32([5, 3, 2]), f32([3, 2, 4, 3]), f32([3, 2])];
      agrees(gpu, () => [a.matmul(b), c.transpose(0, 1).matmul(d.expand([2, 3, 3, 2]))]);
    });

    it('views of more than three dims run as slabs: elementwise, reductions, gather, scatterAdd, indexSelect, pad, cat', () => {
      const x = f32([2, 3, 2, 4, 3]).permute([4, 0, 2, 1, 3]); // 5-d, not coalescable
      const z = f32([2, 1, 3, 1]);
      agrees(gpu, () => [x.exp(), x.add(z), x.sum([1, 3]), x.max(0), x.maxWithIndices(4).indices]);
      const y = f32([3, 4, 2, 5]);
      const index = randint(0, 3, [2, 4, 2, 5], { generator: g });
      const [src, index3, index2, src2] = [f32([2, 4, 2, 5]), randint(0, 5, [3, 4, 2, 2], { generator: g }), randint(0, 2, [2, 4, 2, 5], { generator: g }), f32([3, 4, 2, 5])];
      agrees(gpu, () => [y.gather(0, index), y.scatterAdd(0, index, src), y.gather(3, index3)]);
      // an index smaller than x in a dim above the grid
      agrees(gpu, () => y.scatterAdd(2, index2, src2));
      agrees(gpu, () => [y.indexSelect(1, array([3, 0, 3], { dtype: 'int32' })), y.indexSelect(0, array([2, 2], { dtype: 'int32' }))]);
      agrees(gpu, () => [y.pad([1, 0, 0, 2, 1, 1, 2, 0], -1), y.pad([0, 0, -1, 1, 0, 0, 1, 0]), cat([y, y.mul(2)], 0), cat([y, y], 1)]);
    });

    it('max pooling gradients for indices it did not make scan the whole plane', () => {
      const x = f32([2, 3, 7, 7]);
      const { values, indices } = on(referenceBackend, () => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }));
      agrees(gpu, () => maxPool2dBackward(values.add(1), indices, x.shape));
    });

    it('refuses float64 with an error naming it', () => {
      const x = randn([2, 2], { generator: g, dtype: 'float64' });
      expect(() => on(gpu, () => x.exp())).toThrow(`gpu:${mode}: float64 is not supported (the gpu backend computes in float32); got an array of shape [2, 2]`);
      expect(() => on(gpu, () => f32([2]).astype('float64'))).toThrow(/float64 is not supported/);
    });

    it('compiles each elementwise kernel once, whatever the shapes', () => {
      const fresh = createGpuBackend(mode);
      on(fresh, () => f32([3]).add(1));
      const compiled = fresh.describe().compiles;
      on(fresh, () => [f32([5, 7]).add(f32([7])), f32([2, 3, 4]).add(2), f32([9]).transpose(0, 0).add(1)]);
      expect(fresh.describe().compiles).toBe(compiled);
      fresh.destroy();
    });
  });
}

describe('index math past 2^24 elements', () => {
  // Element i holds i % 1013; float32 index arithmetic rounds indices above 2^24 = 16,777,216 to even numbers.
  const n = (1 << 24) + 64;
  const storage = new Float32Array(n).map((_, i) => i % 1013);
  const expected = (i: number): number => i % 1013;

  it('webasm reads the right elements through strides and offsets (Integer arguments)', () => {
    const gpu = createGpuBackend('webasm');
    const tail = new NDArray(storage, [16], [3], (1 << 24) + 5); // every 3rd element from 2^24 + 5
    const got = on(gpu, () => tail.mul(1)).toTypedArray();
    expect(Array.from(got)).toEqual(Array.from({ length: 16 }, (_, k) => expected((1 << 24) + 5 + 3 * k)));
    const rows = new NDArray(storage, [2, 8], [(1 << 24) + 7, 1], 3); // row 1 starts past 2^24
    expect(Array.from(on(gpu, () => rows.sum([1])).toTypedArray())).toEqual([
      Array.from({ length: 8 }, (_, k) => expected(3 + k)).reduce((a, b) => a + b),
      Array.from({ length: 8 }, (_, k) => expected((1 << 24) + 10 + k)).reduce((a, b) => a + b),
    ]);
    gpu.destroy();
  });

  it('the same kernel with a Float offset reads wrong elements on webasm: why sizes are Integer', () => {
    const runner = new KernelRunner('webasm');
    const read = (type: 'Integer' | 'Float'): number[] =>
      Array.from(runner.run({ key: `read:${type}`, params: [['x', 'Array'], ['off', type]], body: 'return x[off + this.thread.x];' }, [4, 1, 1], [storage, (1 << 24) + 1]));
    const want = [1, 2, 3, 4].map((k) => expected((1 << 24) + k));
    expect(read('Integer')).toEqual(want);
    expect(read('Float')).not.toEqual(want);
    runner.destroy();
  });
});
