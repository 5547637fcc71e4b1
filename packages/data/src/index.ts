export type { Dataset, Collated } from './dataset.js';
export { TensorDataset } from './tensor-dataset.js';
export { Subset } from './subset.js';
export { randomSplit, splitCounts } from './random-split.js';
export { randomPermutation } from './permutation.js';
export { defaultCollate } from './collate.js';
export { DataLoader, type DataLoaderOptions } from './data-loader.js';
export { toTensor, normalize, compose, type Transform } from './transforms.js';
