// Values checked against PyTorch 1.13 (fixtures/make_fixtures.py writes fixtures/ndarray_fixtures.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  array,
  cat,
  stack,
  avgPool2d,
  avgPool2dBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  NDArray,
  poolOutputSize,
  where,
  type DType,
  type Pair,
  type UnaryOp,
  type BinaryOp,
} from './index.js';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Arr { shape: number[]; data: Num[] }
interface Fixtures {
  unary: Record<string, { x: Arr; y: Arr }>;
  binary: Record<string, { a: Arr; b: Arr; y: Arr }>;
  where: { cond: Arr; a: Arr; b: Arr; y: Arr };
  reduce: {
    x: Arr;
    cases: Array<{
      axis: number | number[] | null;
      keepdim: boolean;
      sum: Arr; mean: Arr; max: Arr; min: Arr; logsumexp: Arr;
      argmax?: Arr; argmin?: Arr;
      maxWithIndices?: { values: Arr; indices: Arr };
      minWithIndices?: { values: Arr; indices: Arr };
    }>;
    logsumexpExtreme: { x: Arr; y: Arr };
    nan: Record<'x' | 'max' | 'min' | 'max1' | 'min0' | 'argmax1' | 'argmin1' | 'argmax0' | 'maximum', Arr>;
  };
  indexing: {
    x: Arr;
    gather0: { index: Arr; y: Arr };
    gather1: { index: Arr; y: Arr };
    scatterAdd0: { index: Arr; src: Arr; y: Arr };
    indexSelect0: { index: number[]; y: Arr };
    indexSelect1: { index: number[]; y: Arr };
    pad: Array<{ pads: number[]; value: number; y: Arr }>;
  };
  matmul: Array<{ a: Arr; b: Arr; y: Arr }>;
  conv2d: Array<{ x: Arr; w: Arr; stride: Pair; padding: Pair; dilation: Pair; groups: number; y: Arr; gy: Arr; gx: Arr; gw: Arr }>;
  pool2d: Array<{
    kind: 'max' | 'avg'; x: Arr; kernel: Pair; stride: Pair; padding: Pair; dilation?: Pair; ceilMode: boolean;
    countIncludePad?: boolean; divisorOverride?: number | null; y: Arr; indices?: Arr; gy: Arr; gx: Arr;
  }>;
  poolOutputSize: Array<{ in: number; kernel: number; stride: number; padding: number; dilation: number; ceilMode: boolean; out: number }>;
  print: Array<{ x: Arr; dtype: string; text: string }>;
  join: { a: Arr; b: Arr; c: Arr; i: Arr; cat1: Arr; catMixed: Arr; x: Arr; y: Arr; z: Arr; stack: Record<string, Arr> };
}

const fx = JSON.parse(readFileSync(new URL('../fixtures/ndarray_fixtures.json', import.meta.url), 'utf8')) as Fixtures;

const decode = (v: Num): number => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/** A fixture array as an NDArray (float64 unless asked). */
function load(a: Arr, dtype: DType = 'float64'): NDArray {
  return array(Float64Array.from(a.data.map(decode)), { shape: a.shape }).astype(dtype);
}

