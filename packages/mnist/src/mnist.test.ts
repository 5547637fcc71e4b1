import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, defaultCollate, normalize } from '@tsgrad/data';
import { encodeIdx } from './idx.js';
import { FashionMNIST, KMNIST, MNIST, embeddedMnistDir } from './mnist.js';

interface SplitFixture {
  length: number;
  labelCounts: number[];
  firstLabels: number[];
  picks: { index: number; label: number; byteSum: number; row14: number[]; row14Normalized: number[] }[];
  pixelMean: number;
  pixelStd: number;
}
// Written by fixtures/make_fixtures.py (numpy reads the raw files, PyTorch converts to float32).
const fixtures: { train: SplitFixture; test: SplitFixture } = JSON.parse(
  readFileSync(new URL('../fixtures/mnist.json', import.meta.url), 'utf8'),
);

const work = mkdtempSync(join(tmpdir(), 'tsgrad-mnist-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/** Element-wise equality of two long arrays (expect's deep equality is slow on millions of elements). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('MNIST from the embedded copy', () => {
  let train: MNIST;
  let test: MNIST;
  beforeAll(() => {
    train = new MNIST({ train: true }); // the 47 MB file, read once for this file
    test = new MNIST({ train: false });
  });

  it('has 60,000 train and 10,000 test samples with the published label counts', () => {
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    expect(train.labelCounts()).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(test.labelCounts()).toEqual(fixtures.test.labelCounts);
    expect(Array.from(train.targets.toTypedArray().subarray(0, 10))).toEqual(fixtures.train.firstLabels);
    expect(train.data.shape).toEqual([60000, 28, 28]);
    expect(train.data.dtype).toBe('uint8');
    expect(train.targets.dtype).toBe('int32');
  });

  it('converts images to float32 [1,28,28] in [0,1] exactly as PyTorch does', () => {
    for (const [ds, fx] of [[train, fixtures.train], [test, fixtures.test]] as const) {
      for (const pick of fx.picks) {
        const [x, label] = ds.get(pick.index);
        expect(label).toBe(pick.label);
        expect(x.shape).toEqual([1, 28, 28]);
        expect(x.dtype).toBe('float32');
        const values = x.toTypedArray();
        expect(Math.round(sum(values) * 255)).toBe(pick.byteSum);
        expect(Array.from(values.subarray(14 * 28, 15 * 28))).toEqual(pick.row14);
      }
    }
  });

  it('getBatch gives what stacking the samples gives', () => {
    const indices = Int32Array.of(59999, 0, 7, 31337);
    const [x, y] = train.getBatch(indices);
    const [xs, ys] = defaultCollate(Array.from(indices, (i) => train.get(i)));
    expect(x.shape).toEqual([4, 1, 28, 28]);
    expect(x.toTypedArray()).toEqual(xs.toTypedArray());
    expect(y.toTypedArray()).toEqual(ys.toTypedArray());
    expect(() => train.getBatch(Int32Array.of(60000))).toThrow('MNIST: index 60000 is out of range for a dataset of length 60000');
    expect(() => train.get(-1)).toThrow('MNIST: index -1 is out of range for a dataset of length 60000');
    expect(() => train.get(1.5)).toThrow('MNIST: index 1.5 is not an integer');
  });

  it('gives each batch its own array (the float32 scratch is copied, then reused by the next batch)', () => {
    const first = train.getBatch(Int32Array.of(0, 1))[0];
    const before = Float32Array.from(first.toTypedArray());
    const second = train.getBatch(Int32Array.of(2, 3))[0];
    expect(first.toTypedArray()).toEqual(before);
    expect(second.toTypedArray()).not.toEqual(before);
    expect(second.toTypedArray()).toEqual(defaultCollate([train.get(2), train.get(3)])[0].toTypedArray());
  });

  it('feeds a DataLoader: 938 batches of [64,1,28,28] float32 and int32 labels, every label once per epoch', () => {
    const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
    expect(loader.length).toBe(938);
    const counts = new Array<number>(10).fill(0);
    let batches = 0;
    let pixelSum = 0;
    let lastSize = 0;
    for (const [x, y] of loader) {
      if (batches === 0) {
        expect(x.shape).toEqual([64, 1, 28, 28]);
        expect(x.dtype).toBe('float32');
        expect(y.shape).toEqual([64]);
        expect(y.dtype).toBe('int32');
      }
      for (const label of y.toTypedArray()) counts[label]++;
      pixelSum += sum(x.toTypedArray());
      lastSize = y.size;
      batches++;
    }
    expect(batches).toBe(938);
    expect(lastSize).toBe(60000 - 937 * 64);
    expect(counts).toEqual(fixtures.train.labelCounts);
    expect(pixelSum / (60000 * 784)).toBeCloseTo(fixtures.train.pixelMean, 6);
  });

  it('applies a transform to samples and batches alike, exactly as torchvision Normalize', () => {
    const normed = new MNIST({ train: false, transform: normalize([0.1307], [0.3081]) });
    const picks = fixtures.test.picks;
    const [batch] = normed.getBatch(Int32Array.from(picks, (p) => p.index));
    expect(batch.shape).toEqual([picks.length, 1, 28, 28]);
    for (const [b, pick] of picks.entries()) {
      const sample = normed.get(pick.index)[0].toTypedArray();
      expect(Array.from(sample.subarray(14 * 28, 15 * 28))).toEqual(pick.row14Normalized);
      expect(batch.narrow(0, b, 1).toTypedArray()).toEqual(sample);
    }
  });

  it('reads the same data from a local folder of gzipped and raw files', () => {
    const dir = join(work, 'local');
    rmSync(dir, { recursive: true, force: true });
    const embedded = embeddedMnistDir();
    // images gzipped, labels raw: the loader takes either
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(readFileSync(join(embedded, 't10k-images-idx3-ubyte'))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), readFileSync(join(embedded, 't10k-labels-idx1-ubyte')));
    const local = new MNIST({ train: false, root: dir });
    expect(local.length).toBe(10000);
    expect(sameValues(local.targets.toTypedArray(), test.targets.toTypedArray())).toBe(true);
    expect(sameValues(local.data.toTypedArray(), test.data.toTypedArray())).toBe(true);
  });

  it('builds from buffers (the browser path), raw or gzipped', async () => {
    const embedded = embeddedMnistDir();
    const images = gzipSync(readFileSync(join(embedded, 't10k-images-idx3-ubyte')));
    const labels = readFileSync(join(embedded, 't10k-labels-idx1-ubyte'));
    const fromBuffers = await MNIST.fromBuffers(
      { images: images.buffer.slice(images.byteOffset, images.byteOffset + images.byteLength), labels },
      { train: false },
    );
    expect(fromBuffers).toBeInstanceOf(MNIST);
    expect(fromBuffers.labelCounts()).toEqual(fixtures.test.labelCounts);
    expect(fromBuffers.getBatch(Int32Array.of(9999))[0].toTypedArray()).toEqual(test.getBatch(Int32Array.of(9999))[0].toTypedArray());
  });
});

