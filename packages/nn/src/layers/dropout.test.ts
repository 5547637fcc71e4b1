import { describe, expect, it } from 'vitest';
import { ones } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { Dropout } from './dropout.js';
import { dropout } from '../functional/dropout.js';
import { readFixture } from '../test-fixtures.js';

const reprs = readFixture<{ otherRepr: Record<string, string> }>('layers.json').otherRepr;

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    const x = ones([100000], { requiresGrad: true });
    const y = new Dropout(0.3, { generator: new Generator(0) }).forward(x);
    const values = y.data.toTypedArray();
    const zeros = values.filter((v) => v === 0).length;
    expect(Math.abs(zeros / values.length - 0.3)).toBeLessThan(0.01); // 0.01 is about 7 standard deviations
    const kept = values.filter((v) => v !== 0);
    expect(Math.max(...kept) - Math.min(...kept)).toBe(0);
    expect(kept[0]).toBeCloseTo(1 / 0.7, 6);
    // The gradient is the same mask: d(x * m)/dx = m.
    y.sum().backward();
    expect(Array.from(x.grad!.data.toTypedArray())).toEqual(Array.from(values));
  });

  it('is the identity in eval mode and with p = 0; all zeros with p = 1', () => {
    const x = ones([5]);
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(dropout(x, 1).data.toArray()).toEqual([0, 0, 0, 0, 0]);
  });

  it('draws the same mask from the same seed', () => {
    const a = dropout(ones([50]), 0.5, true, { generator: new Generator(42) }).data.toArray();
    const b = dropout(ones([50]), 0.5, true, { generator: new Generator(42) }).data.toArray();
    const c = dropout(ones([50]), 0.5, true, { generator: new Generator(43) }).data.toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('prints as PyTorch and rejects a bad p', () => {
    expect(String(new Dropout())).toBe(reprs.dropout);
    expect(String(new Dropout(0.2))).toBe(reprs['dropout0.2']);
    expect(() => new Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
  });
});
