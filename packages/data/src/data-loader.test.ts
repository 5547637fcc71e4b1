import { describe, expect, it } from 'vitest';
import { array, defaultGenerator, manualSeed, type NDArray } from '@tsgrad/ndarray';
import { DataLoader } from './data-loader.js';
import type { Dataset } from './dataset.js';
import { TensorDataset } from './tensor-dataset.js';

/** A dataset of (i, 2i) pairs that counts how it was read. */
function counting(n: number): Dataset<[number, number]> & { gets: number } {
  const ds = {
    length: n,
    gets: 0,
    get(i: number): [number, number] {
      ds.gets++;
      return [i, 2 * i];
    },
  };
  return ds;
}

function firstColumn(loader: Iterable<NDArray[]>): number[][] {
  return Array.from(loader, ([x]) => Array.from(x.toTypedArray()));
}

describe('DataLoader', () => {
  it('has ceil(n / batchSize) batches, floor with dropLast (60000 / 64: 938 and 937)', () => {
    const ds = { length: 60000, get: (i: number) => i };
    expect(new DataLoader(ds, { batchSize: 64 }).length).toBe(938);
    expect(new DataLoader(ds, { batchSize: 64, dropLast: true }).length).toBe(937);
    expect(new DataLoader(ds).length).toBe(60000);
  });

  it('yields batches in dataset order without shuffle, the last one short', () => {
    const ds = counting(10);
    const batches = Array.from(new DataLoader(ds, { batchSize: 4 }));
    expect(batches.length).toBe(3);
    expect(batches.map(([x]) => x.toArray())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[2][1].toArray()).toEqual([16, 18]);
    expect(batches[0][0].dtype).toBe('int32');
    const dropped = Array.from(new DataLoader(ds, { batchSize: 4, dropLast: true }));
    expect(dropped.map(([x]) => x.size)).toEqual([4, 4]);
  });

  it('visits every sample once per epoch, in a new order each epoch', () => {
    const loader = new DataLoader(counting(100), { batchSize: 7, shuffle: true, seed: 3 });
    const epoch1 = firstColumn(loader).flat();
    const epoch2 = firstColumn(loader).flat();
    const sorted = Array.from({ length: 100 }, (_, i) => i);
    expect([...epoch1].sort((a, b) => a - b)).toEqual(sorted);
    expect([...epoch2].sort((a, b) => a - b)).toEqual(sorted);
    expect(epoch1).not.toEqual(epoch2);
    expect(epoch1).not.toEqual(sorted);
  });

  it('replays the same epochs from the same seed, and resumes from a saved generator state', () => {
    const a = new DataLoader(counting(50), { batchSize: 8, shuffle: true, seed: 11 });
    const b = new DataLoader(counting(50), { batchSize: 8, shuffle: true, seed: 11 });
    const a0 = firstColumn(a);
    expect(firstColumn(b)).toEqual(a0);
    const state = a.generator.getState(); // a checkpoint after epoch 0
    const a1 = firstColumn(a);
    const resumed = new DataLoader(counting(50), { batchSize: 8, shuffle: true, seed: 999 });
    resumed.generator.setState(state);
    expect(firstColumn(resumed)).toEqual(a1);
  });

  it('draws its seed from the default generator when none is given (manualSeed makes it repeatable)', () => {
    manualSeed(5);
    const a = firstColumn(new DataLoader(counting(30), { batchSize: 30, shuffle: true }));
    manualSeed(5);
    const b = firstColumn(new DataLoader(counting(30), { batchSize: 30, shuffle: true }));
    expect(b).toEqual(a);
    // A loader that does not shuffle leaves the default generator alone.
    manualSeed(5);
    const expected = defaultGenerator().nextInt(1000);
    manualSeed(5);
    new DataLoader(counting(30), { batchSize: 30 });
    expect(defaultGenerator().nextInt(1000)).toBe(expected);
  });

  it('uses the getBatch fast path when the dataset has one, and a custom collate when given', () => {
    const x = array(Float32Array.from({ length: 12 }, (_, i) => i), { shape: [6, 2] });
    const y = array(new Int32Array([0, 1, 2, 3, 4, 5]), { shape: [6], dtype: 'int32' });
    const ds = new TensorDataset(x, y);
    let gets = 0;
    const get = ds.get.bind(ds);
    ds.get = (i: number) => {
      gets++;
      return get(i);
    };
    const batches = Array.from(new DataLoader(ds, { batchSize: 4 }));
    expect(gets).toBe(0);
    expect(batches[1][0].toArray()).toEqual([[8, 9], [10, 11]]);
    expect(batches[1][1].toArray()).toEqual([4, 5]);

    const sums = Array.from(new DataLoader(ds, { batchSize: 3, collate: (items) => items.length }));
    expect(sums).toEqual([3, 3]);
    expect(gets).toBe(6);
  });

  it('rejects a bad batch size or seed', () => {
    expect(() => new DataLoader(counting(3), { batchSize: 0 })).toThrow(
      'DataLoader: batchSize should be a positive integer value, but got batchSize=0',
    );
    expect(() => new DataLoader(counting(3), { shuffle: true, seed: 1.5 })).toThrow(
      'DataLoader: seed must be a non-negative safe integer, but got seed=1.5',
    );
  });

  it('names a dataset that is not one (instead of failing at the first batch)', () => {
    const notDataset = (v: unknown): Dataset<number> => JSON.parse('null') ?? v;
    const needs = 'a Dataset needs a length (a non-negative integer) and get(index)';
    expect(() => new DataLoader(notDataset(null))).toThrow(`DataLoader: dataset must be a Dataset, got null (${needs})`);
    expect(() => new DataLoader(notDataset(undefined))).toThrow(`DataLoader: dataset must be a Dataset, got undefined (${needs})`);
    expect(() => new DataLoader(notDataset([1, 2]))).toThrow(`DataLoader: dataset must be a Dataset, got an array (2 elements) (${needs}; for arrays, new TensorDataset(...))`);
    expect(() => new DataLoader(notDataset({ length: 3 }))).toThrow(`DataLoader: dataset must be a Dataset, got an object without get(index) (${needs})`);
    expect(() => new DataLoader(notDataset({ length: -1, get: () => 0 }))).toThrow(`DataLoader: dataset must be a Dataset, got an object whose length is -1 (${needs})`);
  });
});
