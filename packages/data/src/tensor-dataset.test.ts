import { describe, expect, it } from 'vitest';
import { array } from '@tsgrad/ndarray';
import { TensorDataset } from './tensor-dataset.js';
import { defaultCollate } from './collate.js';

describe('TensorDataset', () => {
  const x = array([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const y = array(new Int32Array([0, 1, 1, 0]), { shape: [4], dtype: 'int32' });
  const ds = new TensorDataset(x, y);

  it('gives row i of every array', () => {
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(2);
    expect(xi.toArray()).toEqual([5, 6]);
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(1);
  });

  it('getBatch equals stacking the samples', () => {
    const indices = new Int32Array([3, 0, 2]);
    const fast = ds.getBatch(indices);
    const slow = defaultCollate(Array.from(indices, (i) => ds.get(i)));
    expect(fast.map((a) => a.toArray())).toEqual(slow.map((a) => a.toArray()));
    expect(fast[0].toArray()).toEqual([[7, 8], [1, 2], [5, 6]]);
    expect(fast[1].dtype).toBe('int32');
  });

  it('rejects arrays of different lengths and bad indices', () => {
    expect(() => new TensorDataset(x, array([1, 2, 3]))).toThrow(
      'TensorDataset: size mismatch between arrays: array 0 has 4 rows, array 1 has 3',
    );
    expect(() => ds.get(4)).toThrow('TensorDataset: index 4 is out of range for a dataset of length 4');
  });
});
