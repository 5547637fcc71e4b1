import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  broadcastShapes,
  broadcastStrides,
  inferShape,
  isContiguousLayout,
  normalizeAxes,
  normalizeDim,
  sizeOf,
  stridesFor,
  viewStrides,
} from './shape.js';
import { offsetsOf, RowCursor, coalesce, unravel, offsetAt } from './cpu/strided.js';

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

describe('shape helpers', () => {
  it('computes sizes and row-major strides', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(stridesFor([2, 3, 4])).toEqual([12, 4, 1]);
    expect(isContiguousLayout([2, 3], [3, 1])).toBe(true);
    expect(isContiguousLayout([3, 2], [1, 3])).toBe(false);
    expect(isContiguousLayout([2, 1, 3], [3, 99, 1])).toBe(true);
  });

  it('normalizes dims and names the range in errors', () => {
    expect(normalizeDim(-1, 3)).toBe(2);
    expect(() => normalizeDim(3, 2)).toThrow('dim 3 out of range for a 2-d array (expected -2..1)');
    expect(() => normalizeDim(-3, 2)).toThrow('dim -3 out of range for a 2-d array (expected -2..1)');
    expect(normalizeAxes([-1, 0], 3)).toEqual([0, 2]);
    expect(() => normalizeAxes([1, -2], 3)).toThrow('dim 1 appears multiple times');
  });

  it('infers one -1 and checks the element count', () => {
    expect(inferShape([-1, 4], 12, [3, 4])).toEqual([3, 4]);
    expect(() => inferShape([4], 6, [2, 3])).toThrow('reshape: cannot view [2,3] (6 elements) as [4] (4 elements)');
    expect(() => inferShape([-1, -1], 6, [6])).toThrow('only one dimension can be inferred');
    expect(() => inferShape([-1, 4], 6, [6])).toThrow('cannot view [6] (6 elements) as [-1,4]');
  });

  it('broadcasts like NumPy and names both shapes when it cannot', () => {
    expect(broadcastShapes([2, 1, 3], [4, 3])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [2])).toEqual([2]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow('broadcast: shapes [2,3] and [4] are incompatible at dim -1 (3 vs 4)');
    expect(() => broadcastShapes([5, 3], [4, 3])).toThrow('at dim -2 (5 vs 4)');
  });

  it('broadcasting is commutative and every input dim is 1 or the result size (property)', () => {
    const pair = shapeArb.chain((s) =>
      fc.tuple(
        fc.constant(s),
        // the same dims, some set to 1, some leading ones dropped
        fc.tuple(...s.map((d) => fc.constantFrom(d, 1))).chain((t) => fc.nat(t.length).map((k) => t.slice(k))),
      ),
    );
    fc.assert(
      fc.property(pair, fc.boolean(), ([a, b], swap) => {
        const [x, y] = swap ? [b, a] : [a, b];
        const out = broadcastShapes(x, y);
        expect(out).toEqual(broadcastShapes(y, x));
        for (const s of [x, y]) {
          for (let i = 1; i <= s.length; i++) expect([1, out[out.length - i]]).toContain(s[s.length - i]);
        }
        const bs = broadcastStrides(x, stridesFor(x), out);
        // a broadcast view reads element idx of the output at the input's own (clamped) index
        for (let k = 0; k < sizeOf(out); k++) {
          const idx = unravel(k, out);
          const own = idx.slice(out.length - x.length).map((v, d) => (x[d] === 1 ? 0 : v));
          expect(offsetAt(idx, bs, 0)).toBe(offsetAt(own, stridesFor(x), 0));
        }
      }),
      { numRuns: 100 },
    );
  });
});

/** A random strided layout: a permuted, sliced and possibly expanded view of some buffer. */
const layoutArb = shapeArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    perm: fc.shuffledSubarray(
      shape.map((_, i) => i),
      { minLength: shape.length, maxLength: shape.length },
    ),
    step: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
    zero: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
    offset: fc.integer({ min: 0, max: 5 }),
  }).map(({ perm, step, zero, offset }) => {
    // strides of a buffer laid out in `perm` order, with gaps (`step`) and some broadcast dims
    const strides = new Array<number>(shape.length).fill(0);
    let s = 1;
    for (let k = perm.length - 1; k >= 0; k--) {
      const d = perm[k];
      strides[d] = zero[d] ? 0 : s * step[d];
      s *= shape[d] * step[d];
    }
    return { shape, strides, offset };
  }),
);

describe('strided iteration', () => {
  it('RowCursor and offsetsOf visit the same offsets as the multi-index formula (property)', () => {
    fc.assert(
      fc.property(layoutArb, ({ shape, strides, offset }) => {
        const naive = Array.from({ length: sizeOf(shape) }, (_, k) => offsetAt(unravel(k, shape), strides, offset));
        expect(Array.from(offsetsOf(shape, strides, offset))).toEqual(naive);
        const c = new RowCursor(shape, [strides], [offset]);
        const seen: number[] = [];
        for (let r = 0; r < c.rows; r++, c.next()) for (let j = 0; j < c.n; j++) seen.push(c.offsets[0] + j * c.inner[0]);
        expect(seen).toEqual(naive);
      }),
      { numRuns: 200 },
    );
  });

  it('coalesces a contiguous array of any rank into one row', () => {
    expect(coalesce([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
    expect(coalesce([2, 3], [[3, 1], [0, 1]])).toEqual({ shape: [2, 3], strides: [[3, 1], [0, 1]] });
    expect(coalesce([], [[]])).toEqual({ shape: [1], strides: [[0]] });
  });

  it('viewStrides finds a view exactly when the reshape keeps reading order (property)', () => {
    const arb = layoutArb.chain((l) =>
      fc.constantFrom(...reshapes(l.shape)).map((target) => ({ ...l, target })),
    );
    fc.assert(
      fc.property(arb, ({ shape, strides, offset, target }) => {
        const vs = viewStrides(shape, strides, target);
        const before = Array.from(offsetsOf(shape, strides, offset));
        if (vs !== null) expect(Array.from(offsetsOf(target, vs, offset))).toEqual(before);
        if (isContiguousLayout(shape, strides)) expect(vs).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

/** Some shapes with the same number of elements as `shape`. */
function reshapes(shape: readonly number[]): number[][] {
  const n = sizeOf(shape);
  const out: number[][] = [[n], [...shape], [1, n], [n, 1], []];
  for (let d = 2; d <= n; d++) if (n % d === 0) out.push([d, n / d], [n / d, 1, d]);
  return out.filter((s) => sizeOf(s) === n);
}
