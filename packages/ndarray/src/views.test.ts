import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, array, NDArray, zeros, sizeOf } from './index.js';
import { unravel } from './cpu/strided.js';

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
const permArb = shapeArb.chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
  ),
);

/** `0, 1, 2, ...` in `shape`, as float32. */
const iota = (shape: number[]): NDArray => arange(sizeOf(shape)).astype('float32').reshape(shape);

/** Every element of `x` in row-major order, read one by one with `get`. */
function elements(x: NDArray): number[] {
  return Array.from({ length: x.size }, (_, k) => x.get(...unravel(k, x.shape)));
}

describe('views (properties)', () => {
  it('permute moves dims without copying, and its inverse restores the array', () => {
    fc.assert(
      fc.property(permArb, ([shape, perm]) => {
        const x = iota(shape);
        const p = x.permute(perm);
        expect(p.storage).toBe(x.storage);
        expect(p.shape).toEqual(perm.map((d) => shape[d]));
        for (let k = 0; k < p.size; k++) {
          const idx = unravel(k, p.shape);
          const src = new Array<number>(shape.length);
          perm.forEach((d, i) => (src[d] = idx[i]));
          expect(p.get(...idx)).toBe(x.get(...src));
        }
        const inverse = perm.map((_, i) => perm.indexOf(i));
        expect(p.permute(inverse).toArray()).toEqual(x.toArray());
        expect(p.contiguous().isContiguous()).toBe(true);
        expect(p.contiguous().toArray()).toEqual(p.toArray());
      }),
      { numRuns: 100 },
    );
  });

  it('reshape is a view when the strides allow it and a copy otherwise, with the same row-major values', () => {
    fc.assert(
      fc.property(permArb, ([shape, perm]) => {
        const p = iota(shape).permute(perm);
        const flat = p.reshape([-1]);
        expect(elements(flat)).toEqual(elements(p));
        expect(flat.storage === p.storage).toBe(p.isContiguous());
        if (p.isContiguous()) expect(p.view([-1]).storage).toBe(p.storage);
        else if (p.size > 1 && p.squeeze().ndim > 1) expect(() => p.view([-1])).toThrow('use reshape() instead');
      }),
      { numRuns: 100 },
    );
  });

  it('slice matches JavaScript slicing along any dim, as a view', () => {
    const arb = shapeArb.chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.nat(shape.length - 1),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, dim, start, end, step]) => {
        const x = iota(shape);
        const s = x.slice(dim, start, end, step);
        expect(s.storage).toBe(x.storage);
        const size = shape[dim];
        const norm = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
        const picked: number[] = [];
        for (let i = norm(start); i < norm(end); i += step) picked.push(i);
        expect(s.shape[dim]).toBe(picked.length);
        for (let k = 0; k < s.size; k++) {
          const idx = unravel(k, s.shape);
          const src = idx.slice();
          src[dim] = picked[idx[dim]];
          expect(s.get(...idx)).toBe(x.get(...src));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('expand repeats size-1 dims with stride 0', () => {
    fc.assert(
      fc.property(shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (shape, ones) => {
        const small = shape.map((d, i) => (ones[i] ? 1 : d));
        const x = iota(small);
        const e = x.expand([2, ...shape]);
        expect(e.storage).toBe(x.storage);
        for (let k = 0; k < e.size; k++) {
          const idx = unravel(k, e.shape);
          expect(e.get(...idx)).toBe(x.get(...idx.slice(1).map((v, d) => (small[d] === 1 ? 0 : v))));
        }
        expect(e.strides[0]).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('elementwise ops broadcast like the per-element definition', () => {
    const arb = shapeArb.chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        fc.nat(shape.length),
        fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
      ),
    );
    fc.assert(
      fc.property(arb, ([shape, ones, drop, perm]) => {
        const a = iota(shape).permute(perm).contiguous().permute(perm.map((_, i) => perm.indexOf(i))); // strided
        const bShape = shape.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
        const b = iota(bShape).mul(0.5).sub(1);
        const y = a.mul(b).add(a);
        expect(y.shape).toEqual(shape);
        for (let k = 0; k < y.size; k++) {
          const idx = unravel(k, shape);
          const bi = idx.slice(drop).map((v, d) => (bShape[d] === 1 ? 0 : v));
          const av = a.get(...idx);
          expect(y.get(...idx)).toBeCloseTo(av * b.get(...bi) + av, 5);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('sum over any set of axes matches a per-element accumulation', () => {
    const arb = permArb.chain(([shape, perm]) =>
      fc.tuple(fc.constant(shape), fc.constant(perm), fc.subarray(shape.map((_, i) => i)), fc.boolean()),
    );
    fc.assert(
      fc.property(arb, ([shape, perm, axes, keepdim]) => {
        const x = iota(shape).permute(perm);
        const y = x.sum(axes, keepdim);
        const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const want = new Float64Array(sizeOf(kept));
        const strides = kept.map((_, i) => sizeOf(kept.slice(i + 1)));
        for (let k = 0; k < x.size; k++) {
          const idx = unravel(k, x.shape);
          want[idx.reduce((o, v, d) => o + (axes.includes(d) ? 0 : v * strides[d]), 0)] += x.get(...idx);
        }
        expect(y.shape).toEqual(keepdim ? kept : x.shape.filter((_, i) => !axes.includes(i)));
        expect(Array.from(y.toTypedArray())).toEqual(Array.from(want));
      }),
      { numRuns: 100 },
    );
  });
});

describe('views (examples)', () => {
  it('squeeze, unsqueeze and flatten', () => {
    const x = zeros([2, 1, 3, 1]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 1, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1, 1]);
    expect(x.flatten().shape).toEqual([6]);
    expect(x.flatten(1, 2).shape).toEqual([2, 3, 1]);
    expect(array(5).flatten().shape).toEqual([1]);
  });

  it('narrow and transpose share storage', () => {
    const x = arange(12).reshape([3, 4]);
    const n = x.narrow(1, 1, 2);
    expect(n.toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(n.offset).toBe(1);
    expect(n.storage).toBe(x.storage);
    expect(x.narrow(0, -1, 1).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.transpose(-1, 0).shape).toEqual([4, 3]);
  });

  it('reshape of a non-contiguous array copies', () => {
    const t = arange(6).reshape([2, 3]).transpose(0, 1);
    const r = t.reshape([6]);
    expect(r.storage).not.toBe(t.storage);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('astype converts like PyTorch (truncation toward zero, nonzero is true)', () => {
    expect(array([1.7, -1.7, 0]).astype('int32').toArray()).toEqual([1, -1, 0]);
    expect(array([0.5, 0, -2]).astype('bool').toArray()).toEqual([true, false, true]);
    expect(array([true, false]).astype('float32').toArray()).toEqual([1, 0]);
  });

  it('a large transposing copy (the tiled path) keeps every element in place', () => {
    const x = arange(300 * 257).reshape([300, 257]);
    const t = x.transpose(0, 1).contiguous();
    expect(t.shape).toEqual([257, 300]);
    for (const [i, j] of [[0, 0], [1, 0], [256, 299], [31, 32], [32, 31], [100, 200]]) expect(t.get(i, j)).toBe(x.get(j, i));
    const data = t.toTypedArray();
    let ok = true;
    for (let i = 0; i < 257 && ok; i++) for (let j = 0; j < 300; j++) if (data[i * 300 + j] !== j * 257 + i) ok = false;
    expect(ok).toBe(true);
  });

  it('toTypedArray is a contiguous copy', () => {
    const x = arange(6).reshape([2, 3]);
    const t = x.transpose(0, 1).toTypedArray();
    expect(Array.from(t)).toEqual([0, 3, 1, 4, 2, 5]);
    t[0] = 99;
    expect(x.get(0, 0)).toBe(0);
    const row = x.narrow(0, 1, 1).toTypedArray();
    expect(Array.from(row)).toEqual([3, 4, 5]);
    expect(row).toBeInstanceOf(Int32Array);
  });
});
