export { parseIdx, encodeIdx, readIdxHeader, IdxError, type IdxArray, type IdxData, type IdxDType, type IdxHeader } from './idx.js';
export { decodeIdx, decodeIdxSync, gunzip, isGzip, MAX_GUNZIP_BYTES } from './decode.js';
export { ChecksumError } from './checksum.js';
export {
  downloadFile,
  downloadSplit,
  defaultCacheDir,
  HttpStatusError,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  type DownloadLimits,
  type DownloadOptions,
} from './download.js';
export { MNIST, FashionMNIST, KMNIST, embeddedMnistDir, type MnistOptions, type MnistClass } from './mnist.js';
export { MNIST_RESOURCES, FASHION_MNIST_RESOURCES, KMNIST_RESOURCES, type DatasetResources } from './resources.js';
