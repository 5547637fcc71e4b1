export { parseIdx, encodeIdx, IdxError, type IdxArray, type IdxData, type IdxDType } from './idx.js';
export { decodeIdx, decodeIdxSync, gunzip, isGzip, MAX_GUNZIP_BYTES } from './decode.js';
export { downloadFile, downloadSplit, defaultCacheDir, ChecksumError, type DownloadOptions } from './download.js';
export { MNIST, FashionMNIST, KMNIST, embeddedMnistDir, type MnistOptions, type MnistClass } from './mnist.js';
export { MNIST_RESOURCES, FASHION_MNIST_RESOURCES, KMNIST_RESOURCES, type DatasetResources } from './resources.js';
