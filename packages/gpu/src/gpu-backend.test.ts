import { describe, expect, it } from 'vitest';
import {
  NDArray, Generator, array, cat, maxPool2d, maxPool2dBackward, randint, randn, referenceBackend, stack, withBackend,
  type Backend,
} from '@tsgrad/ndarray';
import { createGpuBackend } from './gpu-backend.js';
import { KernelRunner } from './runner.js';

/**
 * `f` on the gpu backend and on the naive reference, each with `inputs` moved to it: the gpu results
 * live on the gpu backend and agree with the reference's (same shapes and dtypes; values within 1e-5).
 */
function agrees(gpu: Backend, inputs: readonly NDArray[], f: (...xs: NDArray[]) => NDArray | NDArray[]): void {
  const wants = [withBackend(referenceBackend, () => f(...inputs.map((x) => x.to(referenceBackend))))].flat();
  const gots = [withBackend(gpu, () => f(...inputs.map((x) => x.to(gpu))))].flat();
  expect(gots.length).toBe(wants.length);
  wants.forEach((want, k) => {
    const got = gots[k];
    expect(got.backend.name, `result ${k}: backend`).toBe(gpu.name);
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
    const ints = (lo: number, hi: number, shape: number[]): NDArray => randint(lo, hi, shape, { generator: g });

    it('float32 parts of the conformance cases that also use float64: casts, cat and stack, batched broadcast matmul', () => {
      agrees(gpu, [f32([3, 4]), f32([4, 3]), ints(-5, 6, [3, 4])], (x, y, i) => {
        const xt = y.transpose(0, 1);
        return [
          xt.contiguous(), x.mul(3).astype('int32'), x.astype('bool'), i.astype('float32'), i.gt(0).astype('int32'), x.mul(100).astype('uint8'), i.astype('uint8'),
          cat([x, xt, i], 0), cat([xt, x], 1), stack([x, xt], 2), cat([x.gt(0), xt.lt(0)]),
        ];
      });
      agrees(gpu, [f32([2, 1, 4, 3]), f32([5, 3, 2]), f32([3, 2, 4, 3]), f32([3, 2])], (a, b, c, d) => [
        a.matmul(b), c.transpose(0, 1).matmul(d.expand([2, 3, 3, 2])),
      ]);
    });

    it('views of more than three dims run as slabs: elementwise, reductions, gather, scatterAdd, indexSelect, pad, cat', () => {
      agrees(gpu, [f32([2, 3, 2, 4, 3]), f32([2, 1, 3, 1])], (a, z) => {
        const x = a.permute([4, 0, 2, 1, 3]); // 5-d, not coalescable
        return [x.exp(), x.add(z), x.sum([1, 3]), x.max(0), x.maxWithIndices(4).indices];
      });
      const inputs = [f32([3, 4, 2, 5]), ints(0, 3, [2, 4, 2, 5]), f32([2, 4, 2, 5]), ints(0, 5, [3, 4, 2, 2]), ints(0, 2, [2, 4, 2, 5]), f32([3, 4, 2, 5])];
      agrees(gpu, inputs, (y, index, src, index3, index2, src2) => [
        y.gather(0, index), y.scatterAdd(0, index, src), y.gather(3, index3),
        // an index smaller than x in a dim above the grid
        y.scatterAdd(2, index2, src2),
        y.indexSelect(1, array([3, 0, 3], { dtype: 'int32' })), y.indexSelect(0, array([2, 2], { dtype: 'int32' })),
        y.pad([1, 0, 0, 2, 1, 1, 2, 0], -1), y.pad([0, 0, -1, 1, 0, 0, 1, 0]), cat([y, y.mul(2)], 0), cat([y, y], 1),
      ]);
    });

    it('in-place writes into views: fill_ and copy_ through strides', () => {
      agrees(gpu, [f32([4, 5]), f32([5, 2])], (x, y) => {
        const a = x.mul(1);
        a.slice(1, 0, 5, 2).fill_(7);
        a.narrow(0, 1, 2).transpose(0, 1).narrow(0, 0, 2).copy_(y.narrow(0, 0, 2));
        return [a];
      });
    });

    it('max pooling gradients for indices it did not make scan the whole plane', () => {
      const x = f32([2, 3, 7, 7]);
      const { values, indices } = withBackend(referenceBackend, () => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }));
      agrees(gpu, [values, indices], (v, i) => maxPool2dBackward(v.add(1), i, x.shape));
    });

    it('refuses float64 with an error naming it', () => {
      const x = randn([2, 2], { generator: g, dtype: 'float64' });
      expect(() => withBackend(gpu, () => randn([2, 2], { generator: g, dtype: 'float64' }))).toThrow(
        `gpu:${mode}: float64 is not supported (the gpu backend stores float32, int32, uint8 and bool; it computes in float32)`,
      );
      expect(() => f32([2]).to(gpu).astype('float64')).toThrow(/float64 is not supported/);
      expect(() => x.to(gpu)).toThrow(/float64 is not supported/);
    });

    it('refuses int32 values that float32 cannot hold, and indices out of range', () => {
      expect(() => array([1, 2 ** 24 + 1], { dtype: 'int32' }).to(gpu)).toThrow(
        `gpu:${mode}: int32 value 16777217 at element 1 is not exact in float32 (the gpu backend holds |int32| <= 2^24)`,
      );
      const x = f32([2, 3]).to(gpu);
      expect(() => x.gather(1, array([[0, 3]], { dtype: 'int32' }).to(gpu))).toThrow('gather: index 3 is out of bounds for dim 1 with size 3');
    });

    it('compiles each elementwise kernel once, whatever the shapes', () => {
      const fresh = createGpuBackend(mode);
      withBackend(fresh, () => f32([3]).add(1));
      const compiled = fresh.describe().details?.compiles;
      withBackend(fresh, () => [f32([5, 7]).add(f32([7])), f32([2, 3, 4]).add(2), f32([9]).transpose(0, 0).add(1)]);
      expect(fresh.describe().details?.compiles).toBe(compiled);
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
    const onDevice = gpu.upload(storage, 'float32');
    const tail = new NDArray(onDevice, [16], [3], (1 << 24) + 5); // every 3rd element from 2^24 + 5
    expect(Array.from(tail.mul(1).toTypedArray())).toEqual(Array.from({ length: 16 }, (_, k) => expected((1 << 24) + 5 + 3 * k)));
    const rows = new NDArray(onDevice, [2, 8], [(1 << 24) + 7, 1], 3); // row 1 starts past 2^24
    expect(Array.from(rows.sum([1]).toTypedArray())).toEqual([
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

describe('reads are copies', () => {
  it('a read of a contiguous view keeps its values after an in-place write into that view', () => {
    const gpu = createGpuBackend('webasm');
    const a = array([1, 2, 3, 4, 5]).to(gpu);
    const view = a.slice(0, 1, 4);
    const read = view.toTypedArray();
    view.fill_(9);
    expect(Array.from(read)).toEqual([2, 3, 4]);
    expect(a.toArray()).toEqual([1, 9, 9, 9, 5]);
  });
});
