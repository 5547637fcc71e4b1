import { describe, expect, it } from 'vitest';
import { array, keep, memory, ones, tidy, withBackend, zeros, type NDArray } from './index.js';
import { CountingBackend } from './testing.js';

// A fresh backend per test, so that counts and bytes start at zero.
const fresh = (): CountingBackend => new CountingBackend();

describe('memory lifetime', () => {
  it('memory() counts live storages and bytes; dispose releases them', () => {
    const b = fresh();
    withBackend(b, () => {
      const a = zeros([1000]);
      const c = zeros([10], 'float64');
      expect(memory(b)).toMatchObject({ backend: 'counting', buffers: 2, bytes: 4080 });
      a.dispose();
      expect(memory(b)).toMatchObject({ buffers: 1, bytes: 80 });
      a.dispose(); // idempotent
      c.dispose();
      expect(memory(b)).toMatchObject({ buffers: 0, bytes: 0, peakBytes: 4080 });
    });
  });

  it('a view keeps the storage alive until it is disposed too; a disposed array cannot be used', () => {
    const b = fresh();
    withBackend(b, () => {
      const a = ones([2, 3]);
      const v = a.transpose(0, 1);
      a.dispose();
      expect(memory(b).buffers).toBe(1);
      expect(v.toArray()).toEqual([[1, 1], [1, 1], [1, 1]]);
      expect(() => a.add(1)).toThrow('add: the array [2,3] float32 was disposed');
      expect(() => a.toArray()).toThrow('toArray: the array [2,3] float32 was disposed');
      v.dispose();
      expect(memory(b).buffers).toBe(0);
    });
  });

  it('tidy frees every intermediate and keeps what it returns (arrays, nested in arrays and objects)', () => {
    const b = fresh();
    withBackend(b, () => {
      const x = ones([4]);
      const before = memory(b).buffers;
      const y = tidy(() => x.add(x).mul(x).sub(x)); // the add and the mul are freed
      expect(memory(b).buffers).toBe(before + 1);
      expect(y.toArray()).toEqual([1, 1, 1, 1]);
      const { pair, list } = tidy(() => ({ pair: [x.add(x), x.sub(x)], list: [x.add(x).exp().log()] }));
      expect(memory(b).buffers).toBe(before + 4);
      expect([pair[1].toArray(), list[0].toArray()]).toEqual([[0, 0, 0, 0], [2, 2, 2, 2]]);
      expect(x.isDisposed).toBe(false); // made outside the scope
    });
  });

  it('tidy scopes nest: an inner result belongs to the outer scope', () => {
    const b = fresh();
    withBackend(b, () => {
      let inner: NDArray | null = null;
      const out = tidy(() => {
        inner = tidy(() => ones([2]).add(ones([2])));
        return inner.mul(inner);
      });
      expect(inner!.isDisposed).toBe(true);
      expect(out.toArray()).toEqual([4, 4]);
      expect(memory(b).buffers).toBe(1);
    });
  });

  it('tidy disposes everything when the function throws, and refuses a Promise', () => {
    const b = fresh();
    withBackend(b, () => {
      expect(() => tidy(() => { zeros([3]).exp(); throw new Error('boom'); })).toThrow('boom');
      expect(memory(b).buffers).toBe(0);
      expect(() => tidy(() => Promise.resolve(zeros([1])))).toThrow('tidy: the function returned a Promise');
    });
  });

  it('keep exempts an array from tidy (optimizer state); dispose still frees it', () => {
    const b = fresh();
    withBackend(b, () => {
      let state: NDArray | null = null;
      tidy(() => {
        state = keep(zeros([5]));
        zeros([5]);
      });
      expect(state!.isDisposed).toBe(false);
      expect(memory(b).buffers).toBe(1);
      state!.dispose();
      expect(memory(b).buffers).toBe(0);
    });
  });

  it('scalar operands are cached per backend and kept out of tidy', () => {
    const b = fresh();
    withBackend(b, () => {
      const x = ones([2]);
      tidy(() => x.mul(2.5));
      const live = memory(b).buffers; // x and the cached 2.5
      expect(tidy(() => x.mul(2.5).toArray())).toEqual([2.5, 2.5]);
      expect(memory(b).buffers).toBe(live);
      expect(Array.from(x.mul(-0).toTypedArray(), (v) => Object.is(v, -0))).toEqual([true, true]);
    });
  });

  it('`using` disposes at the end of the block', () => {
    const b = fresh();
    withBackend(b, () => {
      {
        using a = array([1, 2, 3]);
        expect(a.sum().item()).toBe(6);
      }
      // the sum's result is not `using`, so one storage (the sum) remains
      expect(memory(b).buffers).toBe(1);
    });
  });
});