describe('MNIST bad input', () => {
  // These files carry the standard names but are not the standard files: { verify: false } lets them through.
  /** A folder with the given train files. */
  function folder(name: string, files: Record<string, Uint8Array>): string {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
    return dir;
  }
  const images = (n: number): Uint8Array => encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: new Uint8Array(n * 784) });
  const labels = (n: number): Uint8Array => encodeIdx({ dtype: 'uint8', shape: [n], data: new Uint8Array(n) });

  it('names both files when images and labels disagree in count', () => {
    const dir = folder('mismatch', { 'train-images-idx3-ubyte': images(5), 'train-labels-idx1-ubyte.gz': gzipSync(labels(4)) });
    expect(() => new MNIST({ root: dir, verify: false })).toThrow(
      `MNIST: images and labels disagree in count: ${join(dir, 'train-images-idx3-ubyte')} has 5 images, ` +
        `${join(dir, 'train-labels-idx1-ubyte.gz')} has 4 labels`,
    );
  });

  it('names a truncated file with its expected and actual size', () => {
    const dir = folder('truncated', { 'train-images-idx3-ubyte': images(3).subarray(0, 1000), 'train-labels-idx1-ubyte': labels(3) });
    expect(() => new MNIST({ root: dir, verify: false })).toThrow(
      `${join(dir, 'train-images-idx3-ubyte')}: truncated: the header says [3, 28, 28] uint8, which is 2352 data bytes ` +
        'after the 16-byte header (a file of 2368 bytes), but the file has 1000 bytes',
    );
  });

  it('names a file with a wrong magic number, and a missing file', () => {
    const bad = labels(3);
    bad[2] = 0x42;
    const dir = folder('magic', { 'train-images-idx3-ubyte': images(3), 'train-labels-idx1-ubyte': bad });
    expect(() => new MNIST({ root: dir, verify: false })).toThrow(`${join(dir, 'train-labels-idx1-ubyte')}: wrong magic number 0x00004201 (16897)`);
    expect(() => new MNIST({ root: dir, train: false, verify: false })).toThrow(`MNIST: found neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz in ${dir}`);
  });

  it('names a label outside the classes', () => {
    const dir = folder('label', { 'train-images-idx3-ubyte': images(3), 'train-labels-idx1-ubyte': encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 10, 2) }) });
    expect(() => new MNIST({ root: dir, verify: false })).toThrow(`${join(dir, 'train-labels-idx1-ubyte')}: label 10 at index 1 is out of range for 10 classes`);
  });

  it('rejects images that are not uint8 [N,H,W]', () => {
    const dir = folder('dtype', {
      'train-images-idx3-ubyte': encodeIdx({ dtype: 'float32', shape: [1, 2, 2], data: new Float32Array(4) }),
      'train-labels-idx1-ubyte': labels(1),
    });
    expect(() => new MNIST({ root: dir, verify: false })).toThrow('expected uint8 images [N, H, W], got float32 [1, 2, 2]');
  });

  it('FashionMNIST and KMNIST read local folders and explain that they are not embedded', () => {
    const dir = folder('fashion', { 'train-images-idx3-ubyte.gz': gzipSync(images(2)), 'train-labels-idx1-ubyte': encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(9, 0) }) });
    const fashion = new FashionMNIST({ root: dir, verify: false });
    expect(fashion.length).toBe(2);
    expect(fashion.classes[fashion.get(0)[1]]).toBe('Ankle boot');
    expect(new KMNIST({ root: dir, verify: false }).classes[9]).toBe('wo');
    expect(() => new FashionMNIST()).toThrow(
      'FashionMNIST has no embedded copy: pass { root: folder } with its IDX files, or use await FashionMNIST.download({ baseUrl })',
    );
  });
});
