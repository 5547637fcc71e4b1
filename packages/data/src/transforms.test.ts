import { describe, expect, it } from 'vitest';
import { array } from '@tsgrad/ndarray';
import { compose, normalize, toTensor } from './transforms.js';

describe('transforms', () => {
  it('toTensor maps uint8 0..255 to float32 0..1', () => {
    const x = toTensor(array(new Uint8Array([0, 51, 128, 255]), { shape: [4], dtype: 'uint8' }));
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.toTypedArray())).toEqual([0, Math.fround(51 / 255), Math.fround(128 / 255), 1]);
  });

  it('normalize subtracts and divides per channel (dim -3), on a sample and on a batch', () => {
    const sample = array([[[1, 2]], [[3, 4]]]); // [C=2, H=1, W=2]
    const norm = normalize([1, 2], [2, 4]);
    expect(norm(sample).toArray()).toEqual([[[0, 0.5]], [[0.25, 0.5]]]);
    const batch = array([[[[1, 2]], [[3, 4]]], [[[5, 6]], [[6, 10]]]]); // [B=2, C=2, 1, 2]
    expect(norm(batch).toArray()).toEqual([[[[0, 0.5]], [[0.25, 0.5]]], [[[2, 2.5]], [[1, 2]]]]);
    expect(normalize(0.5, 0.25)(array([1, 0])).toArray()).toEqual([2, -2]);
  });

  it('normalize names bad arguments', () => {
    expect(() => normalize([0.5], [0])).toThrow('normalize: std evaluated to zero');
    expect(() => normalize([1, 2], [1])).toThrow('normalize: mean has 2 values but std has 1');
    expect(() => normalize([1, 2], [1, 1])(array([[[1]], [[2]], [[3]]]))).toThrow(
      'normalize: 2 channel means for an array of shape [3, 1, 1]',
    );
  });

  it('compose applies left to right', () => {
    const t = compose(toTensor, normalize([0.5], [0.5]));
    const x = t(array(new Uint8Array([0, 255]), { shape: [1, 1, 2], dtype: 'uint8' }));
    expect(x.toArray()).toEqual([[[-1, 1]]]);
  });
});
