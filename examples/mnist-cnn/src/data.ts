import { Subset } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import type { ImageDataset } from './train.js';

/**
 * MNIST's training and test sets: the copy embedded in the install by default, the four IDX
 * files of a folder, or downloaded from a URL (`--data`). With a subset size, the first `n`
 * images (so a smoke test always sees the same ones).
 *
 * @example
 * const { train, test } = await loadMnist({ trainSubset: 2000, testSubset: 1000 });
 * train.length; // 2000
 */
export async function loadMnist(opts: { data?: string; trainSubset?: number; testSubset?: number } = {}): Promise<{
  train: ImageDataset;
  test: ImageDataset;
}> {
  const load = async (train: boolean): Promise<MNIST> => {
    if (opts.data === undefined) return new MNIST({ train });
    if (/^https?:\/\//.test(opts.data)) return MNIST.download({ train, baseUrl: opts.data });
    return new MNIST({ train, root: opts.data });
  };
  const train = await load(true);
  const test = await load(false);
  return { train: firstN(train, opts.trainSubset, '--train-subset'), test: firstN(test, opts.testSubset, '--test-subset') };
}

function firstN(ds: ImageDataset, n: number | undefined, flag: string): ImageDataset {
  if (n === undefined) return ds;
  if (n > ds.length) throw new Error(`${flag}: ${n} is more than the ${ds.length} images in the set`);
  return new Subset(ds, Array.from({ length: n }, (_, i) => i));
}