/** Same shape, and every value within `tol` (relative for large values); NaN matches NaN. */
function expectClose(actual: NDArray, expected: Arr, tol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  const got = Array.from(actual.toTypedArray());
  const want = expected.data.map(decode);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) expect(g, `element ${i}`).toBe(w);
    else expect(Math.abs(g - w), `element ${i}: got ${g}, expected ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
  }
}

describe('elementwise matches PyTorch', () => {
  for (const [op, c] of Object.entries(fx.unary)) {
    it(`${op} (float64 and float32)`, () => {
      const m = op as UnaryOp;
      expectClose(load(c.x)[m](), c.y);
      expectClose(load(c.x, 'float32')[m](), c.y, 1e-6);
      // a transposed (non-contiguous) view gives the transposed result
      expectClose(load(c.x).transpose(0, 1)[m]().transpose(0, 1), c.y);
    });
  }
  for (const [op, c] of Object.entries(fx.binary)) {
    it(`${op} with broadcasting`, () => {
      const m = op as BinaryOp;
      const y = load(c.a)[m](load(c.b));
      if (['gt', 'ge', 'lt', 'le', 'eq', 'ne'].includes(op)) expect(y.dtype).toBe('bool');
      expectClose(y, c.y);
      expectClose(load(c.a, 'float32')[m](load(c.b, 'float32')), c.y, 1e-6);
    });
  }
  it('where broadcasts its three operands', () => {
    const c = fx.where;
    expectClose(where(load(c.cond, 'bool'), load(c.a), load(c.b)), c.y);
  });
});

describe('reductions match PyTorch', () => {
  const x = load(fx.reduce.x);
  for (const c of fx.reduce.cases) {
    const axis = c.axis ?? undefined;
    it(`axis ${JSON.stringify(c.axis)} keepdim ${c.keepdim}`, () => {
      expectClose(x.sum(axis, c.keepdim), c.sum);
      expectClose(x.mean(axis, c.keepdim), c.mean);
      expectClose(x.max(axis, c.keepdim), c.max);
      expectClose(x.min(axis, c.keepdim), c.min);
      expectClose(x.logsumexp(axis, c.keepdim), c.logsumexp);
      expectClose(x.astype('float32').sum(axis, c.keepdim), c.sum, 1e-6);
      const single = typeof axis === 'number' || axis === undefined ? axis : undefined;
      if (c.argmax && c.argmin) {
        expect(x.argmax(single, c.keepdim).dtype).toBe('int32');
        expectClose(x.argmax(single, c.keepdim), c.argmax);
        expectClose(x.argmin(single, c.keepdim), c.argmin);
      }
      if (c.maxWithIndices && c.minWithIndices && typeof axis === 'number') {
        const mx = x.maxWithIndices(axis, c.keepdim);
        expectClose(mx.values, c.maxWithIndices.values);
        expectClose(mx.indices, c.maxWithIndices.indices);
        const mn = x.minWithIndices(axis, c.keepdim);
        expectClose(mn.values, c.minWithIndices.values);
        expectClose(mn.indices, c.minWithIndices.indices);
      }
    });
  }
  it('NaN propagates through max/min and argmax/argmin find the first NaN', () => {
    const c = fx.reduce.nan;
    for (const dtype of ['float64', 'float32'] as const) {
      const x = load(c.x, dtype);
      expectClose(x.max(), c.max);
      expectClose(x.min(), c.min);
      expectClose(x.max(1), c.max1);
      expectClose(x.min(0), c.min0);
      expectClose(x.argmax(1), c.argmax1);
      expectClose(x.argmin(1), c.argmin1);
      expectClose(x.argmax(0), c.argmax0);
      expectClose(x.maximum(0), c.maximum);
    }
  });
  it('logsumexp is stable for large and infinite inputs', () => {
    const c = fx.reduce.logsumexpExtreme;
    expectClose(load(c.x).logsumexp(1), c.y);
  });
});

describe('indexing matches PyTorch', () => {
  const c = fx.indexing;
  const x = load(c.x);
  it('gather', () => {
    expectClose(x.gather(0, load(c.gather0.index, 'int32')), c.gather0.y);
    expectClose(x.gather(1, load(c.gather1.index, 'int32')), c.gather1.y);
  });
  it('scatterAdd (repeated indices accumulate)', () => {
    expectClose(x.scatterAdd(0, load(c.scatterAdd0.index, 'int32'), load(c.scatterAdd0.src)), c.scatterAdd0.y);
  });
  it('indexSelect', () => {
    expectClose(x.indexSelect(0, array(c.indexSelect0.index, { dtype: 'int32' })), c.indexSelect0.y);
    expectClose(x.indexSelect(1, array(c.indexSelect1.index, { dtype: 'int32' })), c.indexSelect1.y);
  });
  for (const p of c.pad) {
    it(`pad [${p.pads.join(',')}] value ${p.value}`, () => {
      expectClose(x.reshape([1, 3, 4]).pad(p.pads, p.value), p.y);
    });
  }
});

describe('matmul matches PyTorch', () => {
  for (const c of fx.matmul) {
    it(`${JSON.stringify(c.a.shape)} @ ${JSON.stringify(c.b.shape)}`, () => {
      expectClose(load(c.a).matmul(load(c.b)), c.y);
      expectClose(load(c.a, 'float32').matmul(load(c.b, 'float32')), c.y, 1e-6);
    });
  }
  it('reads a transposed operand in place', () => {
    const c = fx.matmul[3];
    const bt = load(c.b).transpose(0, 1).contiguous().transpose(0, 1);
    expect(bt.isContiguous()).toBe(false);
    expectClose(load(c.a).matmul(bt), c.y);
  });
});

describe('conv2d and pooling match PyTorch', () => {
  for (const c of fx.conv2d) {
    it(`conv2d x ${JSON.stringify(c.x.shape)} w ${JSON.stringify(c.w.shape)} groups ${c.groups}`, () => {
      const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
      expectClose(conv2d(load(c.x), load(c.w), opts), c.y, 1e-10);
      expectClose(conv2dBackwardInput(load(c.gy), load(c.w), c.x.shape, opts), c.gx, 1e-10);
      expectClose(conv2dBackwardWeight(load(c.gy), load(c.x), c.w.shape, opts), c.gw, 1e-10);
    });
  }
  for (const c of fx.pool2d) {
    it(`${c.kind}Pool2d x ${JSON.stringify(c.x.shape)} kernel ${c.kernel} ceilMode ${c.ceilMode}`, () => {
      if (c.kind === 'max') {
        const opts = { kernel: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode };
        const { values, indices } = maxPool2d(load(c.x), opts);
        expectClose(values, c.y);
        expectClose(indices, c.indices as Arr);
        expectClose(maxPool2dBackward(load(c.gy), indices, c.x.shape), c.gx);
      } else {
        const opts = {
          kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode,
          countIncludePad: c.countIncludePad, divisorOverride: c.divisorOverride ?? undefined,
        };
        expectClose(avgPool2d(load(c.x), opts), c.y);
        expectClose(avgPool2dBackward(load(c.gy), c.x.shape, opts), c.gx);
      }
    });
  }
  it('poolOutputSize follows PyTorch (ceil mode drops a window that starts in the right padding)', () => {
    for (const c of fx.poolOutputSize) {
      expect(poolOutputSize(c.in, c.kernel, c.stride, c.padding, c.dilation, c.ceilMode), JSON.stringify(c)).toBe(c.out);
    }
  });
});

describe('toString matches PyTorch', () => {
  for (const c of fx.print) {
    it(JSON.stringify(c.text.slice(0, 40)), () => {
      const dtype = c.dtype as DType;
      const x = dtype === 'bool' ? load(c.x).ne(0) : load(c.x, dtype);
      expect(x.toString()).toBe(c.text);
    });
  }
});

describe('cat and stack against PyTorch', () => {
  const j = fx.join;
  it('torch.cat along dim 1 of [2,3], [2,1], [2,2]', () => {
    expectClose(cat([load(j.a), load(j.b), load(j.c)], 1), j.cat1);
    expectClose(cat([load(j.a), load(j.b), load(j.c)], -1), j.cat1);
  });
  it('torch.cat of float32 and int32 is float32', () => {
    const y = cat([load(j.a, 'float32'), load(j.i, 'int32')]);
    expect(y.dtype).toBe('float32');
    expectClose(y, j.catMixed);
  });
  it.each(Object.keys(fx.join.stack))('torch.stack along dim %s', (d) => {
    expectClose(stack([load(j.x), load(j.y), load(j.z)], Number(d)), j.stack[d]);
  });
});
