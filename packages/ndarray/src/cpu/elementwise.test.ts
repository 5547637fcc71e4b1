import { describe, expect, it } from 'vitest';
import { BINARY_OPS, UNARY_OPS } from '../backend.js';
import { array, randn } from '../creation.js';
import { allocate, type TypedArray } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { Generator } from '../random.js';
import { binary, binaryNaive, unary, unaryNaive } from './elementwise.js';

// The fast rows (hoisted scalars, branch-free relu/sign) must give exactly what the naive
// per-element definition gives: Object.is, so -0 and NaN count too.
function expectSame(got: TypedArray, want: TypedArray): void {
  const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect(`element ${i}: ${show(got[i])}`).toBe(`element ${i}: ${show(want[i])}`);
  }
}

function checkBinary(a: NDArray, b: NDArray): void {
  const shape = broadcastShapes(a.shape, b.shape);
  for (const op of BINARY_OPS) {
    const fast = allocate(a.dtype, sizeOf(shape));
    const naive = allocate(a.dtype, sizeOf(shape));
    binary(op, a, b, shape, fast);
    binaryNaive(op, a, b, shape, naive);
    expectSame(fast, naive);
  }
}

const g = new Generator(7);
const specials = [0, -0, 1, -1, 2.5, -2.5, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];

describe('binary fast paths against the naive kernel', () => {
  it('bias [C,1,1] against [N,C,H,W] (a constant inner block)', () => {
    checkBinary(randn([3, 4, 5, 7], { generator: g }), randn([4, 1, 1], { generator: g }));
    checkBinary(randn([4, 1, 1], { generator: g }), randn([3, 4, 5, 7], { generator: g })); // the scalar on the left
  });

  it('a one-element operand on either side, special values included', () => {
    const x = array(specials);
    for (const s of [2, -0, 0.5, NaN, -Infinity]) {
      checkBinary(x, array(s, { dtype: 'float64' }));
      checkBinary(array([s]), x);
    }
  });

  it('same-shape contiguous, strided and expanded operands', () => {
    const a = randn([6, 9], { generator: g });
    checkBinary(a, randn([6, 9], { generator: g }));
    checkBinary(a.transpose(0, 1), randn([9, 6], { generator: g }));
    checkBinary(a, randn([6, 1], { generator: g }).expand([6, 9]));
    checkBinary(randn([1, 9], { generator: g }), a.slice(0, 0, 6, 2));
  });

  it('float64 and int32 operands', () => {
    checkBinary(randn([2, 3, 4], { dtype: 'float64', generator: g }), randn([3, 1], { dtype: 'float64', generator: g }));
    checkBinary(array([[3, -4, 7], [0, 9, -2]], { dtype: 'int32' }), array([[2], [-3]], { dtype: 'int32' }));
  });
});

describe('unary fast rows against the naive kernel', () => {
  it.each(['float32', 'float64'] as const)('every op on special values, %s', (dtype) => {
    const x = array([...specials, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324], { dtype });
    for (const op of UNARY_OPS) {
      const fast = allocate(dtype, x.size);
      const naive = allocate(dtype, x.size);
      unary(op, x, fast);
      unaryNaive(op, x, naive);
      expectSame(fast, naive);
    }
  });

  it('relu keeps -0 and NaN and maps -inf to 0, as PyTorch; sign of NaN is NaN, of -0 is 0', () => {
    const x = array([-0, NaN, -Infinity, Infinity, -2, 3]);
    expect(x.relu().toArray()).toEqual([-0, NaN, 0, Infinity, 0, 3]);
    expect(Object.is(x.relu().get(0), -0)).toBe(true);
    expect(x.sign().toArray()).toEqual([0, NaN, -1, 1, -1, 1]);
    expect(Object.is(x.sign().get(0), 0)).toBe(true);
    // float64 values near the overflow limit, where (v + |v|) / 2 would overflow
    expect(array([1.7e308, -1.7e308], { dtype: 'float64' }).relu().toArray()).toEqual([1.7e308, 0]);
  });
});
